"""``lipsync preset check/list/detect`` and ``generate --preset auto --nla`` through the console command."""


import bpy

from conftest import DEMO_AUDIO, ROOT, run_lipsync
from lipsync_ai.blender.writer import TAG, action_fcurves

BROKEN = """[preset]
id = "broken"
name = "Broken"

[shape_keys]
PP = { names = ["viseme_PP"] }
aa = { nmaes = ["viseme_aa"] }

[visemes]
sil = {}
PP = { shapes = { PP = 1.5 } }
"""


def test_check_lists_every_problem_and_exits_2(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    done = run_lipsync("preset", "check", path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert "broken.toml:7: [shape_keys.aa.nmaes]" in done.stderr and "did you mean 'names'" in done.stderr
    assert "broken.toml:11: [visemes.PP.PP]" in done.stderr and "has no pose for FF" in done.stderr
    assert lines[-1] == f"broken.toml: {len(lines) - 1} problems" and len(lines) >= 4


def test_check_passes_shipped_presets_and_explains_a_rigs_gaps(tmp_path, demo_character):
    done = run_lipsync("preset", "check", ROOT / "rig_presets" / "visemes15.toml")
    assert done.returncode == 0 and "OK" in done.stdout
    done = run_lipsync("preset", "check", ROOT / "rig_presets" / "arkit.toml", "--blend", demo_character,
                       "--object", "DemoHead")
    assert done.returncode == 2
    assert "[shape_keys.mouthPucker]" in done.stderr and "not found on DemoHead" in done.stderr
    done = run_lipsync("preset", "check", ROOT / "rig_presets" / "visemes15.toml", "--blend", demo_character,
                       "--object", "DemoHead")
    assert done.returncode == 0, done.stderr


def test_detect_and_list(demo_character):
    done = run_lipsync("preset", "detect", "--blend", demo_character, "--object", "DemoRig")
    assert done.returncode == 0 and done.stdout.startswith("Detected preset visemes15 (100%)")
    listing = run_lipsync("preset", "list").stdout
    assert all(p in listing for p in ("arkit", "cc4", "rigify", "vroid", "rhubarb_2d", "mpfb", "visemes15"))


def test_list_and_detect_name_each_invalid_preset_with_its_error(tmp_path, demo_character):
    (tmp_path / "broken.toml").write_text(BROKEN)
    (tmp_path / "mine.toml").write_text((ROOT / "rig_presets" / "visemes15.toml").read_text().replace(
        'id = "visemes15"', 'id = "mine"'))
    listing = run_lipsync("preset", "list", "--dir", tmp_path)
    assert listing.returncode == 0 and "mine " in listing.stdout and "broken" not in listing.stdout
    invalid = [line for line in listing.stderr.splitlines() if "broken.toml" in line]
    assert len(invalid) == 1 and "invalid preset (left out): broken.toml:7: [shape_keys.aa.nmaes]" in invalid[0]
    done = run_lipsync("preset", "detect", "--blend", demo_character, "--object", "DemoRig", "--dir", tmp_path)
    assert done.returncode == 0 and "invalid preset (left out): broken.toml:7" in done.stderr


def test_generate_defaults_to_auto_and_places_an_nla_strip(tmp_path, demo_character):
    out = tmp_path / "nla.blend"
    done = run_lipsync("generate", "--blend", demo_character, "--object", "DemoRig", "--audio", DEMO_AUDIO,
                       "--nla", "--start-frame", "25", "--emotion", "happy", "--emotion-intensity", "loudness",
                       "--stepped", "--min-hold", "2", "--save", out)
    assert done.returncode == 0, done.stderr
    assert "Detected preset visemes15" in done.stdout and "preset visemes15 (auto), NLA strip" in done.stdout
    bpy.ops.wm.open_mainfile(filepath=str(out))
    for owner in (bpy.data.objects["DemoHead"].data.shape_keys, bpy.data.objects["DemoRig"]):
        assert owner.animation_data.action is None
        (strip,) = [s for t in owner.animation_data.nla_tracks for s in t.strips if TAG in s.action]
        assert strip.frame_start == 25
        keys = [k for fc in action_fcurves(strip.action) for k in fc.keyframe_points]
        assert {k.interpolation for k in keys} == {"CONSTANT"}


def test_bad_emotion_intensity_is_one_line_and_exit_2(tmp_path, demo_character):
    done = run_lipsync("generate", "--blend", demo_character, "--object", "DemoHead", "--audio", DEMO_AUDIO,
                       "--emotion", "sad", "--emotion-intensity", "very", "--save", tmp_path / "x.blend")
    assert done.returncode == 2 and "Emotion intensity 'very'" in done.stderr
    assert done.stderr.strip().count("\n") == 0
