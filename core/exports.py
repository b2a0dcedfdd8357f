"""Timing exports other tools read: Rhubarb Lip Sync 1.14 (TSV, XML, JSON, with Rhubarb's own mouth-shape
rules), Moho/Papagayo switch files, and per-frame values of exactly the targets a preset drives (CSV for game
engines, ARKit-style JSON weights for web avatars)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from xml.etree import ElementTree

import numpy as np

from .animation import KeyframePlan
from .export_formats import EXTENDED_SHAPES
from .phone_classes import CLASSES, is_arpabet, phone_class, representative_label
from .presets import Preset, RigBinding, RigInfo, bind
from .types import SILENCE, Alignment, Segment

BASIC_SHAPES = "ABCDEF"
_ANY, _OPEN = "ABCDEFGHX", "BCDEFGH"


@dataclass(frozen=True)
class _Diphthong:
    """Two shape sets: the first for 60 % of the phone, then the second."""

    first: str
    second: str


@dataclass(frozen=True)
class _Plosive:
    """The occlusion shows before the phone (half the previous phone, 4 to 12 cs), then the release."""

    occlusion: str
    release: str


@dataclass(frozen=True)
class _ByLength:
    """A phone shorter than ``limit`` centiseconds follows ``short``, a longer one ``long``."""

    limit: int
    short: str | _Diphthong
    long: str | _Diphthong


# Rhubarb 1.14's shape rules (rhubarb/src/animation/animationRules.cpp, getShapeSets), keyed by ARPAbet: each
# phone allows a set of mouth shapes (a string), and the animation picks from it the shape closest to the previous
# one. The shapes: A closed (M B P, lips pressed), B clenched teeth (most consonants, EE), C open (EH AE),
# D wide open (AA), E slightly rounded (AO ER), F puckered (UW OW W), G upper teeth on lower lip (F V),
# H tongue behind the teeth (long L), X idle.
_RULES: dict[str, str | _Diphthong | _Plosive | _ByLength] = {
    # Vowels: one shape each, which the mouth anticipates.
    "AO": "E", "AA": "D", "IY": "B", "UW": "F", "EH": "C", "IH": "B", "UH": "F", "AE": "C",
    "AH": _ByLength(20, "C", "D"),  # a short AH opens less
    "AX": "BC",  # schwa (Rhubarb's "Schwa"; TIMIT's AX, AX-H and IX read as it)
    "EY": _Diphthong("C", "B"),
    "AY": _ByLength(20, _Diphthong("C", "B"), _Diphthong("D", "B")),
    "OW": _Diphthong("E", "F"),  # rounds from E to puckered F: OW ends as F, not E
    "AW": _ByLength(30, _Diphthong("C", "E"), _Diphthong("D", "E")),
    "OY": _Diphthong("E", "B"),
    "ER": _ByLength(7, "BC", "E"),  # a very short ER is a schwa
    # Stops: the closure shows before the burst.
    "P": _Plosive("A", _ANY), "B": _Plosive("A", _ANY),
    "T": _Plosive("BF", _OPEN), "D": _Plosive("BF", _OPEN),
    "K": _Plosive("BCEFH", _OPEN), "G": _Plosive("BCEFH", _OPEN),
    # Fricatives, affricates, nasals and approximants.
    "CH": "BF", "JH": "BF", "F": "G", "V": "G",
    "TH": "BF", "DH": "BF", "S": "BF", "Z": "BF", "SH": "BF", "ZH": "BF",
    "HH": _ANY,  # the mouth is free ("m-hm")
    "M": "A", "N": "BCFH", "NG": "BCEF",
    "L": _ByLength(20, "BEFH", "H"),  # only a long L shows the tongue
    "R": "BEF", "Y": "BCF", "W": "F",
}
_VOWELS = frozenset(("AO", "AA", "IY", "UW", "EH", "IH", "UH", "AH", "AX", "AE", "EY", "AY", "OW", "AW", "OY", "ER"))
_AS = {"AX-H": "AX", "IX": "AX", "AXR": "ER", "EL": "L", "EM": "M", "EN": "N", "ENG": "NG", "NX": "N",
       "DX": "T", "HV": "HH", "UX": "UW"}
"""TIMIT/flite ARPAbet that Rhubarb's phone set reads as another phone."""
_CLASS_AS = {"front_rounded": "UW"}
"""Articulatory classes whose representative ARPAbet (``phone_classes``) is not the lips': y ø are rounded."""

# Rhubarb's shape algebra (animationRules.cpp), indexed by shape: the basic shape an extended one falls back to,
# the shape a mouth relaxes into, and per shape every shape in ascending order of the effort of moving to it.
_BASIC = dict(zip(_ANY, "ABCDEFACA", strict=True))
_RELAX = dict(zip(_ANY, "ABBCCBXBX", strict=True))
_EFFORT = dict(zip(_ANY, ("AXGBCHEDF", "BGAXCHEDF", "CHBGDAXEF", "DCHBGAXEF", "ECHBGAXDF", "FBGAXCHED",
                          "GABCHXEDF", "HCBGDAXEF", "XAGBCHEDF"), strict=True))


def rhubarb_phone(phone: str) -> str | None:
    """The ARPAbet phone of Rhubarb's rules that ``phone`` (ARPAbet or IPA) reads as; None for silence."""
    if phone == SILENCE:
        return None
    key = phone.upper().rstrip("012")
    if is_arpabet(phone) and key in _RULES:
        return key
    if key in _AS:
        return _AS[key]
    cls = phone_class(phone)
    return _CLASS_AS.get(CLASSES[cls], representative_label(cls, english=True)) if cls else None


def _shape_sets(phone: str, duration: int, previous: int) -> list[tuple[int, int, str]]:
    """Rhubarb's getShapeSets: (start, end, shapes) relative to the phone, in centiseconds."""
    rule = _RULES[phone]
    if isinstance(rule, _ByLength):
        rule = rule.short if duration < rule.limit else rule.long
    if isinstance(rule, _Diphthong):
        split = int(duration * 0.6)
        return [(0, split, rule.first), (split, duration, rule.second)]
    if isinstance(rule, _Plosive):
        occlusion = min(max(previous // 2, 4), 12)
        return [(-occlusion, 0, rule.occlusion), (0, duration, rule.release)]
    return [(0, duration, rule)]


def _closest(reference: str, shapes: str) -> str:
    return next(s for s in _EFFORT[reference] if s in shapes)


def _runs(slots: list) -> list[list]:
    """Consecutive equal slots as [start, end, value] in centiseconds."""
    runs: list[list] = []
    for t, value in enumerate(slots):
        if runs and runs[-1][2] == value:
            runs[-1][1] = t + 1
        else:
            runs.append([t, t + 1, value])
    return runs


def rhubarb_cues(alignment: Alignment, extended: str = EXTENDED_SHAPES) -> list[Segment]:
    """The mouth cues Rhubarb 1.14 animates from these phones (shape rules, the rough animation with vowel
    anticipation, pauses, tweens, the target shape set), on its 10 ms grid. Rhubarb's timing optimisation and
    static-segment breaking are left out: the cues follow the aligned phones."""
    targets = BASIC_SHAPES + extended
    allowed = set(targets) | {"X"}
    end = int(round(alignment.duration * 100, 6))
    slots: list[tuple] = [("X", False, -1)] * end
    previous = 0
    for index, seg in enumerate(alignment.phonemes):
        start, stop = round(seg.start * 100), min(round(seg.end * 100), end)
        phone = rhubarb_phone(seg.label)
        if phone is not None:
            for lo, hi, shapes in _shape_sets(phone, stop - start, previous):
                shapes = "".join(sorted({s if s in allowed else _BASIC[s] for s in shapes}))
                vowel = phone in _VOWELS and len(shapes) == 1
                for t in range(max(start + lo, 0), min(start + hi, end)):
                    slots[t] = (shapes, vowel, index, lo)
        previous = stop - start
    runs = _runs(slots)
    animation = _rough(runs)
    animation = _tweens(_runs(_pauses(_runs(animation))))
    return [Segment(shape, lo / 100, hi / 100)
            for lo, hi, shape in _runs([s if s in targets else _BASIC[s] for s in animation])] or [
        Segment("X" if "X" in targets else "A", 0.0, 0.0)]


def _rough(runs: list[list]) -> list[str]:
    """Rhubarb's animateRough: each rule's shape closest to the last (relaxed) one; a one-shape vowel is
    anticipated up to 20 cs back while the earlier shapes keep its basic shape."""
    shapes = [""] * len(runs)
    reference, last_anticipated = "X", -1
    for i, (start, _, (allowed, vowel, *_)) in enumerate(runs):
        shape = shapes[i] = _closest(reference, allowed)
        if vowel:
            reference = shape
            for j in range(i - 1, -1, -1):
                if runs[j][0] == last_anticipated or start - runs[j][0] > 20:
                    break
                shapes[j] = _closest(reference, runs[j][2][0])
                if _BASIC[shapes[j]] != _BASIC[shape]:
                    break
                reference = shapes[j]
            last_anticipated = start
        reference = shape if vowel else _RELAX[shape]
    return [shape for (lo, hi, _), shape in zip(runs, shapes, strict=True) for _ in range(lo, hi)]


def _pauses(runs: list[list]) -> list[str]:
    """Rhubarb's animatePauses: a pause under 12 cs holds the last shape, up to 35 cs relaxes it (to a shape
    unlike the next one), longer closes to X; the first and last stay X."""
    out = [shape for lo, hi, shape in runs for _ in range(lo, hi)]
    for (_, _, before), (lo, hi, shape), (_, _, after) in zip(runs, runs[1:], runs[2:], strict=False):
        if shape != "X":
            continue
        pause = "X"
        if hi - lo < 12:
            pause = before
        elif hi - lo <= 35:
            current = before
            while (relaxed := _RELAX[current]) == after and relaxed != current:
                current = relaxed
            pause = relaxed if relaxed != after else "X"
        out[lo:hi] = [pause] * (hi - lo)
    return out


_TWEENS = {"DA": ("C", "early"), "DB": ("C", "centered"), "DG": ("C", "early"), "DX": ("C", "late"),
           "CF": ("E", "centered"), "FC": ("E", "centered"), "DF": ("E", "centered"), "HF": ("E", "late"),
           "FH": ("E", "early")}
"""Rhubarb's in-betweens (getTween): from D to A a C shows early in D's end, and so on; the mouth pops open
without one and closes through one."""


def _tweens(runs: list[list]) -> list[str]:
    """Rhubarb's insertTweens: an in-between of 4 to 8 cs between the shape pairs of ``_TWEENS``."""
    out = [shape for lo, hi, shape in runs for _ in range(lo, hi)]
    for (lo1, hi1, first), (lo2, hi2, second) in zip(runs, runs[1:], strict=False):
        if first + second not in _TWEENS:
            continue
        shape, timing = _TWEENS[first + second]
        if timing == "early":
            length = min((hi1 - lo1) // 3, 8)
            start = hi1 - length
        elif timing == "centered":
            length = min((hi1 - lo1) // 4, (hi2 - lo2) // 4, 8)
            start = hi1 - length // 2
        else:
            length = min((hi2 - lo2) // 3, 8)
            start = lo2
        if length >= 4:
            out[start:start + length] = [shape] * length
    return out


def _seconds(t: float) -> str:
    return f"{t:.2f}"


def _rest(extended: str) -> str:
    """The closed mouth Rhubarb ends on: X, or A without the X shape."""
    return "X" if "X" in extended else "A"


def _end(alignment: Alignment) -> float:
    """The recording's end, truncated to 10 ms as Rhubarb reports it."""
    return int(round(alignment.duration * 100, 6)) / 100


def rhubarb_tsv(alignment: Alignment, extended: str = EXTENDED_SHAPES) -> str:
    """Rhubarb's TSV: ``start<TAB>shape`` per cue, then the closed mouth at the end of the recording."""
    lines = [f"{_seconds(c.start)}\t{c.label}" for c in rhubarb_cues(alignment, extended) if c.end > c.start]
    lines.append(f"{_seconds(_end(alignment))}\t{_rest(extended)}")
    return "\n".join(lines) + "\n"


def rhubarb_json(alignment: Alignment, sound_file: str, extended: str = EXTENDED_SHAPES) -> str:
    """Rhubarb's JSON, laid out as Rhubarb writes it (times with two decimals)."""
    cues = ",\n".join(f'    {{ "start": {_seconds(c.start)}, "end": {_seconds(c.end)}, "value": "{c.label}" }}'
                      for c in rhubarb_cues(alignment, extended))
    return (f'{{\n  "metadata": {{\n    "soundFile": {json.dumps(sound_file, ensure_ascii=False)},\n'
            f'    "duration": {_seconds(_end(alignment))}\n  }},\n  "mouthCues": [\n{cues}\n  ]\n}}\n')


def rhubarb_xml(alignment: Alignment, sound_file: str, extended: str = EXTENDED_SHAPES) -> str:
    root = ElementTree.Element("rhubarbResult")
    metadata = ElementTree.SubElement(root, "metadata")
    ElementTree.SubElement(metadata, "soundFile").text = sound_file
    ElementTree.SubElement(metadata, "duration").text = _seconds(_end(alignment))
    cues = ElementTree.SubElement(root, "mouthCues")
    for cue in rhubarb_cues(alignment, extended):
        element = ElementTree.SubElement(cues, "mouthCue", start=_seconds(cue.start), end=_seconds(cue.end))
        element.text = cue.label
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


PRESTON_BLAIR = dict(zip("ABCDEFGHX", ("MBP", "etc", "E", "AI", "O", "U", "FV", "L", "rest"), strict=True))
"""Rhubarb's shapes under the Preston Blair names Papagayo, Moho and OpenToonz use (``--datUsePrestonBlair``)."""


def moho_dat(alignment: Alignment, fps: float, names: str = "preston", extended: str = EXTENDED_SHAPES) -> str:
    """A Moho switch-layer file as Rhubarb's dat export writes it: ``MohoSwitch1``, then ``frame shape`` at each
    cue's first frame (1 + whole frames since the start; cues sharing a frame keep the first), then the closed
    mouth at the end of the recording. ``names``: Preston Blair (``MBP``, ``etc``, ``rest``, ...) or Rhubarb's
    letters."""
    rename = PRESTON_BLAIR.get if names == "preston" else str
    lines, last = ["MohoSwitch1"], 0
    for cue in rhubarb_cues(alignment, extended):
        frame = 1 + int(fps * cue.start + 1e-9)
        if frame != last and cue.end > cue.start:
            lines.append(f"{frame} {rename(cue.label)}")
            last = frame
    frame = 1 + int(fps * _end(alignment) + 1e-9)
    lines.append(f"{frame + (frame == last)} {rename(_rest(extended))}")
    return "\n".join(lines) + "\n"


def driven_binding(preset: Preset) -> RigBinding:
    """``preset`` bound to a rig with exactly the targets its visemes and jaw drive (under their first names),
    for exports and streams without a rig: their curves are the columns, and emotion-only targets stay out."""
    shapes = {preset.shape_keys[t].names[0] if preset.shape_keys[t].names else t
              for t in preset.used_shapes() if t in preset.shape_keys}
    bones = [preset.bones[b] for b in preset.used_bones() if b in preset.bones]
    if preset.jaw and preset.jaw.has_bone:
        bones.append(preset.jaw.names)
    rig = RigInfo(frozenset(shapes), {n.names[0]: "XYZ" for n in bones if n.names},
                  frozenset([preset.sprite] if preset.sprite else []))
    return bind(preset, rig)


def _sampled(plan: KeyframePlan) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every frame of the plan and each animated channel's value there, by column name: shape keys by name,
    bones as ``bone.property[index]``, a 2D sprite by its property."""
    frames = np.arange(plan.frame_start, plan.frame_end + 1)
    columns = {}
    for curve in plan.curves:
        channel = curve.channel
        name = channel.target
        if channel.owner == "armature":
            name = f"{channel.target}.{channel.data_path.rsplit('.', 1)[1]}[{channel.index}]"
        if curve.interpolation == "CONSTANT":
            held = np.searchsorted(curve.frames, frames, side="right") - 1
            columns[name] = curve.values[np.maximum(held, 0)]
        else:
            columns[name] = np.interp(frames, curve.frames, curve.values)
    return frames, columns


def curves_csv(plan: KeyframePlan, fps: float) -> str:
    """One row per frame (``frame``, ``time`` in seconds) and one column per animated channel."""
    frames, columns = _sampled(plan)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["frame", "time", *columns])
    for i, frame in enumerate(frames):
        writer.writerow([int(frame), f"{(frame - plan.frame_start) / fps:.4f}",
                         *(f"{values[i]:.4f}" for values in columns.values())])
    return out.getvalue()


def arkit_json(plan: KeyframePlan, fps: float) -> str:
    """Per-frame blendshape weights as web avatars and Live Link take them:
    ``{"fps": 30, "names": ["jawOpen", ...], "frames": [[0.0, ...], ...]}`` (one row per frame from the line's
    start, weights 0-1 in the order of ``names``). Shape keys only: bones have no blendshape weight."""
    frames, columns = _sampled(plan)
    shapes = {c.channel.target for c in plan.curves if c.channel.owner == "shape_keys"}
    names = [n for n in columns if n in shapes]
    rows = np.stack([columns[n] for n in names], axis=1) if names else np.zeros((len(frames), 0))
    return json.dumps({"fps": fps, "names": names, "frames": np.round(rows, 4).tolist()}, separators=(",", ":")) + "\n"
