"""Write a preset back as TOML, e.g. a rig's current mapping saved as a user preset."""

from __future__ import annotations

import json
import re

from .presets import Jaw, Names, PoseRef, Preset, RigBinding


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_value, value)) + "]"
    return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"


def _names(names: Names, first: str | None) -> dict:
    ordered = [first] if first else []
    ordered += [n for n in names.names if n != first]
    return {"names": ordered, **({"patterns": list(names.patterns)} if names.patterns else {})}


def _drop_defaults(table: dict, defaults: dict) -> dict:
    return {k: v for k, v in table.items() if v != defaults.get(k) and v not in ({}, None)}


def preset_toml(preset: Preset, found: RigBinding | None = None) -> str:
    """TOML text that parses back to ``preset``; with ``found``, the rig's own names come first in each list."""
    shapes = found.shape_keys if found else {}
    bones = found.bones if found else {}
    lines = ["[preset]", f"id = {_value(preset.id)}", f"name = {_value(preset.name)}"]
    if preset.description:
        lines.append(f"description = {_value(preset.description)}")
    if preset.priority:
        lines.append(f"priority = {preset.priority}")
    sections = {
        "shape_keys": {t: _names(n, shapes.get(t)) for t, n in preset.shape_keys.items()},
        "bones": {t: _names(n, bones.get(t)) for t, n in preset.bones.items()},
    }
    for title, table in sections.items():
        if table:
            lines += ["", f"[{title}]", *(f"{_key(t)} = {_value(v)}" for t, v in table.items())]
    if preset.jaw:
        lines += ["", "[jaw]", *_jaw_lines(preset.jaw, found.jaw_bone if found else None)]
    if preset.sprite:
        lines += ["", "[sprite]", f"property = {_value(preset.sprite)}"]
    if preset.pose_action:
        lines += ["", "[poses]", f"action = {_value(preset.pose_action)}"]
    if preset.animation:
        lines += ["", "[animation]", *(f"{k} = {_value(v)}" for k, v in preset.animation.items())]
    lines += ["", "[visemes]"]
    for viseme, pose in preset.visemes.items():
        table = {
            "shapes": pose.shapes, "jaw": pose.jaw, "intensity": pose.intensity, "frame": pose.frame,
            "pose": _pose(pose.pose) if pose.pose else None,
            "bones": {t: _drop_defaults({"location": list(o.location), "rotation": list(o.rotation)},
                                        {"location": [0.0] * 3, "rotation": [0.0] * 3})
                      for t, o in pose.bones.items()},
        }
        lines.append(f"{_key(viseme)} = {_value(_drop_defaults(table, {'jaw': 0.0, 'intensity': 1.0}))}")
    if preset.emotions:
        lines += ["", "[emotions]"]
        for name, emotion in preset.emotions.items():
            table = _drop_defaults({"shapes": emotion.shapes, "articulation": emotion.articulation},
                                   {"articulation": 1.0})
            lines.append(f"{_key(name)} = {_value(table)}")
    return "\n".join(lines) + "\n"


def _jaw_lines(jaw: Jaw, bone: str | None) -> list[str]:
    lines = []
    if jaw.has_bone:
        names = _names(jaw.names, bone)
        lines += [f"{k} = {_value(v)}" for k, v in names.items()]
        lines += [f"axis = {_value(jaw.axis)}", f"max_angle = {jaw.max_angle!r}"]
    if jaw.shape:
        lines.append(f"shape = {_value(jaw.shape)}")
    return lines




def _pose(ref: PoseRef) -> dict:
    frame = ref.first if ref.last is None else [ref.first, ref.last]
    return {k: v for k, v in (("action", ref.action), ("frame", frame)) if v is not None}
