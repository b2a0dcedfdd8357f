"""Preset operators: detect which preset fits the selected character, save its mapping as a user preset."""

import re

import bpy

from ..blender import user_presets
from ..blender.generate import resolve_preset
from ..blender.rig import find_character
from ..core.errors import LipsyncError
from ..core.preset_toml import preset_toml
from ..core.presets import Preset
from . import polls


class LIPSYNC_OT_detect_preset(polls.NeedsSelection, bpy.types.Operator):
    """Score every preset against the selected character and show which fits, what matched and what is missing"""

    bl_idname = "lipsync.detect_preset"
    bl_label = "Detect Preset"

    def execute(self, context):
        settings = context.scene.lipsync
        try:
            binding, detection = resolve_preset(find_character(context.active_object), "auto")
        except LipsyncError as exc:
            return polls.failed(self, context, "detection", exc)
        settings.detection = detection.explain()
        self.report({"INFO"}, settings.detection)
        return {"FINISHED"}


class LIPSYNC_OT_save_preset(bpy.types.Operator):
    """Save the preset mapping of the selected character (its own shape-key and bone names first) as a user
    preset, loaded alongside the built-in ones"""

    bl_idname = "lipsync.save_preset"
    bl_label = "Save Preset"

    name: bpy.props.StringProperty(name="Name", description="Name of the new user preset", default="My Rig")
    overwrite: bpy.props.BoolProperty(name="Overwrite", default=False,
                                      description="Replace a user preset of the same id")

    @classmethod
    def poll(cls, context):
        return polls.explain(cls, None, context)

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self)

    def execute(self, context):
        settings = context.scene.lipsync
        preset_id = re.sub(r"[^a-z0-9_]+", "_", self.name.strip().lower()).strip("_")
        try:
            if not preset_id:
                raise LipsyncError("Give the preset a name (letters or digits).")
            binding, _ = resolve_preset(find_character(context.active_object), settings.preset)
            path = user_presets.user_preset_dir(create=True) / f"{preset_id}.toml"
            if path.exists() and not self.overwrite:
                raise LipsyncError(f"A user preset '{preset_id}' exists ({path}). Tick Overwrite to replace it.")
            source = binding.preset
            preset = Preset(preset_id, self.name.strip(), source.shape_keys, source.jaw, source.visemes,
                            source.bones, source.sprite, source.emotions, source.animation, source.priority + 1,
                            f"Saved from {source.id} for {context.active_object.name}")
            path.write_text(preset_toml(preset, binding), encoding="utf-8")
        except (LipsyncError, OSError) as exc:
            self.report({"ERROR"}, str(exc))
            settings.last_result = f"Error: {exc}"
            return {"CANCELLED"}
        settings.preset = preset_id
        settings.last_result = f"Saved user preset {preset_id} to {path}"
        self.report({"INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_detect_preset, LIPSYNC_OT_save_preset)
