"""The Lipsync tab in the 3D View sidebar."""

import bpy


class LIPSYNC_PT_main(bpy.types.Panel):
    bl_label = "Lipsync"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Lipsync"

    def draw(self, context):
        settings = context.scene.lipsync
        layout = self.layout
        layout.use_property_split = True
        for prop in ("audio_path", "transcript", "language", "preset", "start_frame"):
            layout.prop(settings, prop)
        op = layout.operator("lipsync.generate", icon="SPEAKER")
        for prop in ("audio_path", "transcript", "language", "preset", "start_frame"):
            setattr(op, prop, getattr(settings, prop))
        if settings.last_result:
            icon = "ERROR" if settings.last_result.startswith("Error") else "INFO"
            layout.label(text=settings.last_result, icon=icon)


classes = (LIPSYNC_PT_main,)
