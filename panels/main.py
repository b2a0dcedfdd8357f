"""The Lipsync tab in the 3D View sidebar."""

import textwrap

import bpy

from ..core.settings import TIMING
from ..properties import OPERATOR_PROPS


def _lines(layout, text: str, icon: str) -> None:
    for i, line in enumerate(textwrap.wrap(text, 60)):
        layout.label(text=line, icon=icon if i == 0 else "BLANK1")


class LIPSYNC_PT_main(bpy.types.Panel):
    bl_label = "Lipsync"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Lipsync"

    def draw(self, context):
        settings = context.scene.lipsync
        layout = self.layout
        layout.use_property_split = True
        for prop in ("audio_path", "transcript", "language"):
            layout.prop(settings, prop)
        row = layout.row(align=True)
        row.prop(settings, "preset")
        row.operator("lipsync.detect_preset", text="", icon="VIEWZOOM")
        row.operator("lipsync.save_preset", text="", icon="FILE_NEW")
        if settings.detection:
            _lines(layout.box(), settings.detection, "ERROR" if settings.detection.startswith("Error") else "INFO")
        for prop in ("start_frame", "nla", "intensity", "emotion"):
            layout.prop(settings, prop)
        if settings.emotion != "none":
            layout.prop(settings, "emotion_intensity")
        timing = layout.box()
        timing.prop(settings, "use_timing")
        if settings.use_timing:
            for prop in TIMING:
                timing.prop(settings, prop)
        op = layout.operator("lipsync.generate", icon="SPEAKER")
        for prop in OPERATOR_PROPS:
            if settings.use_timing or prop not in TIMING:
                setattr(op, prop, getattr(settings, prop))
        if settings.last_result:
            _lines(layout, settings.last_result, "ERROR" if settings.last_result.startswith("Error") else "INFO")


class LIPSYNC_PT_batch(bpy.types.Panel):
    bl_label = "Batch"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Lipsync"
    bl_parent_id = "LIPSYNC_PT_main"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings = context.scene.lipsync
        layout = self.layout
        layout.use_property_split = True
        layout.prop(settings, "batch_manifest")
        layout.prop(settings, "batch_nla")
        if settings.progress > 0:
            layout.progress(factor=settings.progress / 100, text=f"{settings.progress:.0f} % (Esc to cancel)")
        op = layout.operator("lipsync.batch", icon="SEQ_STRIP_DUPLICATE")
        op.filepath, op.nla = settings.batch_manifest, settings.batch_nla


classes = (LIPSYNC_PT_main, LIPSYNC_PT_batch)
