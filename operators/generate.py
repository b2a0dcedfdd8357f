"""``lipsync.generate``: key lip sync on the active character (blocking; scripts call it under -b)."""

import bpy

from ..blender.generate import Request, generate
from ..core.errors import LipsyncError
from ..core.settings import TIMING
from ..properties import GenerateProps


class LIPSYNC_OT_generate(GenerateProps, bpy.types.Operator):
    """Time the dialogue and key the character's mouth shapes and jaw"""

    bl_idname = "lipsync.generate"
    bl_label = "Generate Lipsync"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if context.active_object is None:
            cls.poll_message_set("Select the character (its head mesh or armature)")
            return False
        return True

    def execute(self, context):
        timing = {name: getattr(self, name) for name in TIMING if self.properties.is_property_set(name)}
        request = Request(self.audio_path, self.transcript.strip() or None, self.language, self.preset,
                          self.start_frame, self.nla, self.intensity, self.emotion, self.emotion_intensity, timing)
        settings = context.scene.lipsync
        try:
            settings.last_result, settings.detection = generate(context.active_object, context.scene, request)
        except LipsyncError as exc:
            settings.last_result = f"Error: {exc}"
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_generate,)
