"""Find the character behind the selected object and what it offers to a preset."""

from __future__ import annotations

from dataclasses import dataclass

import bpy

from ..core.errors import LipsyncError
from ..core.presets import RigBinding, RigInfo

CHANNELS = "lipsync_ai_mouth_channels"
"""Custom property on the character (its armature, else the selected object): the mouth channels lip sync keys,
the rig's shape-key and bone names separated by commas. Absent: what the preset's visemes drive."""


@dataclass
class Character:
    root: bpy.types.Object
    """The selected object: it holds a 2D preset's sprite property."""
    meshes: list[bpy.types.Object]
    """Meshes with shape keys (head, teeth, tongue, beard...); the ones sharing a shape-key name move together."""
    armature: bpy.types.Object | None

    def rig_info(self) -> RigInfo:
        from .poses import fitting_actions  # poses -> writer -> rig

        names = {kb.name for mesh in self.meshes for kb in mesh.data.shape_keys.key_blocks}
        bones = {pb.name: pb.rotation_mode for pb in self.armature.pose.bones} if self.armature else {}
        return RigInfo(frozenset(names), bones, frozenset(self.root.keys()), fitting_actions(self))

    @property
    def channels_owner(self) -> bpy.types.Object:
        """The object holding the character's mouth-channel list: its armature, else the selected object."""
        return self.armature or self.root

    def stored_channels(self) -> list[str] | None:
        text = self.channels_owner.get(CHANNELS)
        return None if text is None else [n.strip() for n in str(text).split(",") if n.strip()]

    def own(self, binding: RigBinding) -> RigBinding:
        """``binding`` limited to the character's mouth-channel list, when it has one."""
        channels = self.stored_channels()
        if channels is None:
            return binding
        owned = binding.restricted(channels)
        if not owned.mouth_channels() and not binding.preset.sprite:
            drives = ", ".join(binding.mouth_channels()[:5])
            raise LipsyncError(
                f"The Mouth channels of '{self.channels_owner.name}' name nothing preset {binding.preset.id} drives "
                f"(such as {drives}). Reset the list (Target > Mouth Channels) or add those names."
            )
        return owned

    def store_channels(self, channels: list[str]) -> None:
        self.channels_owner[CHANNELS] = ", ".join(channels)

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
