"""Pose targets, Blender side: read the pose Actions a preset names into plain numbers (``core.poses.PoseBank``)
that the pure layer mixes; every problem is refused here, before anything is written."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import bpy
import numpy as np

from ..core.errors import LipsyncError
from ..core.poses import PoseBank, PoseChannel
from ..core.presets import PoseRef, RigBinding
from .writer import SLOTTED, TAG

if TYPE_CHECKING:
    from .rig import Character

BONE = re.compile(r'^pose\.bones\["((?:[^"\\]|\\.)*)"\]')
"""A pose bone's channel: what the armature carries."""
PROBE = 8
"""F-curves of an Action tried when telling whether it animates a character."""


def pose_fcurves(action: bpy.types.Action, names: set[str]) -> list[bpy.types.FCurve]:
    """The unmuted F-curves of ``action``: on 4.4+ its slot for an object named in ``names`` (else its first
    slot), before that its one list."""
    if not SLOTTED:
        return [fc for fc in action.fcurves if not fc.mute]
    from bpy_extras import anim_utils

    slots = list(action.slots)
    slot = next((s for s in slots if s.name_display in names), slots[0] if slots else None)
    bag = anim_utils.action_get_channelbag_for_slot(action, slot) if slot else None
    return [fc for fc in bag.fcurves if not fc.mute] if bag else []


def _objects(character: Character) -> set[str]:
    """The names of the objects a pose Action may animate: the selected object and the armature."""
    return {character.root.name, *([character.armature.name] if character.armature else [])}


def _owner_of(data_path: str, character: Character) -> bpy.types.Object | None:
    return character.armature if BONE.match(data_path) else character.root


def _resolves(owner: bpy.types.Object | None, data_path: str) -> bool:
    try:
        return owner is not None and owner.path_resolve(data_path, False) is not None
    except ValueError:
        return False


def fitting_actions(character: Character) -> frozenset[str]:
    """Actions (not generated ones) whose first F-curves animate the character's armature or selected object:
    the pose Actions and action sheets a preset may name."""
    names = _objects(character)
    return frozenset(a.name for a in bpy.data.actions if TAG not in a and any(
        _resolves(_owner_of(fc.data_path, character), fc.data_path) for fc in pose_fcurves(a, names)[:PROBE]))


def _rest(owner: bpy.types.Object, data_path: str, index: int) -> float:
    """A property's value at rest: its RNA default (a bone's identity transform); 0 for a custom property."""
    if data_path.endswith('"]'):
        return 0.0
    container, _, name = data_path.rpartition(".")
    prop = (owner.path_resolve(container) if container else owner).bl_rna.properties.get(name)
    if prop is None or not hasattr(prop, "default"):
        return 0.0
    return float(prop.default_array[index] if getattr(prop, "array_length", 0) else prop.default)


def _frames(viseme: str, ref: PoseRef, action: bpy.types.Action, fcurves: list) -> range:
    """The frames the pose reads, checked against the Action's keys."""
    keys = sorted({round(k.co[0]) for fc in fcurves for k in fc.keyframe_points})
    if not keys:
        raise LipsyncError(f"Viseme {viseme}'s pose Action '{action.name}' has no keys. Key the pose in it, or map "
                           f"{viseme} to another Action.")
    first = keys[0] if ref.first is None else ref.first
    if ref.last is None and first not in keys:
        shown = ", ".join(map(str, keys[:12])) + (", ..." if len(keys) > 12 else "")
        raise LipsyncError(f"Viseme {viseme}'s pose: '{action.name}' has no key at frame {first} (its keys are at "
                           f"frames {shown}). Fix the frame in the preset, or key the pose there.")
    last = first if ref.last is None else ref.last
    if first < keys[0] or last > keys[-1]:
        raise LipsyncError(f"Viseme {viseme}'s pose frames {first}-{last} run outside the keys of '{action.name}' "
                           f"(frames {keys[0]}-{keys[-1]}). Give a range within them.")
    return range(first, last + 1)


def _action(viseme: str, name: str) -> bpy.types.Action:
    action = bpy.data.actions.get(name)
    if action is None:
        raise LipsyncError(f"Viseme {viseme}'s pose Action '{name}' is not in this file (renamed or deleted?). "
                           "Make or append it again, or fix the Action's name in the preset.")
    if TAG in action:
        raise LipsyncError(f"Viseme {viseme}'s pose names '{name}', an Action lip sync generated for the clip "
                           f"'{action[TAG]}' (it is replaced on every Generate). Name an Action of your own.")
    return action


def _channel(data_path: str, index: int, source: str, character: Character, binding: RigBinding) -> PoseChannel:
    """The channel an F-curve keys, refused when the character lacks it or something else drives it."""
    bone = BONE.match(data_path)
    owner = _owner_of(data_path, character)
    where = f"pose channel {data_path}[{index}] of '{source}'"
    if owner is None or not _resolves(owner, data_path):
        on = f"'{owner.name}'" if owner else "this character (it has no armature)"
        raise LipsyncError(f"The {where} is not on {on}: the Action was made for another rig. Select the "
                           "character it poses, or key the pose on this one.")
    driver = owner.animation_data.drivers.find(data_path, index=index) if owner.animation_data else None
    if driver is not None:
        raise LipsyncError(f"The {where} is driven by a driver on '{owner.name}': its keys would not show. Remove "
                           "the driver, or that channel from the pose Action.")
    name = bone.group(1).replace('\\"', '"') if bone else data_path
    preset = binding.preset
    if name in {*binding.bones.values(), binding.jaw_bone} or data_path == f'["{preset.sprite}"]':
        raise LipsyncError(f"The {where} is also driven by preset {preset.id}'s own bone or jaw targets. Take "
                           f"'{name}' out of the preset's [bones]/[jaw] or out of the pose Action.")
    return PoseChannel("armature" if bone else "object", data_path, index, name, _rest(owner, data_path, index))


def read_poses(character: Character, binding: RigBinding) -> RigBinding:
    """``binding`` with the samples of its visemes' pose Actions (a frame, or each frame of a range); raises
    LipsyncError naming the viseme, Action and frame when one cannot be read."""
    preset = binding.preset
    refs = {v: p.pose for v, p in preset.visemes.items() if p.pose}
    if not refs:
        return binding
    names = _objects(character)
    read: dict[str, tuple[int, dict[tuple[str, int], list[float]]]] = {}
    channels: dict[tuple[str, int], PoseChannel] = {}
    for viseme, ref in refs.items():
        action = _action(viseme, ref.action or preset.pose_action or "")
        fcurves = pose_fcurves(action, names)
        frames = _frames(viseme, ref, action, fcurves)
        values = {}
        for fc in fcurves:
            key = (fc.data_path, fc.array_index)
            if key not in channels:
                channels[key] = _channel(*key, action.name, character, binding)
            values[key] = [fc.evaluate(f) for f in frames]
        read[viseme] = (len(frames), values)
    order = sorted(channels)
    samples = {v: np.column_stack([values.get(k, [np.nan] * count) for k in order]).reshape(count, len(order))
               for v, (count, values) in read.items()}
    return replace(binding, poses=PoseBank(tuple(channels[k] for k in order), samples).moving())
