"""Apply a keyframe plan: one new Action per clip (before Blender 4.4, one per animated datablock), written in
bulk, placed only once complete.

The Action becomes the character's active Action, a strip at the clip's start frame (``"nla"``; clips that do not
overlap share a track), or is only stored (``"store"``, for batches). The user's own Actions are never edited: an
active one that would hide the lip sync is moved into an NLA track, and every such change is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import bpy
import numpy as np

from ..core.animation import Curve, KeyframePlan
from ..core.errors import LipsyncError
from .rig import Character

TAG = "lipsync_ai_clip"
"""Custom property marking Actions this add-on generated, holding the clip they came from."""
INPUTS = "lipsync_ai_inputs"
"""Custom property holding a digest of everything a batch line's Action was made from (to skip unchanged lines)."""
INTERPOLATION = {"CONSTANT": 0, "LINEAR": 1, "BEZIER": 2}
"""Keyframe interpolation enum values, as ``foreach_set`` takes them."""
SLOTTED = "slots" in bpy.types.Action.bl_rna.properties
"""Blender 4.4+: one Action animates several datablocks through slots; before, an Action fits one ID type."""


def _fcurve_factory(action: bpy.types.Action, owner: bpy.types.ID):
    """A slot for ``owner`` and a function adding F-curves to it: slotted Actions (4.4+) or legacy ones."""
    if SLOTTED:
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
    points.foreach_set("interpolation", np.full(len(curve.frames), INTERPOLATION[curve.interpolation], np.int32))
    fcurve.auto_smoothing = "NONE"  # the handles core.keys.bezier models, whatever the user's preference for new curves
    fcurve.update()


def _owned_curves(plan: KeyframePlan, character: Character) -> Iterable[tuple[bpy.types.ID, list[Curve]]]:
    """Each animated datablock with its curves: every shape-key block gets the keys it has (head, teeth, tongue
    move together), the armature its bones, the selected object its sprite property."""
    for mesh in character.meshes:
        key = mesh.data.shape_keys
        curves = [c for c in plan.curves if c.channel.owner == "shape_keys" and c.channel.target in key.key_blocks]
        if curves:
            yield key, curves
    armature_curves = [c for c in plan.curves if c.channel.owner == "armature"]
    if character.armature and armature_curves:
        yield character.armature, armature_curves
    object_curves = [c for c in plan.curves if c.channel.owner == "object"]
    if object_curves:
        yield character.root, object_curves


def _editable(owned: list[tuple[bpy.types.ID, list[Curve]]], notes: list[str]):
    """The owners that can take an Action: library overrides and local data, not data linked as is."""
    linked = [owner for owner, _ in owned if owner.library is not None]
    if linked and len(linked) == len(owned):
        raise LipsyncError(
            f"'{linked[0].name}' is linked from {linked[0].library.filepath} and cannot be animated here. Make a "
            "library override of the character (Object > Library Override > Make, including its meshes) and "
            "generate again."
        )
    for owner in linked:
        user = f"{owner.user.name}'s shape keys" if isinstance(owner, bpy.types.Key) else owner.name
        notes.append(f"skipped {user}: linked from {owner.library.filepath}, make it a library override to key it")
    return [(owner, curves) for owner, curves in owned if owner.library is None]


def _strips_of(data: bpy.types.AnimData, clip: str):
    return [(track, strip) for track in data.nla_tracks for strip in track.strips
            if strip.action is not None and strip.action.get(TAG) == clip]


def _remove_own(data: bpy.types.AnimData, clip: str) -> set[bpy.types.Action]:
    """Take this clip's previous Action off ``data`` (active or NLA strip); returns the Actions let go."""
    released = set()
    if data.action is not None and data.action.get(TAG) == clip:
        released.add(data.action)
        data.action = None
    for track, strip in _strips_of(data, clip):
        released.add(strip.action)
        track.strips.remove(strip)
        if not len(track.strips):
            data.nla_tracks.remove(track)
    return released


def _push_down(owner: bpy.types.ID, data: bpy.types.AnimData, notes: list[str]) -> None:
    """Move the active Action (the user's or another clip's) into its own NLA track so it keeps playing."""
    previous = data.action
    slot = getattr(data, "action_slot", None)
    track = data.nla_tracks.new()
    track.name = previous.name
    strip = track.strips.new(previous.name, int(previous.frame_range[0]), previous)
    if slot is not None and hasattr(strip, "action_slot"):
        strip.action_slot = slot
    data.action = None
    notes.append(f"moved {owner.name}'s Action '{previous.name}' to the NLA track '{track.name}'")


def _hides(action: bpy.types.Action, curves: list[Curve]) -> bool:
    """Whether an active ``action`` animates any channel of ``curves`` (and so would hide them in the NLA)."""
    ours = {(c.channel.data_path, c.channel.index) for c in curves}
    return any((fc.data_path, fc.array_index) in ours for fc in action_fcurves(action))


def _new_strip(data: bpy.types.AnimData, action: bpy.types.Action, start: int) -> bpy.types.NlaStrip:
    """A strip on the top track if it holds only lip-sync clips and this one fits there, else on a new track."""
    if len(data.nla_tracks):
        top = data.nla_tracks[-1]
        if len(top.strips) and all(s.action is not None and TAG in s.action for s in top.strips):
            try:
                return top.strips.new(action.name, start, action)
            except RuntimeError:  # it would overlap a strip
                pass
    track = data.nla_tracks.new()
    track.name = "Lipsync"
    return track.strips.new(action.name, start, action)


def _place(owner: bpy.types.ID, slot, action: bpy.types.Action, curves: list[Curve], clip: str, start: int,
           nla: bool, notes: list[str]) -> set[bpy.types.Action]:
    data = owner.animation_data or owner.animation_data_create()
    if data.use_tweak_mode:
        data.use_tweak_mode = False
        notes.append(f"left NLA tweak mode on {owner.name}")
    released = _remove_own(data, clip)
    previous = data.action
    if previous is not None and (not nla or _hides(previous, curves)):
        _push_down(owner, data, notes)
    if nla:
        strip = _new_strip(data, action, start)
        if slot is not None:
            strip.action_slot = slot
        if not data.use_nla:
            data.use_nla = True
            notes.append(f"turned the NLA back on for {owner.name}")
        solo = [t.name for t in data.nla_tracks if t.is_solo]
        if solo:
            notes.append(f"{owner.name}'s NLA track '{solo[0]}' is solo: un-solo it to hear the lip sync play")
    else:
        data.action = action
        if slot is not None:
            data.action_slot = slot
    return released


Placement = Literal["active", "nla", "store"]


def write_plan(plan: KeyframePlan, character: Character, clip: str, place: Placement = "active",
               name: str | None = None) -> tuple[bpy.types.Action, list[str]]:
    """Key ``plan`` into a new Action (``name``, by default ``Lipsync <clip>``), replacing the one a previous run
    made for ``clip``.

    Returns the Action and notes on what was done to the character's animation besides (for the report).
    """
    notes: list[str] = []
    owned = _editable(list(_owned_curves(plan, character)), notes)
    old = {a: a.name for a in bpy.data.actions if a.get(TAG) == clip}
    for previous in old:
        previous.name = f"{previous.name} (replaced)"
    base = name or f"Lipsync {clip}"
    made: list[bpy.types.Action] = []

    def new_action(owner: bpy.types.ID) -> bpy.types.Action:
        """One Action for every owner (a slot each), or before 4.4 one per owner: the first takes the name."""
        if SLOTTED and made:
            return made[0]
        user = owner.user.name if isinstance(owner, bpy.types.Key) else owner.name
        action = bpy.data.actions.new(f"{base} ({user})" if made else base)
        action[TAG] = clip
        made.append(action)
        return action

    assignments = []
    try:
        for owner, curves in owned:
            sprites = {c.channel.target for c in curves if c.channel.data_path == f'["{c.channel.target}"]'}
            for prop in sprites - set(owner.keys()):
                owner[prop] = 0
                notes.append(f"added the property '{prop}' to {owner.name}")
            action = new_action(owner)
            slot, new_fcurve = _fcurve_factory(action, owner)
            for curve in curves:
                _add_curve(new_fcurve, curve)
            assignments.append((owner, action, slot, curves))
    except Exception:
        for action in made:
            bpy.data.actions.remove(action)
        for previous, previous_name in old.items():
            previous.name = previous_name
        raise
    released = set(old)
    for previous in old:
        previous.use_fake_user = False
    for owner, action, slot, curves in assignments:
        if place == "store":
            action.use_fake_user = True
            if owner.animation_data:
                released |= _remove_own(owner.animation_data, clip)
        else:
            released |= _place(owner, slot, action, curves, clip, plan.frame_start, place == "nla", notes)
    for stale in released:
        if stale not in made and stale.users == 0:
            bpy.data.actions.remove(stale)
    return made[0], notes


def action_fcurves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    """Every F-curve of ``action``, over all its slots (4.4+) or its legacy list."""
    if not hasattr(action, "layers"):
        return list(action.fcurves)
    return [fc for layer in action.layers for strip in layer.strips for bag in strip.channelbags
            for fc in bag.fcurves]


def animated_fcurves(data: bpy.types.AnimData) -> list[bpy.types.FCurve]:
    """The F-curves the active Action applies to this datablock: its slot's (4.4+), or the legacy Action's."""
    action = data.action
    if action is None:
        return []
    if not SLOTTED:
        return list(action.fcurves)
    return [fc for layer in action.layers for strip in layer.strips
            for fc in strip.channelbag(data.action_slot).fcurves]

