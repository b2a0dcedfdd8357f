"""The Lipsync tab in the 3D View sidebar: Generate with its progress and result, then Source, Target, Advanced
and Batch sub-panels."""

import textwrap

import bpy

from ..blender.rig import CHANNELS, find_character
from ..blender.sources import sound_strips
from ..core.languages import LANGUAGES
from ..core.settings import TIMING
from ..ui import preferences
from ..ui.properties import OPERATOR_PROPS


def _lines(layout, text: str, icon: str) -> None:
    for i, line in enumerate(textwrap.wrap(text, 60)):
        layout.label(text=line, icon=icon if i == 0 else "BLANK1")


class _Tab:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Lipsync"


class _Section(_Tab):
    """A sub-panel of Lipsync."""

    bl_parent_id = "LIPSYNC_PT_main"

    def layout_for(self, context):
        """The settings and a layout with labels beside the fields."""
        self.layout.use_property_split = True
        return context.scene.lipsync, self.layout


class LIPSYNC_PT_main(_Tab, bpy.types.Panel):
    bl_label = "Lipsync"

    def draw(self, context):
        settings = context.scene.lipsync
        layout = self.layout
        obj = context.active_object
        layout.label(text=f"Character: {obj.name}" if obj else "Select the character", icon="OUTLINER_OB_ARMATURE"
                     if obj and obj.type == "ARMATURE" else "MESH_DATA" if obj else "ERROR")
        if settings.stage:
            row = layout.row()
            row.progress(factor=settings.progress / 100, text=f"{settings.stage}...")
            row.operator("lipsync.cancel", text="", icon="CANCEL")
        row = layout.row(align=True)
        op = row.operator("lipsync.generate", icon="SPEAKER")
        for prop in OPERATOR_PROPS:
            if settings.use_timing or prop not in TIMING:
                setattr(op, prop, getattr(settings, prop))
        row.operator("lipsync.rebake", icon="FILE_REFRESH")
        row = layout.row(align=True)
        row.operator("lipsync.import_timing", icon="IMPORT")
        row.operator("lipsync.export_timing", icon="EXPORT")
        if settings.last_result:
            _lines(layout, settings.last_result, "ERROR" if settings.last_result.startswith("Error") else "INFO")


class LIPSYNC_PT_source(_Section, bpy.types.Panel):
    bl_label = "Source"

    def draw(self, context):
        settings, layout = self.layout_for(context)
        if sound_strips(context.scene):
            layout.prop(settings, "sound_strip", icon="SOUND")
        row = layout.row()
        row.enabled = not settings.sound_strip
        row.prop(settings, "audio_path")
        layout.prop(settings, "audio_only")
        words = layout.column()
        words.enabled = not settings.audio_only
        words.prop(settings, "transcript")
        words.prop(settings, "text_block", icon="TEXT")
        if not settings.transcript and not settings.text_block:
            words.label(text="Empty: a .txt beside the audio is used if there is one", icon="INFO")
        layout.prop(settings, "language")
        named = dict(LANGUAGES).get(preferences.language(context, settings.language))
        if named and not settings.language:
            layout.label(text=f"Default from Preferences: {named}", icon="BLANK1")


class LIPSYNC_PT_target(_Section, bpy.types.Panel):
    bl_label = "Target"

    def draw(self, context):
        settings, layout = self.layout_for(context)
        row = layout.row(align=True)
        row.prop(settings, "preset")
        row.operator("lipsync.detect_preset", text="", icon="VIEWZOOM")
        row.operator("lipsync.save_preset", text="", icon="FILE_NEW")
        if settings.detection:
            _lines(layout.box(), settings.detection, "ERROR" if settings.detection.startswith("Error") else "INFO")
        row = layout.row()
        row.enabled = not settings.sound_strip
        row.prop(settings, "start_frame")
        for prop in ("nla", "markers"):
            layout.prop(settings, prop)
        if not settings.sound_strip:
            layout.prop(settings, "add_sound_strip")
        _mouth_channels(layout, context.active_object)


def _mouth_channels(layout, obj) -> None:
    """The character's Mouth Channels (all lip sync keys), editable, and a button that fills them from the preset."""
    if obj is None:
        return
    owner = find_character(obj).channels_owner
    row = layout.row(align=True)
    if CHANNELS in owner:
        row.prop(owner, f'["{CHANNELS}"]', text="Mouth Channels")
    else:
        row.label(text="Mouth Channels: all the preset drives")
    row.operator("lipsync.mouth_channels", text="", icon="LOOP_BACK")


class LIPSYNC_PT_advanced(_Section, bpy.types.Panel):
    bl_label = "Advanced"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings, layout = self.layout_for(context)
        for prop in ("intensity", "emotion"):
            layout.prop(settings, prop)
        if settings.emotion != "none":
            layout.prop(settings, "emotion_intensity")
        timing = layout.box()
        timing.prop(settings, "use_timing")
        if settings.use_timing:
            for prop in TIMING:
                timing.prop(settings, prop)


class LIPSYNC_PT_batch(_Section, bpy.types.Panel):
    bl_label = "Batch"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings, layout = self.layout_for(context)
        layout.prop(settings, "batch_manifest")
        layout.prop(settings, "batch_nla")
        op = layout.operator("lipsync.batch", icon="SEQ_STRIP_DUPLICATE")
        op.filepath, op.nla = settings.batch_manifest, settings.batch_nla


class LIPSYNC_PT_live(_Section, bpy.types.Panel):
    bl_label = "Live"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        from ..blender import live

        settings = context.scene.lipsync
        layout = self.layout
        layout.prop(settings, "live_source", expand=True)
        if settings.live_source == "STRIP":
            layout.label(text="Play the timeline: the mouth follows the strip", icon="PLAY_SOUND")
            layout.prop(settings, "live_record")
        if live.running():
            layout.operator("lipsync.live_stop", icon="PAUSE")
        else:
            op = layout.operator("lipsync.live_start", icon="PLAY")
            op.sound_strip, op.preset, op.source = settings.sound_strip, settings.preset, settings.live_source
            op.record = settings.live_record and settings.live_source == "STRIP"


classes = (LIPSYNC_PT_main, LIPSYNC_PT_source, LIPSYNC_PT_target, LIPSYNC_PT_advanced, LIPSYNC_PT_batch,
           LIPSYNC_PT_live)
