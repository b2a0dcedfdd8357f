"""The README's main job on the bundled demo, through the console command, into a saved .blend."""

import subprocess
import sys

import bpy
import numpy as np

from conftest import DEMO_AUDIO, ROOT, run_lipsync
from lipsync_ai.blender.writer import TAG, animated_fcurves


def test_demo_character_gets_a_saved_action(tmp_path):
    character = tmp_path / "character.blend"
    build = [sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(character)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    out = tmp_path / "out" / "demo.blend"
    done = run_lipsync("generate", "--blend", character, "--object", "DemoHead", "--audio", DEMO_AUDIO,
                       "--transcript-file", ROOT / "demo" / "dialogue.txt", "--save", out)
    assert done.returncode == 0, done.stderr
    assert "Detected preset visemes15 (100%)" in done.stdout, "the default preset is auto"
    assert done.stdout.count(" keys (of ") == 1, "the summary is printed once"
    bpy.ops.wm.open_mainfile(filepath=str(out))
    head, rig = bpy.data.objects["DemoHead"], bpy.data.objects["DemoRig"]
    datas = (head.data.shape_keys.animation_data, rig.animation_data)
    assert {data.action for data in datas} == {a for a in bpy.data.actions if TAG in a}
    fcurves = [fc for data in datas for fc in animated_fcurves(data)]
    paths = {fc.data_path for fc in fcurves}
    assert {f'key_blocks["{kb.name}"].value' for kb in head.data.shape_keys.key_blocks[1:]} <= paths
    assert 'pose.bones["jaw"].rotation_euler' in paths
    last = 1 + np.ceil(7.72 * bpy.context.scene.render.fps)
    for fc in fcurves:
        frames = [k.co[0] for k in fc.keyframe_points]
        assert frames[0] == 1 and frames[-1] <= last
    closures = [fc for fc in fcurves if fc.data_path == 'key_blocks["viseme_PP"].value']
    assert sum(k.co[1] >= 0.95 for k in closures[0].keyframe_points) >= 8, "every M/B/P of the line closes"


def test_generate_bad_input_is_one_line_and_exit_2(tmp_path):
    character = tmp_path / "character.blend"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(character)],
                   check=True, capture_output=True, timeout=300)
    out = tmp_path / "never.blend"
    cases = [
        (["--object", "Nobody", "--audio", DEMO_AUDIO], "No object 'Nobody'"),
        (["--object", "DemoHead", "--audio", tmp_path / "missing.wav"], "not found"),
        (["--object", "DemoHead", "--audio", DEMO_AUDIO, "--transcript", " "], "transcript is empty"),
    ]
    for args, message in cases:
        done = run_lipsync("generate", "--blend", character, *args, "--save", out)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.strip().count("\n") == 0
        assert not out.exists()
