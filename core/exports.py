"""Timing exports other tools read: Rhubarb Lip Sync (TSV, XML, JSON), Moho/Papagayo switch files, and
per-frame curves of a preset's targets as CSV (for game engines)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from xml.etree import ElementTree

import numpy as np

from .animation import KeyframePlan
from .types import Alignment, Segment
from .visemes import phone_viseme, relabel

# Rhubarb's mouth shapes: A closed (M B P), B clenched teeth (most consonants, EE), C open (EH AE), D wide open
# (AA), E slightly rounded (AO ER), F puckered (UW OW W), G F/V, H L, X idle.
_RHUBARB = {
    "sil": "X", "PP": "A", "FF": "G", "TH": "B", "DD": "B", "kk": "B", "CH": "B", "SS": "B", "nn": "B",
    "RR": "E", "aa": "D", "E": "C", "I": "B", "O": "E", "U": "F",
}
# Papagayo's Preston Blair set, as Moho switch layers name it.
_MOHO = {
    "sil": "rest", "PP": "MBP", "FF": "FV", "TH": "etc", "DD": "etc", "kk": "etc", "CH": "etc", "SS": "etc",
    "nn": "etc", "RR": "E", "aa": "AI", "E": "E", "I": "E", "O": "O", "U": "U",
}
_LATERAL = {"L", "l", "ɫ", "ʎ", "ɭ"}


def rhubarb_shape(phone: str) -> str:
    return "H" if phone.rstrip("012") in _LATERAL else _RHUBARB[phone_viseme(phone)]


def moho_shape(phone: str) -> str:
    if phone.rstrip("012") in _LATERAL:
        return "L"
    if phone.rstrip("012") in ("W", "w"):
        return "WQ"
    return _MOHO[phone_viseme(phone)]


def mouth_cues(alignment: Alignment, shape: Callable[[str], str] = rhubarb_shape) -> list[Segment]:
    """The phones as mouth-shape cues, neighbours with the same shape merged."""
    return relabel(alignment.phonemes, shape)


def rhubarb_tsv(alignment: Alignment) -> str:
    """Rhubarb's TSV: one ``start<TAB>shape`` line per cue, and the final rest at the end."""
    cues = mouth_cues(alignment)
    lines = [f"{c.start:.2f}\t{c.label}" for c in cues]
    if cues[-1].label != "X":
        lines.append(f"{alignment.duration:.2f}\tX")
    return "\n".join(lines) + "\n"


def rhubarb_json(alignment: Alignment, sound_file: str) -> str:
    cues = [{"start": round(c.start, 2), "end": round(c.end, 2), "value": c.label} for c in mouth_cues(alignment)]
    data = {"metadata": {"soundFile": sound_file, "duration": round(alignment.duration, 2)}, "mouthCues": cues}
    return json.dumps(data, indent=2) + "\n"


def rhubarb_xml(alignment: Alignment, sound_file: str) -> str:
    root = ElementTree.Element("rhubarbResult")
    metadata = ElementTree.SubElement(root, "metadata")
    ElementTree.SubElement(metadata, "soundFile").text = sound_file
    ElementTree.SubElement(metadata, "duration").text = f"{alignment.duration:.2f}"
    cues = ElementTree.SubElement(root, "mouthCues")
    for cue in mouth_cues(alignment):
        ElementTree.SubElement(cues, "mouthCue", start=f"{cue.start:.2f}", end=f"{cue.end:.2f}").text = cue.label
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def moho_dat(alignment: Alignment, fps: int) -> str:
    """A Moho switch-layer file: ``MohoSwitch1`` then ``frame shape`` lines, frames counted from 1."""
    lines = ["MohoSwitch1"]
    last_frame = 0
    for cue in mouth_cues(alignment, moho_shape):
        frame = max(last_frame + 1, round(cue.start * fps) + 1)
        lines.append(f"{frame} {cue.label}")
        last_frame = frame
    return "\n".join(lines) + "\n"


def curves_csv(plan: KeyframePlan, fps: float) -> str:
    """One row per frame (``frame``, ``time`` in seconds) and one column per animated channel: shape keys by
    name, bones as ``bone.property[index]``, a 2D sprite by its property; values sampled from the plan's keys."""
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["frame", "time", *columns])
    for i, frame in enumerate(frames):
        writer.writerow([int(frame), f"{(frame - plan.frame_start) / fps:.4f}",
                         *(f"{values[i]:.4f}" for values in columns.values())])
    return out.getvalue()
