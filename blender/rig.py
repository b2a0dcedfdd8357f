"""Find the character behind the selected object and what it offers to a preset."""

from __future__ import annotations

from dataclasses import dataclass

import bpy

from ..core.errors import LipsyncError
from ..core.presets import RigInfo


@dataclass
class Character:
    meshes: list[bpy.types.Object]
    """Meshes with shape keys; the ones sharing a shape-key name move together."""
    armature: bpy.types.Object | None

    def rig_info(self) -> RigInfo:
        names = {kb.name for mesh in self.meshes for kb in mesh.data.shape_keys.key_blocks}
        bones = {pb.name: pb.rotation_mode for pb in self.armature.pose.bones} if self.armature else {}
        return RigInfo(frozenset(names), bones)


def _armature_of(obj: bpy.types.Object) -> bpy.types.Object | None:
    if obj.type == "ARMATURE":
        return obj
    if obj.parent and obj.parent.type == "ARMATURE":
        return obj.parent
    return next((m.object for m in obj.modifiers if m.type == "ARMATURE" and m.object), None)


def _has_shape_keys(obj: bpy.types.Object) -> bool:
    return obj.type == "MESH" and obj.data.shape_keys is not None


def find_character(obj: bpy.types.Object | None) -> Character:
    """The armature-rooted character of ``obj`` (any of its parts), or ``obj`` alone."""
    if obj is None:
        raise LipsyncError("No character selected. Select the character's head mesh or armature.")
    armature = _armature_of(obj)
    parts = armature.children_recursive if armature else []
    meshes = [o for o in parts if _has_shape_keys(o)]
    if _has_shape_keys(obj) and obj not in meshes:
        meshes.insert(0, obj)
    if not meshes and armature is None:
        raise LipsyncError(
            f"'{obj.name}' has no shape keys and no armature. Select a character with mouth shape keys "
            "or a jaw bone."
        )
    return Character(meshes, armature)
