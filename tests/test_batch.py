"""``lipsync batch``: many lines over two characters into one .blend; a broken line is reported by row and the rest
are keyed; a re-run times only what changed; Ctrl-C saves nothing; ``lipsync.batch`` does the same in Blender."""

import csv
import importlib.util
import json
import signal
import subprocess
import sys

import bpy
import numpy as np
import pytest
import soundfile

from conftest import DEMO_AUDIO, LIPSYNC, ROOT, run_lipsync
from lipsync_ai.blender.writer import TAG, action_fcurves

ARKIT = ("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthPressLeft", "mouthPressRight",
         "mouthSmileLeft", "mouthSmileRight", "mouthRollLower", "mouthRollUpper")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A .blend with the demo head and an ARKit-keyed second character, eight short clips and a manifest."""
    folder = tmp_path_factory.mktemp("project")
    blend = folder / "two.blend"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(blend)],
                   check=True, capture_output=True, timeout=300)
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    bpy.ops.mesh.primitive_uv_sphere_add()
    robot = bpy.context.active_object
    robot.name = "Robot"
    robot.shape_key_add(name="Basis")
    for name in ARKIT:
        robot.shape_key_add(name=name)
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    samples, rate = soundfile.read(DEMO_AUDIO, dtype="float32")
    rows = []
    for i in range(8):
        start = int((i % 3) * 2.5 * rate)
        clip = samples[start:start + int(2.5 * rate)] * (0.9 - 0.05 * i)
        soundfile.write(folder / f"line{i}.wav", clip, rate)
        rows.append({"audio": f"line{i}.wav", "object": "DemoHead" if i % 2 else "Robot", "action": f"Line {i}"})
    soundfile.write(folder / "line5.wav", np.zeros(rate, np.float32), rate)  # the broken line: silence
    rows[0]["start_frame"] = "50"
    with open(folder / "lines.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["audio", "object", "transcript", "start_frame", "action"])
        writer.writeheader()
        writer.writerows(rows)
    return folder


def statuses(stdout: str) -> dict[int, str]:
    events = [json.loads(line) for line in stdout.splitlines()]
    assert events[0] == {"event": "start", "lines": 8} and events[-1]["event"] == "summary"
    return {e["row"]: e["status"] for e in events if e["event"] == "line"}


def clips(path=None) -> dict[str, list[bpy.types.FCurve]]:
    """Each lip-sync clip's F-curves (one Action per clip, or before Blender 4.4 one per datablock)."""
    if path:
        bpy.ops.wm.open_mainfile(filepath=str(path))
    found: dict[str, list[bpy.types.FCurve]] = {}
    for action in (a for a in bpy.data.actions if TAG in a):
        found.setdefault(action[TAG], []).extend(action_fcurves(action))
    return found


def test_a_broken_line_is_reported_and_the_rerun_times_only_it(project):
    manifest, source, out = project / "lines.csv", project / "two.blend", project / "out.blend"
    done = run_lipsync("batch", manifest, "--blend", source, "--save", out, "--jobs", "2", "--progress", "json",
                       "--nla")
    assert done.returncode == 1, done.stderr
    first = statuses(done.stdout)
    assert first[7] == "failed" and list(first.values()).count("keyed") == 7
    assert "lines.csv:7" not in done.stderr, "a line failing while timed is not a bad row"
    failure = next(json.loads(e) for e in done.stdout.splitlines() if '"row": 7' in e)
    assert failure["audio"].endswith("line5.wav") and "silent" in failure["detail"]

    actions = clips(out)
    assert sorted(actions) == [f"Line {i}" for i in range(8) if i != 5]
    robot_keys = bpy.data.objects["Robot"].data.shape_keys.animation_data
    strips = sorted((s.frame_start, s.action.name) for t in robot_keys.nla_tracks for s in t.strips)
    assert strips[0] == (50, "Line 0"), "a start frame from the manifest is kept"
    assert [name for _, name in strips] == ["Line 0", "Line 2", "Line 4", "Line 6"], "the others follow in sequence"
    assert {fc.data_path for fc in actions["Line 0"]} >= {'key_blocks["mouthPressLeft"].value'}
    assert 'pose.bones["jaw"].rotation_euler' in {fc.data_path for fc in actions["Line 1"]}

    samples, rate = soundfile.read(project / "line1.wav", dtype="float32")
    soundfile.write(project / "line5.wav", samples * 0.5, rate)  # fixed
    again = run_lipsync("batch", manifest, "--blend", source, "--save", out, "--progress", "json", "--nla")
    assert again.returncode == 0, again.stderr
    second = statuses(again.stdout)
    assert second.pop(7) == "keyed" and set(second.values()) == {"cached"}, "only the fixed line is timed"
    assert len(clips(out)) == 8

    unchanged = run_lipsync("batch", manifest, "--blend", out, "--save", out, "--progress", "json", "--nla")
    assert unchanged.returncode == 0 and set(statuses(unchanged.stdout).values()) == {"unchanged"}


def test_check_names_every_bad_row_and_does_nothing_else(project, tmp_path):
    (tmp_path / "bad.txt").write_bytes("Ça va".encode("latin-1"))
    manifest = tmp_path / "bad.csv"
    manifest.write_text("audio,object,transcript,start_frame,action\n"
                        f"{project / 'line0.wav'},Robot,,1,A\n"
                        f"{project / 'line1.wav'},Nobody,,1,B\n"
                        "gone.wav,Robot,,1,C\n"
                        f"{project / 'line2.wav'},Robot,,one,D\n"
                        f"{project / 'line3.wav'},Robot,,1,A\n"
                        f"{project / 'line4.wav'},Robot,bad.txt,1,E\n", encoding="utf-8")
    out = tmp_path / "out.blend"
    done = run_lipsync("batch", manifest, "--blend", project / "two.blend", "--save", out, "--check")
    assert done.returncode == 2 and not out.exists()
    assert done.stdout.strip() == "1 lines OK, 5 bad rows"
    for row, reason in [(3, "no object 'Nobody'"), (4, "audio file not found: gone.wav"),
                        (5, "start_frame must be a whole number in -1048574..1048574, not 'one'"),
                        (6, "action 'A' is also written by line 2"),
                        (7, "transcript file is not UTF-8: bad.txt")]:
        assert f"bad.csv:{row}: {reason}" in done.stderr


def test_ctrl_c_saves_nothing_and_the_next_run_resumes(project, tmp_path):
    out = tmp_path / "out.blend"
    cache = tmp_path / "cache"
    command = [str(LIPSYNC), "batch", str(project / "lines.csv"), "--blend", str(project / "two.blend"),
               "--save", str(out), "--jobs", "1", "--progress", "json", "--cache-dir", str(cache)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if '"event": "line"' in line:
            process.send_signal(signal.SIGINT)
            break
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "nothing was saved" in stderr and not out.exists()
    resumed = run_lipsync("batch", project / "lines.csv", "--blend", project / "two.blend", "--save", out,
                          "--progress", "json", "--cache-dir", cache)
    assert "cached" in statuses(resumed.stdout).values() and out.exists()



HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
drawing = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib (a development dependency) is not installed")


@pytest.mark.skipif(HAS_MATPLOTLIB, reason="matplotlib is installed")
def test_without_matplotlib_plot_dir_is_one_line_before_any_work(project, tmp_path):
    manifest = tmp_path / "one_line.csv"
    manifest.write_text(f"audio,object\n{project / 'line0.wav'},Robot\n", encoding="utf-8")
    out = tmp_path / "out.blend"
    done = run_lipsync("batch", manifest, "--blend", project / "two.blend", "--save", out, "--plot-dir",
                       tmp_path / "plots")
    assert done.returncode == 2 and not out.exists() and not (tmp_path / "plots").exists()
    assert len(done.stderr.strip().splitlines()) == 1 and "needs matplotlib" in done.stderr


@drawing
def test_plot_dir_draws_one_picture_per_keyed_line_named_after_its_audio(project, tmp_path):
    manifest = tmp_path / "two_lines.csv"
    manifest.write_text(f"audio,object,action\n{project / 'line0.wav'},Robot,Pic A\n"
                        f"{project / 'line1.wav'},DemoHead,Pic B\n", encoding="utf-8")
    plots, out = tmp_path / "plots", tmp_path / "out.blend"
    done = run_lipsync("batch", manifest, "--blend", project / "two.blend", "--save", out, "--jobs", "1",
                       "--plot-dir", plots)
    assert done.returncode == 0, done.stderr
    pictures = sorted(p.name for p in plots.glob("*.png"))
    assert pictures == ["line0.png", "line1.png"]
    for name in pictures:
        data = (plots / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000, name
    again = run_lipsync("batch", manifest, "--blend", project / "two.blend", "--save", out, "--jobs", "1",
                        "--plot-dir", plots)
    assert again.returncode == 0, "a re-run may replace the pictures lipsync wrote"


@drawing
@pytest.mark.parametrize("kind", ["a file", "a picture lipsync did not write"])
def test_a_bad_plot_dir_is_refused_before_any_work(project, tmp_path, kind):
    manifest = tmp_path / "one_line.csv"
    manifest.write_text(f"audio,object\n{project / 'line0.wav'},Robot\n", encoding="utf-8")
    plots, out = tmp_path / "plots", tmp_path / "out.blend"
    if kind == "a file":
        plots.write_text("not a folder")
    else:
        plots.mkdir()
        (plots / "line0.png").write_bytes(b"mine")
    done = run_lipsync("batch", manifest, "--blend", project / "two.blend", "--save", out, "--plot-dir", plots)
    assert done.returncode == 2 and not out.exists()
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert ("is a file, not a folder" if kind == "a file" else "--plot-dir") in done.stderr
    assert kind == "a file" or (plots / "line0.png").read_bytes() == b"mine"


def test_the_operator_runs_a_manifest_blocking_under_background(project, tmp_path, addon):
    bpy.ops.wm.open_mainfile(filepath=str(project / "two.blend"))
    manifest = tmp_path / "two_lines.csv"
    manifest.write_text(f"audio,object,action\n{project / 'line0.wav'},Robot,Op A\n"
                        f"{project / 'line1.wav'},DemoRig,Op B\n", encoding="utf-8")
    assert bpy.ops.lipsync.batch(filepath=str(manifest), jobs=1) == {"FINISHED"}
    assert set(clips()) == {"Op A", "Op B"}
    assert all(a.use_fake_user for a in bpy.data.actions if TAG in a), "without NLA they are kept for the animator"
    assert bpy.context.scene.lipsync.last_result.startswith("Batch: 2 Actions written, 0 unchanged, 0 failed")


def test_a_batch_line_stores_its_timing_and_rebakes_under_its_own_name(project, tmp_path, addon):
    from lipsync_ai.blender.timing import TIMING

    bpy.ops.wm.open_mainfile(filepath=str(project / "two.blend"))
    manifest = tmp_path / "one_line.csv"
    manifest.write_text(f"audio,object,action\n{project / 'line0.wav'},Robot,Take 7\n", encoding="utf-8")
    assert bpy.ops.lipsync.batch(filepath=str(manifest), jobs=1) == {"FINISHED"}
    (action,) = [a for a in bpy.data.actions if TAG in a]
    assert json.loads(action[TIMING])["phonemes"], "the line's timing is stored with its Action"
    robot = bpy.data.objects["Robot"]
    keys = {fc.data_path: [tuple(k.co) for k in fc.keyframe_points] for fc in action_fcurves(action)}
    robot.data.shape_keys.animation_data_create().action = action
    if hasattr(action, "slots"):  # Blender 4.4+: the Action's slot for the shape keys
        robot.data.shape_keys.animation_data.action_slot = action.slots[0]
    bpy.context.view_layer.objects.active = robot
    assert bpy.ops.lipsync.rebake() == {"FINISHED"}
    (rebaked,) = [a for a in bpy.data.actions if TAG in a]
    assert rebaked[TAG] == "Take 7"
    assert {fc.data_path: [tuple(k.co) for k in fc.keyframe_points] for fc in action_fcurves(rebaked)} == keys
