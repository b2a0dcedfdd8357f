"""Editable timing: Generate stores the clip's timing, moved word markers change the keys on Rebake, bad moves
are refused and the last good Action stays."""

import json

import bpy
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT, sphere_with_shape_keys
from lipsync_ai.blender.timing import TIMING
from lipsync_ai.blender.writer import TAG, action_fcurves
from lipsync_ai.core.visemes import VISEMES

pytestmark = pytest.mark.usefixtures("addon")
FPS = 24


@pytest.fixture
def head():
    obj = sphere_with_shape_keys([f"viseme_{v}" for v in VISEMES[1:]])
    bpy.context.scene.render.fps = FPS
    assert bpy.ops.lipsync.generate(audio_path=str(DEMO_AUDIO), transcript=DEMO_TEXT, language="en-us",
                                    preset="visemes15", start_frame=1, markers="WORDS") == {"FINISHED"}
    return obj


def stored():
    (action,) = [a for a in bpy.data.actions if TAG in a]
    return json.loads(action[TIMING])


def keys():
    return sorted((fc.data_path, tuple(v for k in fc.keyframe_points for v in k.co))
                  for a in bpy.data.actions if TAG in a for fc in action_fcurves(a))


def word_before_a_pause(timing):
    """A word followed by a silence of at least 0.2 s, and that silence's end."""
    pauses = {round(p["start"], 4): p["end"] for p in timing["phonemes"]
              if p["phone"] == "SIL" and p["end"] - p["start"] >= 0.2}
    return next((i, pauses[round(w["end"], 4)]) for i, w in enumerate(timing["words"]) if round(w["end"], 4) in pauses)


def marker(name, frame):
    return next(m for m in bpy.context.scene.timeline_markers if m.name == name and m.frame == frame)


def test_generate_stores_the_timing_and_rebake_alone_gives_the_same_keys(head):
    timing = stored()
    assert len(timing["words"]) == 24 and timing["phonemes"][0]["phone"] == "SIL"
    before = keys()
    assert bpy.ops.lipsync.rebake() == {"FINISHED"}
    assert keys() == before and stored()["words"] == timing["words"]


def test_a_moved_word_marker_moves_the_word_and_its_keys(head):
    timing = stored()
    index, _ = word_before_a_pause(timing)
    word = timing["words"][index]
    frame = 1 + round(word["start"] * FPS)
    marker(word["word"], frame).frame = frame + 2
    before = keys()
    bpy.ops.ed.undo_push(message="Move marker")
    assert bpy.ops.lipsync.rebake("EXEC_DEFAULT", True) == {"FINISHED"}, "as a click does, with an undo step"
    after = keys()
    bpy.ops.ed.undo()
    assert keys() == before, "one undo takes the Rebake back"
    bpy.ops.ed.redo()
    assert keys() == after != before
    moved = stored()["words"][index]
    assert moved["start"] == pytest.approx((frame + 1) / FPS, abs=1e-3)
    assert moved["end"] - moved["start"] == pytest.approx(word["end"] - word["start"], abs=1e-3)
    names = [m.name for m in bpy.context.scene.timeline_markers]
    assert len(names) == 24 and marker(word["word"], frame + 2), "the markers follow the new timing, none doubled"


def test_a_move_onto_the_next_word_is_refused_and_the_last_good_action_stays(head):
    timing = stored()
    word, after = timing["words"][0], timing["words"][1]
    frame = 1 + round(word["start"] * FPS)
    marker(word["word"], frame).frame = 1 + round(after["end"] * FPS) + 3
    before, name = keys(), next(a.name for a in bpy.data.actions if TAG in a)
    with pytest.raises(RuntimeError, match="overlap its neighbours: keep its start between"):
        bpy.ops.lipsync.rebake()
    assert keys() == before and next(a.name for a in bpy.data.actions if TAG in a) == name
    assert bpy.context.scene.lipsync.last_result.startswith("Error:")


def shape_value(name, frame):
    (curve,) = [fc for a in bpy.data.actions if TAG in a for fc in action_fcurves(a)
                if fc.data_path == f'key_blocks["{name}"].value']
    return curve.evaluate(frame)


def test_an_imported_moho_file_replaces_the_timing_and_rebakes_in_one_undo_step(head, tmp_path):
    before, timing = keys(), stored()
    dat = tmp_path / "closed.dat"
    dat.write_text("MohoSwitch1\n1 rest\n25 MBP\n37 rest\n")  # lips closed from 1.0 s to 1.5 s at 24 fps
    bpy.ops.ed.undo_push(message="Before import")
    assert bpy.ops.lipsync.import_timing("EXEC_DEFAULT", True, filepath=str(dat)) == {"FINISHED"}
    phones = [(p["phone"], p["start"], p["end"]) for p in stored()["phonemes"]]
    assert phones == [("SIL", 0.0, 1.0), ("M", 1.0, 1.5), ("SIL", 1.5, timing["duration"])]
    assert stored()["words"] == timing["words"], "a cue file has no words: the clip keeps its own"
    assert shape_value("viseme_PP", 1 + 1.25 * FPS) > 0.9 and shape_value("viseme_PP", 1 + 3 * FPS) < 0.05
    bpy.ops.ed.undo()
    assert keys() == before and stored() == timing, "one undo takes the import back"


def test_an_exported_pgo_reads_back_with_its_words(head, tmp_path):
    timing = stored()
    out = tmp_path / "line.pgo"
    assert bpy.ops.lipsync.export_timing(filepath=str(out)) == {"FINISHED"}
    assert out.read_text().startswith("lipsync version 1\n") and "24 words" in bpy.context.scene.lipsync.last_result
    assert bpy.ops.lipsync.import_timing(filepath=str(out)) == {"FINISHED"}
    words = stored()["words"]
    assert [w["word"] for w in words] == [w["word"] for w in timing["words"]]
    assert all(abs(a["start"] - b["start"]) <= 0.5 / FPS + 1e-3 for a, b in zip(words, timing["words"], strict=True))
    rhubarb = tmp_path / "line.rhubarb.json"
    assert bpy.ops.lipsync.export_timing(filepath=str(rhubarb)) == {"FINISHED"}
    assert json.loads(rhubarb.read_text())["metadata"]["soundFile"] == str(DEMO_AUDIO.resolve())


def test_a_bad_file_is_refused_in_one_line_and_the_last_good_action_and_timing_stay(head, tmp_path):
    before, timing = keys(), stored()
    bad = tmp_path / "bad.dat"
    bad.write_text("MohoSwitch1\n1 rest\n5 QQ\n")
    with pytest.raises(RuntimeError, match="bad.dat:3: unknown mouth 'QQ'"):
        bpy.ops.lipsync.import_timing(filepath=str(bad))
    past = tmp_path / "past.rhubarb.json"
    past.write_text('{"mouthCues": [{"start": 0.0, "end": 99.0, "value": "A"}]}')
    with pytest.raises(RuntimeError, match="past the end of the clip"):
        bpy.ops.lipsync.import_timing(filepath=str(past))
    assert keys() == before and stored() == timing
    assert bpy.context.scene.lipsync.last_result.startswith("Error:")


def test_export_checks_its_path_first_and_never_writes_over_the_audio(head, tmp_path):
    audio = DEMO_AUDIO.read_bytes()
    with pytest.raises(RuntimeError, match="over the input"):
        bpy.ops.lipsync.export_timing(filepath=str(DEMO_AUDIO))
    with pytest.raises(RuntimeError, match=r"Cannot tell the format of line.txt: end the file name in \.json"):
        bpy.ops.lipsync.export_timing(filepath=str(tmp_path / "line.txt"))
    assert DEMO_AUDIO.read_bytes() == audio and not (tmp_path / "line.txt").exists()


def test_import_and_export_say_why_they_are_disabled_without_a_clip(head):
    assert bpy.ops.lipsync.export_timing.poll()
    bpy.ops.mesh.primitive_cube_add()
    assert not bpy.ops.lipsync.import_timing.poll() and not bpy.ops.lipsync.export_timing.poll()
