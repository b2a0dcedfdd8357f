"""A clip's picture: the waveform with its words and phonemes, the mouth curves coloured by mouth group, closures
shaded, and the jaw. matplotlib (a development dependency, not in the extension zip) is imported only to draw."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import LipsyncError
from .phone_classes import CLOSED, FV, INVENTORY, OPEN, REST, ROUND, phone_info
from .presets import Preset, RigBinding, VisemePose
from .types import Audio, Segment

JAW, EMOTION = "jaw", "emotion"
GROUPS = (CLOSED, FV, ROUND, OPEN, REST, JAW, EMOTION)
"""Mouth groups in legend order: the phone classes' mouths, the jaw, and emotion-only targets."""
VISEME_MOUTH = {c.viseme: c.mouth for c in INVENTORY if c.mouth != OPEN}
"""A viseme's mouth group: the lip-critical mouth of its phone classes, else open."""
FAMILIES = {CLOSED: "Reds", FV: "Oranges", ROUND: "Blues", OPEN: "Greens", REST: "Greys", JAW: "Purples",
            EMOTION: "Greys"}
"""One matplotlib colour map per group: its curves take shades of it."""
NAMES = {CLOSED: "closure M/B/P", FV: "F/V", ROUND: "rounded", OPEN: "open / spread", REST: "rest", JAW: "jaw",
         EMOTION: "emotion"}


@dataclass(frozen=True, kw_only=True)
class PlotCurve:
    """One channel as it plays: its keys and the curve through them, in seconds from the clip's start."""

    label: str
    group: str
    """One of ``GROUPS``."""
    panel: str
    """The axis it is drawn on (its unit): curves with the same panel share one."""
    keys: np.ndarray
    key_values: np.ndarray
    times: np.ndarray
    values: np.ndarray


def _group(preset: Preset, weight: Callable[[VisemePose], float]) -> str:
    """The mouth group of the viseme that moves a channel most (``weight`` of each pose); emotion if none does."""
    weights = {viseme: weight(pose) for viseme, pose in preset.visemes.items()}
    best = max(weights, key=weights.__getitem__, default=None)
    return VISEME_MOUTH.get(best, OPEN) if best is not None and weights[best] > 0 else EMOTION


def channel_groups(binding: RigBinding) -> dict[str, str]:
    """Each bound shape key's and bone's rig name → its mouth group, from the preset's viseme poses."""
    preset = binding.preset
    groups = {}
    for target, name in binding.shape_keys.items():
        jaw = preset.jaw is not None and preset.jaw.shape == target
        groups[name] = JAW if jaw else _group(preset, lambda pose, t=target: pose.shapes.get(t, 0.0))
    for target, bone in binding.bones.items():
        def offset(pose: VisemePose, t: str = target) -> float:
            o = pose.bones.get(t)
            return float(np.abs(o.location).sum() * 100 + np.abs(o.rotation).sum()) if o else 0.0

        groups[bone] = _group(preset, offset)
    if binding.jaw_bone:
        groups[binding.jaw_bone] = JAW
    return groups


def label_rows(spans: list[tuple[float, float, str]], char_width: float, rows: int = 2) -> list[int | None]:
    """A row for each label centred on its span so that none overlaps another in its row (``char_width``: one
    character's width in the spans' units); None where no row has room (the label is left out)."""
    ends = [-np.inf] * rows
    out: list[int | None] = []
    for start, end, text in spans:
        half = (len(text) + 1) * char_width / 2
        left, right = (start + end) / 2 - half, (start + end) / 2 + half
        row = next((r for r in range(rows) if ends[r] <= left), None)
        if row is not None:
            ends[row] = right
        out.append(row)
    return out


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise LipsyncError("Drawing pictures needs matplotlib, which is not installed: pip install matplotlib "
                           "(it is a development dependency, not in the extension zip).") from None
    return plt


def require_matplotlib() -> None:
    """Raise the one-line LipsyncError now (before any work) if matplotlib is missing."""
    _pyplot()


def _waveform(ax, audio: Audio, columns: int = 3000) -> None:
    """The waveform as its per-column minimum and maximum (a long clip draws as fast as a short one)."""
    samples = audio.samples[: len(audio.samples) // columns * columns] if len(audio.samples) > columns else None
    if samples is None:
        ax.plot(np.arange(len(audio.samples)) / audio.sample_rate, audio.samples, lw=0.4, color="0.35")
    else:
        blocks = samples.reshape(columns, -1)
        t = (np.arange(columns) + 0.5) * blocks.shape[1] / audio.sample_rate
        ax.fill_between(t, blocks.min(axis=1), blocks.max(axis=1), color="0.35", lw=0)
    ax.set_ylabel("audio")
    ax.set_yticks([])


def _labels(ax, segments: list[Segment], y: float, size: float, char_width: float, color: str) -> None:
    spans = [(s.start, s.end, s.label) for s in segments if s.label.upper() not in ("SIL", "")]
    for (start, end, text), row in zip(spans, label_rows(spans, char_width * size), strict=True):
        if row is not None:
            ax.text((start + end) / 2, y - 0.22 * row, text, ha="center", va="center", fontsize=size, color=color)
            ax.plot([start, end], [y - 0.22 * row - 0.09] * 2, color=color, lw=0.6, alpha=0.5)


def draw(out: Path, *, title: str, audio: Audio, words: list[Segment], phonemes: list[Segment],
         curves: list[PlotCurve]) -> None:
    """Write the clip's picture to ``out`` (PNG), whole or not at all."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    panels = list(dict.fromkeys(c.panel for c in curves))
    panels.sort(key=lambda panel: all(c.group == JAW for c in curves if c.panel == panel))  # the jaw's go last
    ratios = [1.0, 0.9] + [3.0 if i == 0 else 1.4 for i in range(len(panels))]
    fig, axes = plt.subplots(len(ratios), 1, figsize=(15, 3.2 + 2.2 * len(panels)), sharex=True,
                             gridspec_kw={"height_ratios": ratios, "hspace": 0.08})
    wave_ax, text_ax, curve_axes = axes[0], axes[1], axes[2:]
    duration = max(audio.duration, max((s.end for s in phonemes), default=0.0))
    _waveform(wave_ax, audio)
    wave_ax.set_title(title, loc="left", fontsize=11)
    char = duration / 1200 * 0.9  # seconds per character per point of font size (a 1200-pixel axis at 100 dpi)
    text_ax.set_ylim(0, 1.1)
    text_ax.set_yticks([0.85, 0.35], ["words", "phonemes"], fontsize=8)
    text_ax.tick_params(axis="y", length=0)
    _labels(text_ax, words, 0.95, 9, char, "black")
    _labels(text_ax, phonemes, 0.45, 7, char, "0.3")

    shaded = {CLOSED: [], FV: []}
    for p in phonemes:
        mouth = phone_info(p.label).mouth
        if mouth in shaded:
            shaded[mouth].append((p.start, p.end))
    tint = {CLOSED: "tab:red", FV: "tab:orange"}
    for ax in axes:
        for mouth, spans in shaded.items():
            for start, end in spans:
                ax.axvspan(start, end, color=tint[mouth], alpha=0.13 if mouth == CLOSED else 0.08, lw=0)

    by_group = {g: [c for c in curves if c.group == g] for g in GROUPS}
    for ax, panel in zip(curve_axes, panels, strict=True):
        for group in GROUPS:
            members = [c for c in by_group[group] if c.panel == panel]
            cmap = plt.get_cmap(FAMILIES[group])
            for i, c in enumerate(members):
                color = cmap(0.45 + 0.5 * i / (len(members) - 1) if len(members) > 1 else 0.8)
                ax.plot(c.times, c.values, lw=1.3, color=color, label=c.label, ls=("-", "--", ":")[i % 3])
                ax.plot(c.keys, c.key_values, "o", ms=2.4, color=color)
        ax.set_ylabel(panel, fontsize=9)
        ax.grid(axis="y", lw=0.3, alpha=0.5)
        ax.legend(ncol=1 + (len(ax.get_lines()) > 2 * 24), fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0),
                  frameon=False, handlelength=1.5, labelspacing=0.25)
    families = [Patch(color=plt.get_cmap(FAMILIES[g])(0.75), label=NAMES[g]) for g in GROUPS if by_group[g]]
    families += [Patch(color="tab:red", alpha=0.25, label="M/B/P closure (phonemes)"),
                 Patch(color="tab:orange", alpha=0.2, label="F/V contact (phonemes)")]
    wave_ax.legend(handles=families, ncol=len(families), fontsize=7.5, loc="lower left",
                   bbox_to_anchor=(0.0, 1.12), frameon=False)
    axes[-1].set_xlabel("seconds (dots: keys)")
    axes[-1].set_xlim(0, duration)
    fig.subplots_adjust(left=0.06, right=0.86, top=0.9, bottom=0.07)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")
    partial.write_bytes(buffer.getvalue())
    partial.replace(out)
