"""Apply a keyframe plan: one new Action per clip, written in bulk, swapped in only once complete."""

from __future__ import annotations

from collections.abc import Iterable

import bpy
import numpy as np

from ..core.animation import Curve, KeyframePlan
from .rig import Character

TAG = "lipsync_ai_clip"
"""Custom property marking Actions this add-on generated, holding the clip they came from."""


def _fcurve_factory(action: bpy.types.Action, owner: bpy.types.ID):
    """A slot for ``owner`` and a function adding F-curves to it: slotted Actions (4.4+) or legacy ones."""
    if hasattr(action, "slots"):
        from bpy_extras import anim_utils

        slot = action.slots.new(id_type=owner.id_type, name=owner.name)
        fcurves = anim_utils.action_ensure_channelbag_for_slot(action, slot).fcurves
        return slot, lambda c: fcurves.new(c.data_path, index=c.index, group_name=c.group)
    return None, lambda c: action.fcurves.new(c.data_path, index=c.index, action_group=c.group)


def _add_curve(new_fcurve, curve: Curve) -> None:
    fcurve = new_fcurve(curve.channel)
    points = fcurve.keyframe_points
    points.add(len(curve.frames))
    points.foreach_set("co", np.column_stack([curve.frames, curve.values]).astype(np.float32).ravel())
    fcurve.update()


def _owned_curves(plan: KeyframePlan, character: Character) -> Iterable[tuple[bpy.types.ID, list[Curve]]]:
    """Each animated datablock with its curves: shape-key blocks get the keys they have, the armature the jaw."""
    for mesh in character.meshes:
        key = mesh.data.shape_keys
        curves = [c for c in plan.curves if c.channel.owner == "shape_keys" and c.channel.target in key.key_blocks]
        if curves:
            yield key, curves
    armature_curves = [c for c in plan.curves if c.channel.owner == "armature"]
    if character.armature and armature_curves:
        yield character.armature, armature_curves


def _keep_previous_action(owner: bpy.types.ID, clip: str) -> None:
    """Move the Action ``owner`` had (the user's, or another clip's) into the NLA so it keeps playing."""
    data = owner.animation_data
    previous = data.action if data else None
    if previous is None or previous.get(TAG) == clip:
        return
    track = data.nla_tracks.new()
    track.name = previous.name
    track.strips.new(previous.name, int(previous.frame_range[0]), previous)
    data.action = None


def write_plan(plan: KeyframePlan, character: Character, clip: str) -> bpy.types.Action:
    """Key ``plan`` into a new Action named after ``clip``, replacing the one a previous run made."""
    action = bpy.data.actions.new(f"Lipsync {clip}")
    action[TAG] = clip
    assignments = []
    try:
        for owner, curves in _owned_curves(plan, character):
            slot, new_fcurve = _fcurve_factory(action, owner)
            for curve in curves:
                _add_curve(new_fcurve, curve)
            assignments.append((owner, slot))
    except Exception:
        bpy.data.actions.remove(action)
        raise
    replaced = set()
    for owner, slot in assignments:
        _keep_previous_action(owner, clip)
        data = owner.animation_data or owner.animation_data_create()
        if data.action is not None:
            replaced.add(data.action)
        data.action = action
        if slot is not None:
            data.action_slot = slot
    for old in replaced:
        if old.users == 0:
            bpy.data.actions.remove(old)
    return action


def action_fcurves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    """Every F-curve of ``action``, over all its slots (4.4+) or its legacy list."""
    if not hasattr(action, "layers"):
        return list(action.fcurves)
    return [fc for layer in action.layers for strip in layer.strips for bag in strip.channelbags
            for fc in bag.fcurves]
