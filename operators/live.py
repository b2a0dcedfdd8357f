"""``lipsync.live_start`` / ``lipsync.live_stop``: the streaming engine drives the character as the scene's sound
strip plays (see ``blender.live``)."""

import bpy

from ..blender import live
from ..blender.generate import resolve_preset
from ..blender.rig import find_character
from ..blender.sources import sound_strips
from ..core.errors import LipsyncError
from ..ui import preferences
from ..ui.properties import LIVE_SOURCES
from . import polls


class LIPSYNC_OT_live_start(bpy.types.Operator):
    """Drive the selected character's mouth from the sound strip as the timeline plays (live preview)"""

    bl_idname = "lipsync.live_start"
    bl_label = "Start Live"

    sound_strip: bpy.props.StringProperty(name="Sound Strip",
                                          description="The sound strip to follow (empty: the scene's only one)")
    preset: bpy.props.StringProperty(name="Preset", default="",
                                     description="Rig preset (empty: the preferences' default, usually auto)")
    record: bpy.props.BoolProperty(name="Record", default=False,
                                   description="Bake what is performed into an Action when live mode stops")
    source: bpy.props.EnumProperty(name="Source", default="STRIP", items=LIVE_SOURCES,
                                   description="What drives the mouth")

    @classmethod
    def poll(cls, context):
        return polls.explain(cls, "Live mode is running: stop it first" if live.running() else None, context)

    def execute(self, context):
        try:
            if self.source == "MICROPHONE":
                character = find_character(context.active_object)
                binding, _ = resolve_preset(character, preferences.preset(context, self.preset))
                live.start_microphone(character, binding)
                self.report({"INFO"}, f"Live: following the microphone with preset {binding.preset.id}")
                return {"FINISHED"}
            strip = self.sound_strip
            if not strip:
                strips = sound_strips(context.scene)
                if len(strips) != 1:
                    raise LipsyncError("Choose the sound strip to follow"
                                       f"{' (the Sequencer has several)' if strips else ' (add one first)'}.")
                strip = strips[0].name
            character = find_character(context.active_object)
            binding, _ = resolve_preset(character, preferences.preset(context, self.preset))
            live.start(character, binding, context.scene, strip, self.record)
        except LipsyncError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Live: following '{strip}' with preset {binding.preset.id}; play the timeline")
        return {"FINISHED"}


class LIPSYNC_OT_live_stop(bpy.types.Operator):
    """Stop live mode and put the rig back as it was (with Record, keep the performance as an Action)"""

    bl_idname = "lipsync.live_stop"
    bl_label = "Stop Live"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not live.running():
            cls.poll_message_set("Live mode is not running")
            return False
        return True

    def execute(self, context):
        summary = live.stop(context.scene)
        context.scene.lipsync.last_result = summary
        self.report({"INFO"}, summary)
        return {"FINISHED"}


classes = (LIPSYNC_OT_live_start, LIPSYNC_OT_live_stop)
