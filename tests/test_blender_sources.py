"""Where a line comes from in Blender (sound strip, Text, .txt), what the results add (markers, sound strip),
the preferences, and the refusal of a second job."""

import shutil

import bpy
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT, sphere_with_shape_keys
from lipsync_ai.blender.sources import sound_start
from lipsync_ai.blender.writer import action_fcurves
from lipsync_ai.operators import jobs
from lipsync_ai.ui.preferences import dependency_status

pytestmark = pytest.mark.usefixtures("addon")


@pytest.fixture
def head():
    return sphere_with_shape_keys(("viseme_PP", "viseme_aa", "viseme_O", "viseme_FF"))


def strips(scene):
    editor = scene.sequence_editor
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def first_key(action) -> float:
    return min(fc.keyframe_points[0].co[0] for fc in action_fcurves(action))


def generate(**args):
    return bpy.ops.lipsync.generate(**({"language": "en-us", "preset": "visemes15"} | args))


needs_audio = pytest.mark.skipif(not bpy.app.build_options.audaspace,
                                 reason="this bpy build has no audio (Audaspace), so no sound strips")


@needs_audio
def test_a_sound_strip_gives_the_audio_and_the_start_frame(head):
    scene = bpy.context.scene
    scene.sequence_editor_create()
    strips(scene).new_sound("Dialogue", str(DEMO_AUDIO), 1, 100)
    assert generate(sound_strip="Dialogue", transcript=DEMO_TEXT, start_frame=1) == {"FINISHED"}
    assert first_key(head.data.shape_keys.animation_data.action) == 100, "the animation starts where the strip starts"
    assert generate(transcript=DEMO_TEXT) == {"FINISHED"}, "the scene's only sound strip is used by default"
    assert "frames 100-" in scene.lipsync.last_result


def test_missing_sources_are_explained(head):
    with pytest.raises(RuntimeError, match="Choose an audio file or a sound strip"):
        generate()
    with pytest.raises(RuntimeError, match="No sound strip 'Nope'"):
        generate(sound_strip="Nope")
    with pytest.raises(RuntimeError, match="No Text 'Script'"):
        generate(audio_path=str(DEMO_AUDIO), text_block="Script")


def test_the_transcript_comes_from_a_text_datablock_or_a_txt_beside_the_audio(head, tmp_path):
    text = bpy.data.texts.new("Script")
    text.write("Hello there!")
    assert generate(audio_path=str(DEMO_AUDIO), text_block="Script") == {"FINISHED"}
    assert ": 2 words" in bpy.context.scene.lipsync.last_result
    audio = shutil.copy(DEMO_AUDIO, tmp_path / "line.wav")
    assert generate(audio_path=str(audio)) == {"FINISHED"}
    assert "words (audio only: pocketsphinx" in bpy.context.scene.lipsync.last_result, "no transcript anywhere"
    (tmp_path / "line.txt").write_text(DEMO_TEXT, encoding="utf-8")
    assert generate(audio_path=str(audio)) == {"FINISHED"}
    assert ": 24 words, " in bpy.context.scene.lipsync.last_result


def test_word_markers_are_replaced_not_piled_up_and_user_markers_kept(head):
    scene = bpy.context.scene
    scene.timeline_markers.new("mine", frame=3)
    args = {"audio_path": str(DEMO_AUDIO), "transcript": DEMO_TEXT, "start_frame": 10}
    assert generate(markers="WORDS", **args) == {"FINISHED"}
    words = [m for m in scene.timeline_markers if m.name != "mine"]
    assert len(words) == 24 and min(m.frame for m in words) >= 10
    assert {m.name.lower() for m in words} >= {"hello", "polly", "whisper", "shout"}
    assert generate(markers="WORDS", **args) == {"FINISHED"}
    assert len(scene.timeline_markers) == 25
    assert generate(markers="PHONEMES", **args) == {"FINISHED"}
    assert len(scene.timeline_markers) > 60
    assert generate(markers="NONE", **args) == {"FINISHED"}
    assert [m.name for m in scene.timeline_markers] == ["mine"]


@needs_audio
def test_add_sound_strip_puts_the_file_in_the_sequencer_once(head):
    args = {"audio_path": str(DEMO_AUDIO), "transcript": DEMO_TEXT, "start_frame": 40, "add_sound_strip": True}
    assert generate(**args) == {"FINISHED"}
    assert generate(**args) == {"FINISHED"}
    (strip,) = strips(bpy.context.scene)
    assert strip.type == "SOUND" and sound_start(strip) == 40


def test_a_second_job_is_refused_while_one_runs(head):
    jobs._running["lipsync.generate"] = object()
    try:
        assert not bpy.ops.lipsync.generate.poll()
    finally:
        del jobs._running["lipsync.generate"]
    assert bpy.ops.lipsync.generate.poll()


def test_dependency_status_names_what_is_there():
    assert dependency_status() == ["All dependencies found (soundfile, soxr, g2p-en, phonemizer with espeak-ng)."]


def test_every_setting_has_a_tooltip():
    from lipsync_ai import operators
    from lipsync_ai.ui import preferences, properties

    def rna(cls):
        if issubclass(cls, bpy.types.Operator):
            module, name = cls.bl_idname.split(".")
            return getattr(getattr(bpy.ops, module), name).get_rna_type()
        return cls.bl_rna

    for cls in (*properties.classes, *operators.classes, *preferences.classes):
        ours = {name for base in cls.__mro__ for name in getattr(base, "__annotations__", {})
                if not name.startswith("_")} - {"filter_glob"}
        described = {prop.identifier for prop in rna(cls).properties if prop.description}
        assert ours <= described, f"{cls.__name__}: no tooltip on {sorted(ours - described)}"


def test_cancel_is_offered_only_while_a_job_runs(head):
    assert not bpy.ops.lipsync.cancel.poll()
    job = type("Job", (), {"cancelled": False, "cancel": lambda self: setattr(self, "cancelled", True)})()
    jobs._running["lipsync.batch"] = job
    try:
        assert bpy.ops.lipsync.cancel() == {"FINISHED"} and job.cancelled
    finally:
        del jobs._running["lipsync.batch"]
