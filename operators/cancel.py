"""``lipsync.cancel``: stop the running lip-sync job (the same as Esc); nothing it would have written is kept."""

import bpy

from .jobs import running


class LIPSYNC_OT_cancel(bpy.types.Operator):
    """Stop the running lip-sync job; the scene stays as it was"""

    bl_idname = "lipsync.cancel"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context):
        if not running():
            cls.poll_message_set("No lip-sync job is running")
            return False
        return True

    def execute(self, context):
        for job in running():
            job.cancel()
        return {"FINISHED"}


classes = (LIPSYNC_OT_cancel,)
