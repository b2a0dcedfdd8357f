"""Settings stored on the Scene, shown by the panel and passed to the operator."""

import bpy


class LIPSYNC_PG_settings(bpy.types.PropertyGroup):
    audio_path: bpy.props.StringProperty(
        name="Audio", subtype="FILE_PATH", description="Dialogue audio file (WAV, FLAC, OGG or MP3)"
    )
    transcript: bpy.props.StringProperty(
        name="Transcript", description="The spoken words; leave empty for audio-only mode"
    )
    language: bpy.props.StringProperty(
        name="Language", default="en-us", description="espeak-ng language code: en-us, es, fr-fr, de, it, pt, ja"
    )
    preset: bpy.props.StringProperty(
        name="Preset", default="visemes15", description="Rig preset mapping visemes to shape keys and jaw"
    )
    start_frame: bpy.props.IntProperty(name="Start Frame", default=1, description="Frame where the audio starts")
    last_result: bpy.props.StringProperty(name="Result", description="Summary or error of the last generation")


classes = (LIPSYNC_PG_settings,)


def register() -> None:
    bpy.types.Scene.lipsync = bpy.props.PointerProperty(type=LIPSYNC_PG_settings)


def unregister() -> None:
    del bpy.types.Scene.lipsync
