"""``lipsync.cancel``: stop the running lip-sync job (the same as Esc); nothing it would have written is kept."""

import bpy

from .batch import LIPSYNC_OT_batch
from .generate import LIPSYNC_OT_generate


class LIPSYNC_OT_cancel(bpy.types.Operator):
    """Stop the running lip-sync job; the scene stays as it was"""

    bl_idname = "lipsync.cancel"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context):
        if LIPSYNC_OT_generate._job is None and LIPSYNC_OT_batch._run is None:
            cls.poll_message_set("No lip-sync job is running")
            return False
        return True

    def execute(self, context):
        if LIPSYNC_OT_generate._job is not None:
            LIPSYNC_OT_generate._job.cancel()
        if LIPSYNC_OT_batch._run is not None:
            LIPSYNC_OT_batch.cancel_requested = True
        return {"FINISHED"}


classes = (LIPSYNC_OT_cancel,)
