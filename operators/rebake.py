"""``lipsync.rebake``: re-plan a clip's keys from its stored timing and moved markers, in one undo step."""

import bpy

from ..blender.rebake import clip_of, rebake
from ..core.errors import LipsyncError
from . import polls


class LIPSYNC_OT_rebake(polls.NeedsSelection, bpy.types.Operator):
    """Re-plan the clip's keys from its stored word and phoneme timing, with the markers you moved, without
    running the network again"""

    bl_idname = "lipsync.rebake"
    bl_label = "Rebake"
    bl_options = {"REGISTER", "UNDO"}

    clip: bpy.props.StringProperty(name="Clip", description="The clip to rebake; empty: the one the character plays")

    def execute(self, context):
        settings = context.scene.lipsync
        try:
            clip = self.clip or clip_of(context.active_object)
            if not clip:
                raise LipsyncError(f"'{context.active_object.name}' plays no generated clip to rebake: Generate first.")
            settings.last_result = rebake(context.active_object, context.scene, clip)
        except LipsyncError as exc:
            return polls.failed(self, context, "last_result", exc)
        self.report({"INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_rebake,)
