"""Find the character behind the selected object and what it offers to a preset."""

from __future__ import annotations

from dataclasses import dataclass

import bpy

from ..core.errors import LipsyncError
from ..core.presets import RigInfo


@dataclass
class Character:
    root: bpy.types.Object
    """The selected object: it holds a 2D preset's sprite property."""
    meshes: list[bpy.types.Object]
    """Meshes with shape keys (head, teeth, tongue, beard...); the ones sharing a shape-key name move together."""
    armature: bpy.types.Object | None

    def rig_info(self) -> RigInfo:
        names = {kb.name for mesh in self.meshes for kb in mesh.data.shape_keys.key_blocks}
        bones = {pb.name: pb.rotation_mode for pb in self.armature.pose.bones} if self.armature else {}
        return RigInfo(frozenset(names), bones, frozenset(self.root.keys()))

    def require_rig(self) -> None:
        """A 3D preset needs shape keys or bones: say so plainly when the object has neither."""
        if not self.meshes and self.armature is None:
            raise LipsyncError(
                f"'{self.root.name}' has no shape keys and no armature. Select a character with mouth shape keys "
                "or a jaw bone (or use a 2D preset such as rhubarb_2d)."
            )


def _armature_of(obj: bpy.types.Object) -> bpy.types.Object | None:
    """The armature ``obj`` belongs to: itself, an ancestor, or the target of an Armature modifier."""
    for node in (obj, *_ancestors(obj)):
        if node.type == "ARMATURE":
            return node
        deform = next((m.object for m in getattr(node, "modifiers", ()) if m.type == "ARMATURE" and m.object), None)
        if deform:
            return deform
    return None


def _ancestors(obj: bpy.types.Object):
    while obj.parent:
        obj = obj.parent
        yield obj


def _has_shape_keys(obj: bpy.types.Object) -> bool:
    return obj.type == "MESH" and obj.data.shape_keys is not None


def _deformed_by(armature: bpy.types.Object) -> list[bpy.types.Object]:
    """Meshes parented under the armature or deformed by it through a modifier (teeth, tongue, beard...)."""
    parts = set(armature.children_recursive)
    parts |= {o for o in bpy.data.objects if any(m.type == "ARMATURE" and m.object == armature
                                                 for m in getattr(o, "modifiers", ()))}
    return sorted((o for o in parts if _has_shape_keys(o)), key=lambda o: o.name)


def find_character(obj: bpy.types.Object | None) -> Character:
    """The armature-rooted character of ``obj`` (found from any of its parts), or ``obj`` with its children."""
    if obj is None:
        raise LipsyncError("No character selected. Select the character's head mesh or armature.")
    armature = _armature_of(obj)
    meshes = _deformed_by(armature) if armature else [o for o in obj.children_recursive if _has_shape_keys(o)]
    if _has_shape_keys(obj) and obj not in meshes:
        meshes.insert(0, obj)
    return Character(obj, meshes, armature)
