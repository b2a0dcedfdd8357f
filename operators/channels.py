"""``lipsync.mouth_channels``: show the character's mouth channels (what lip sync keys) as an editable list."""

import bpy

from ..blender.generate import resolve_preset
from ..blender.rig import find_character
from ..core.errors import LipsyncError
from ..ui import preferences
from . import polls


class LIPSYNC_OT_mouth_channels(polls.NeedsSelection, bpy.types.Operator):
    """Fill the character's Mouth Channels with what the preset drives for the mouth (lip sync keys only these;
    edit the list to leave a channel to your own animation)"""

    bl_idname = "lipsync.mouth_channels"
    bl_label = "Reset Mouth Channels"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        settings = context.scene.lipsync
        try:
            character = find_character(context.active_object)
            binding, _ = resolve_preset(character, preferences.preset(context, settings.preset))
        except LipsyncError as exc:
            return polls.failed(self, context, "detection", exc)
        channels = binding.mouth_channels()
        character.store_channels(list(channels))
        self.report({"INFO"}, f"{len(channels)} mouth channels from preset {binding.preset.id}")
        return {"FINISHED"}


classes = (LIPSYNC_OT_mouth_channels,)
