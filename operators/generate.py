"""``lipsync.generate``: key lip sync on the active character (blocking; scripts call it under -b)."""

import bpy

from ..blender.generate import Request, generate
from ..core.errors import LipsyncError


class LIPSYNC_OT_generate(bpy.types.Operator):
    """Time the dialogue and key the character's mouth shapes and jaw"""

    bl_idname = "lipsync.generate"
    bl_label = "Generate Lipsync"
    bl_options = {"REGISTER", "UNDO"}

    audio_path: bpy.props.StringProperty(name="Audio", subtype="FILE_PATH", description="Dialogue audio file")
    transcript: bpy.props.StringProperty(name="Transcript", description="Spoken words; empty for audio-only")
    language: bpy.props.StringProperty(name="Language", default="en-us", description="espeak-ng language code")
    preset: bpy.props.StringProperty(name="Preset", default="visemes15", description="Rig preset id")
    start_frame: bpy.props.IntProperty(name="Start Frame", default=1, description="Frame where the audio starts")

    @classmethod
    def poll(cls, context):
        if context.active_object is None:
            cls.poll_message_set("Select the character (its head mesh or armature)")
            return False
        return True

    def execute(self, context):
        request = Request(self.audio_path, self.transcript.strip() or None, self.language, self.preset,
                          self.start_frame)
        settings = context.scene.lipsync
        try:
            settings.last_result = generate(context.active_object, context.scene, request)
        except LipsyncError as exc:
            settings.last_result = f"Error: {exc}"
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_generate,)
