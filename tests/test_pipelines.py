"""Pipelines: ``lipsync generate`` behaves as the panel (same source resolution, the same Action), exports the
character for engines through Blender (a .glb with its morph animation, read back), and ``batch --check``
checks the audio as the run would."""

import csv
import json
import struct
import subprocess
import sys

import bpy
import numpy as np
import pytest
import soundfile

from conftest import DEMO_AUDIO, DEMO_TEXT, ROOT, run_lipsync
from lipsync_ai.blender.writer import TAG, action_fcurves


@pytest.fixture(scope="module")
def character(tmp_path_factory):
    """The demo character, a copy of the demo line with its transcript beside it, and a sound strip of it."""
    folder = tmp_path_factory.mktemp("pipes")
    blend = folder / "character.blend"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(blend)],
                   check=True, capture_output=True, timeout=300)
    (folder / "line.wav").write_bytes(DEMO_AUDIO.read_bytes())
    (folder / "line.txt").write_text(DEMO_TEXT, encoding="utf-8")
    (folder / "mute.wav").write_bytes(DEMO_AUDIO.read_bytes())  # no mute.txt: audio-only
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    if bpy.app.build_options.audaspace:
        scene = bpy.context.scene
        editor = scene.sequence_editor_create()
        strips = editor.strips if hasattr(editor, "strips") else editor.sequences
        strips.new_sound("Dialogue", str(folder / "line.wav"), 1, 30)
    bpy.ops.wm.save_as_mainfile(filepath=str(folder / "strip.blend"))
    return folder


def keys(path, object_name: str = "DemoHead") -> dict[str, np.ndarray]:
    """Every lip-sync F-curve's keys (frame, value) in the saved file, by data path."""
    bpy.ops.wm.open_mainfile(filepath=str(path))
    curves = {}
    for action in (a for a in bpy.data.actions if TAG in a):
        for fc in action_fcurves(action):
            co = np.zeros(2 * len(fc.keyframe_points), np.float32)
            fc.keyframe_points.foreach_get("co", co)
            curves[f"{fc.data_path}[{fc.array_index}]"] = co.reshape(-1, 2)
    return curves


def test_generate_uses_the_transcript_beside_the_audio_and_keys_as_the_operator_does(character, tmp_path, addon):
    out = tmp_path / "cli.blend"
    done = run_lipsync("generate", "--blend", character / "character.blend", "--object", "DemoHead",
                       "--audio", character / "line.wav", "--preset", "visemes15", "--save", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "lipsync: transcript: line.txt beside the audio"
    assert done.stdout.count(" keys (of ") == 1 and "24 words" in done.stdout
    bpy.ops.wm.open_mainfile(filepath=str(character / "character.blend"))
    bpy.context.view_layer.objects.active = bpy.data.objects["DemoHead"]
    assert bpy.ops.lipsync.generate(audio_path=str(character / "line.wav"), language="en-us",
                                    preset="visemes15") == {"FINISHED"}
    panel = tmp_path / "panel.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(panel))
    cli, operator = keys(out), keys(panel)
    assert cli.keys() == operator.keys() and len(cli) > 10
    for path in cli:
        np.testing.assert_allclose(cli[path], operator[path], atol=1e-6, err_msg=path)


@pytest.mark.skipif(not bpy.app.build_options.audaspace, reason="this bpy build has no sound strips")
def test_generate_takes_a_sound_strip_by_name_with_its_start_frame(character, tmp_path):
    out = tmp_path / "strip.blend"
    done = run_lipsync("generate", "--blend", character / "strip.blend", "--object", "DemoHead",
                       "--sound-strip", "Dialogue", "--markers", "words", "--save", out)
    assert done.returncode == 0, done.stderr
    assert "line.txt beside the audio" in done.stderr
    curves = keys(out)
    assert min(c[0, 0] for c in curves.values()) == 30, "the strip starts at frame 30"
    assert len(bpy.context.scene.timeline_markers) == 24, "a marker per word, as the panel's option"
    missing = run_lipsync("generate", "--blend", character / "strip.blend", "--object", "DemoHead",
                          "--sound-strip", "Nope", "--save", out)
    assert missing.returncode == 2 and "No sound strip 'Nope'" in missing.stderr


def test_audio_only_says_why_and_refuses_an_unknown_language_as_with_a_transcript(character, tmp_path):
    out = tmp_path / "never.blend"
    for extra in ([], ["--transcript", "hola"]):
        done = run_lipsync("generate", "--blend", character / "character.blend", "--object", "DemoHead",
                           "--audio", character / "mute.wav", *extra, "--lang", "xx", "--save", out)
        assert done.returncode == 2 and "Unknown language 'xx'" in done.stderr and not out.exists()
        assert done.stderr.count("\n") == 1
    done = run_lipsync("generate", "--blend", character / "character.blend", "--object", "DemoHead",
                       "--audio", character / "mute.wav", "--save", out)
    assert done.returncode == 0, done.stderr
    assert "no transcript given and no mute.txt beside the audio: audio-only, words recognised by pocketsphinx" \
        in done.stderr


def glb_json(path) -> dict:
    """The JSON chunk of a binary glTF (glTF 2.0 spec: 12-byte header, then chunk length, type 'JSON', data)."""
    data = path.read_bytes()
    magic, version, _ = struct.unpack("<4sII", data[:12])
    length, kind = struct.unpack("<I4s", data[12:20])
    assert magic == b"glTF" and version == 2 and kind == b"JSON"
    return json.loads(data[20:20 + length])


def test_a_glb_carries_the_lip_sync_as_morph_target_weights(character, tmp_path):
    out = tmp_path / "line.glb"
    done = run_lipsync("generate", "--blend", character / "character.blend", "--object", "DemoHead",
                       "--audio", character / "line.wav", "--save", out)
    assert done.returncode == 0, done.stderr
    doc = glb_json(out)
    mesh = next(m for m in doc["meshes"] if "targetNames" in m.get("extras", {}))
    names = mesh["extras"]["targetNames"]
    assert {"viseme_PP", "viseme_aa", "viseme_O"} <= set(names), "shape-key names are the targets' names"
    weights = [c for a in doc["animations"] for c in a["channels"] if c["target"]["path"] == "weights"]
    assert weights, "a morph-weight animation"
    sampler = next(a["samplers"][weights[0]["sampler"]] for a in doc["animations"] if weights[0] in a["channels"])
    times = doc["accessors"][sampler["input"]]
    assert times["max"][0] == pytest.approx(7.72, abs=0.1), "the animation spans the line"
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(out))
    # The importer makes an Action of the morph weights (active in 5.0, an NLA strip in 4.2).
    closes = [fc for action in bpy.data.actions for fc in action_fcurves(action) if "viseme_PP" in fc.data_path][0]
    values = np.zeros(len(closes.keyframe_points) * 2, np.float32)
    closes.keyframe_points.foreach_get("co", values)
    assert (values[1::2] > 0.9).sum() >= 8, "every M/B/P of the line closes, after the round trip"


def test_arkit_names_survive_into_the_glb_fbx_and_usd(character, tmp_path):
    from conftest import sphere_with_shape_keys

    names = ("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthPressLeft", "mouthSmileLeft")
    sphere_with_shape_keys(names)
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "arkit.blend"))
    for suffix in (".glb", ".fbx", ".usda"):
        out = tmp_path / f"face{suffix}"
        done = run_lipsync("generate", "--blend", tmp_path / "arkit.blend", "--object", "Sphere", "--audio",
                           character / "line.wav", "--preset", "arkit", "--save", out)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 0 and not list(tmp_path.glob("*.tmp*")), "written whole, no temporary left"
    doc = glb_json(tmp_path / "face.glb")
    assert [m["extras"]["targetNames"] for m in doc["meshes"]] == [list(names)]
    assert any(c["target"]["path"] == "weights" for a in doc["animations"] for c in a["channels"])
    assert all(name.encode() in (tmp_path / "face.fbx").read_bytes() for name in names)
    usd = (tmp_path / "face.usda").read_text(encoding="utf-8")
    assert "blendShapeWeights.timeSamples" in usd and all(f'"{name}"' in usd for name in names)


def test_save_refuses_an_unknown_format_before_any_work(character, tmp_path):
    done = run_lipsync("generate", "--blend", character / "character.blend", "--object", "DemoHead",
                       "--audio", character / "line.wav", "--save", tmp_path / "line.obj")
    assert done.returncode == 2 and "Cannot save as '.obj'" in done.stderr and ".glb" in done.stderr


def test_batch_check_decodes_the_audio_as_the_run_would(character, tmp_path):
    soundfile.write(tmp_path / "quiet.wav", np.zeros(16000, np.float32), 16000)
    manifest = tmp_path / "lines.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["audio", "object"], [character / "line.wav", "DemoHead"],
                                 ["quiet.wav", "DemoHead"]])
    for command in (["batch", manifest, "--blend", character / "character.blend", "--save", tmp_path / "o.blend"],
                    ["batch-align", manifest, "--out-dir", tmp_path]):
        done = run_lipsync(*command, "--check")
        assert done.returncode == 2 and done.stdout.strip() == "1 lines OK, 1 bad rows", done.stderr
        assert "lines.csv:3: Audio quiet.wav is silent" in done.stderr


def test_batch_align_off_a_terminal_has_no_progress_bar(character, tmp_path):
    manifest = tmp_path / "lines.csv"
    manifest.write_text(f"audio\n{character / 'line.wav'}\n", encoding="utf-8")
    done = run_lipsync("batch-align", manifest, "--out-dir", tmp_path / "out", "--format", "rhubarb-tsv")
    assert done.returncode == 0, done.stderr
    assert "it/s" not in done.stderr and "line/s" not in done.stderr and "%|" not in done.stderr
    assert (tmp_path / "out" / "line.tsv").read_text().endswith("7.72\tX\n")
