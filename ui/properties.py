"""Settings stored on the Scene, shown by the panel and passed to the operator (one set of properties for both)."""

import bpy

from ..core.languages import LANGUAGES
from ..core.settings import AnimationSettings
from ..core.validate import SETTINGS

EMOTION_ITEMS = [
    ("none", "None", "Visemes only"),
    ("neutral", "Neutral", "The preset's neutral layer"),
    ("happy", "Happy", "Smile; closures still close"),
    ("sad", "Sad", "Frown, softer articulation"),
    ("angry", "Angry", "Brows down, sharper articulation"),
    ("surprised", "Surprised", "Brows up, eyes wide"),
]
_DEFAULT = AnimationSettings()


def _bounds(name: str) -> dict:
    """A setting's panel bounds, from the one table the CLI, manifests and presets are checked against."""
    allowed = SETTINGS[name]
    return {"min": int(allowed.low), "max": int(allowed.high)} if allowed.whole else {
        "min": allowed.low, "max": allowed.high}


SUGGESTIONS = bpy.app.version >= (4, 5, 0)
"""Text fields with a list of suggestions: Blender 4.2's Python crashes at exit once one is registered (seen with
the bpy 4.2 module; 4.5 and 5.0 are fine), so there they are plain text fields."""


def suggest(callback) -> dict:
    """``search=callback`` for a StringProperty where Blender handles it safely."""
    return {"search": callback} if SUGGESTIONS else {}


def preset_search(self, context, edit_text):
    from ..blender.user_presets import search_dirs
    from ..core.preset_files import available_presets

    return [p for p in ["auto", *available_presets(search_dirs())] if edit_text.lower() in p.lower()]


def language_search(self, context, edit_text):
    """The named languages as (code, name); any other espeak-ng code may be typed."""
    text = edit_text.lower()
    return [(code, name) for code, name in LANGUAGES if text in code or text in name.lower()]


def _sound_strip_search(self, context, edit_text):
    from ..blender.sources import sound_strip_items

    return sound_strip_items(self, context, edit_text)


def _text_search(self, context, edit_text):
    return [t.name for t in bpy.data.texts if edit_text.lower() in t.name.lower()]


LIVE_SOURCES = [
    ("STRIP", "Sound Strip", "The scene's sound strip, as the timeline plays"),
    ("MICROPHONE", "Microphone", "The default input device (needs the sounddevice package)"),
]
MARKER_ITEMS = [
    ("NONE", "None", "No timeline markers"),
    ("WORDS", "Words", "A timeline marker at each word, to see and nudge the timing"),
    ("PHONEMES", "Phonemes", "A timeline marker at each phoneme (Papagayo-style)"),
]


class GenerateProps:
    """What ``lipsync.generate`` takes; the Scene settings hold the same so the panel can pass them on.

    Timing settings (``TIMING``) override the preset's only when given (``is_property_set``).
    """

    sound_strip: bpy.props.StringProperty(
        name="Sound Strip", **suggest(_sound_strip_search),
        description="A sound strip of the Sequencer: its audio is used and the animation starts where it starts "
                    "(used instead of the audio file when set)",
    )
    audio_path: bpy.props.StringProperty(
        name="Audio File", subtype="FILE_PATH", description="Dialogue audio file (WAV, FLAC, OGG or MP3)"
    )
    transcript: bpy.props.StringProperty(
        name="Transcript",
        description="The spoken words; when empty, the Text below or a .txt beside the audio is used if there is one",
    )
    text_block: bpy.props.StringProperty(
        name="Text", **suggest(_text_search), description="A Text datablock (Text Editor) holding the spoken words"
    )
    audio_only: bpy.props.BoolProperty(
        name="No Transcript (Audio Only)", default=False,
        description="Recognise the mouth shapes from the audio alone, without the words",
    )
    language: bpy.props.StringProperty(
        name="Language", default="", **suggest(language_search),
        description="espeak-ng language code of the dialogue (en-us, es, fr-fr, de, ...); empty: the default "
                    "language of the add-on's preferences",
    )
    preset: bpy.props.StringProperty(
        name="Preset", default="auto", **suggest(preset_search),
        description="Rig preset mapping visemes to shape keys and bones; auto picks the best fit",
    )
    start_frame: bpy.props.IntProperty(name="Start Frame", default=1,
                                       description="Frame where the audio starts (a sound strip gives its own)")
    markers: bpy.props.EnumProperty(name="Markers", items=MARKER_ITEMS, default="NONE",
                                    description="Timeline markers for the words or phonemes of the clip")
    add_sound_strip: bpy.props.BoolProperty(
        name="Add Sound Strip", default=False,
        description="Put an audio file in the Sequencer at the start frame so it plays in sync with the keys",
    )
    nla: bpy.props.BoolProperty(name="As NLA Strip", default=False,
                                description="Place the clip as an NLA strip at the start frame")
    intensity: bpy.props.FloatProperty(name="Intensity", default=1.0, **_bounds("intensity"),
                                       description="Scales the mouth shapes (closures always close)")
    emotion: bpy.props.EnumProperty(name="Emotion", items=EMOTION_ITEMS, default="none",
                                    description="An emotion layered over the mouth shapes")
    emotion_intensity: bpy.props.StringProperty(
        name="Emotion Intensity", default="1.0",
        description="A number, loudness, pitch, or points seconds:value,... (e.g. 0:0,2:1)")
    min_hold: bpy.props.IntProperty(name="Min Hold", default=_DEFAULT.min_hold, **_bounds("min_hold"),
                                    description="Frames a viseme is held at least; shorter ones merge into a neighbour")
    blend_time: bpy.props.FloatProperty(name="Blend", default=_DEFAULT.blend_time, **_bounds("blend_time"),
                                        subtype="TIME_ABSOLUTE", unit="TIME_ABSOLUTE",
                                        description="Seconds a viseme takes to fade into the next")
    anticipation: bpy.props.FloatProperty(name="Anticipation", default=_DEFAULT.anticipation, **_bounds("anticipation"),
                                          subtype="TIME_ABSOLUTE", unit="TIME_ABSOLUTE",
                                          description="Seconds the lips start forming a viseme before its sound")
    max_rate: bpy.props.FloatProperty(name="Max Rate", default=_DEFAULT.max_rate, **_bounds("max_rate"),
                                      description="Visemes per second the mouth can articulate")
    jaw_balance: bpy.props.FloatProperty(name="Jaw from Loudness", default=_DEFAULT.jaw_balance,
                                         **_bounds("jaw_balance"), subtype="FACTOR",
                                         description="How much the audio's loudness drives the jaw")
    jaw_rate: bpy.props.FloatProperty(name="Jaw Rate", default=_DEFAULT.jaw_rate, **_bounds("jaw_rate"),
                                      description="Hz: the jaw opens at most this often (syllable rate), still "
                                                  "closing with the lips on M/B/P and F/V; 0: off")
    stepped: bpy.props.BoolProperty(name="Stepped", default=_DEFAULT.stepped,
                                    description="Constant interpolation (2D, anime style)")
    reduce_keys: bpy.props.BoolProperty(name="Reduce Keys", default=_DEFAULT.reduce_keys,
                                        description="Key only where the pose changes (contacts are always kept)")
    key_tolerance: bpy.props.FloatProperty(name="Tolerance", default=_DEFAULT.key_tolerance, **_bounds("key_tolerance"),
                                           description="Largest error the reduced keys may leave (in shape-key "
                                                       "weight; for bones, a share of the curve's range)")


class LIPSYNC_PG_settings(GenerateProps, bpy.types.PropertyGroup):
    use_timing: bpy.props.BoolProperty(name="Custom Timing", default=False,
                                       description="Use these timing settings instead of the preset's")
    last_result: bpy.props.StringProperty(name="Result", description="Summary or error of the last generation")
    detection: bpy.props.StringProperty(name="Detection", description="Which preset auto-detect picked, and why")
    batch_manifest: bpy.props.StringProperty(name="Manifest", subtype="FILE_PATH",
                                             description="CSV manifest, one dialogue line per row (docs/batch.md)")
    batch_nla: bpy.props.BoolProperty(name="As NLA Strips", default=False,
                                      description="Place each line as an NLA strip, in sequence per character")
    progress: bpy.props.FloatProperty(name="Progress", subtype="PERCENTAGE", min=0.0, max=100.0,
                                      description="Share of the running job done")
    stage: bpy.props.StringProperty(name="Stage", description="What the running job is doing")
    live_record: bpy.props.BoolProperty(name="Record", default=False,
                                        description="Bake what live mode performs into an Action when it stops")
    live_source: bpy.props.EnumProperty(name="Source", default="STRIP", items=LIVE_SOURCES,
                                        description="What drives the mouth in live mode")


classes = (LIPSYNC_PG_settings,)
OPERATOR_PROPS = tuple(GenerateProps.__annotations__)
"""Settings the panel passes on to ``lipsync.generate``."""


def register() -> None:
    bpy.types.Scene.lipsync = bpy.props.PointerProperty(type=LIPSYNC_PG_settings)


def unregister() -> None:
    del bpy.types.Scene.lipsync
