"""Worker processes: a failing line is reported and the rest go on, also under Blender's run-time namespace."""

import subprocess
import sys
import textwrap

import numpy as np
import soundfile

from conftest import DEMO_AUDIO, ROOT

SCRIPT = """
import sys, types
from pathlib import Path


def main(extensions: str, clips: list[str]) -> None:
    # What Blender does at start-up: bl_ext and its repositories exist only in memory.
    for name, path in (("bl_ext", extensions), ("bl_ext.user_default", extensions + "/user_default")):
        sys.modules[name] = module = types.ModuleType(name)
        module.__path__ = [path]
    from bl_ext.user_default.lipsync_ai.core.manifest import Line
    from bl_ext.user_default.lipsync_ai.inference.pipeline import LineJob
    from bl_ext.user_default.lipsync_ai.inference.pool import LineBatch

    lines = {Line(row, Path(clip), "", None, "en-us", "auto", None, f"line {row}"):
             LineJob(Path(clip), None, "en-us", None, None) for row, clip in enumerate(clips, start=2)}
    batch = LineBatch(lines, 2, None)
    outcomes = []
    while batch.running:
        outcomes += batch.step(1.0)
    batch.close()
    for outcome in sorted(outcomes, key=lambda o: o.line.row):
        print(outcome.line.row, outcome.status, outcome.detail)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
"""


def test_workers_import_the_extension_under_blenders_namespace(tmp_path):
    extensions = tmp_path / "extensions"
    (extensions / "user_default").mkdir(parents=True)
    (extensions / "user_default" / "lipsync_ai").symlink_to(ROOT, target_is_directory=True)
    samples, rate = soundfile.read(DEMO_AUDIO, dtype="float32")
    soundfile.write(tmp_path / "speech.wav", samples[: int(2.5 * rate)], rate)
    soundfile.write(tmp_path / "silent.wav", np.zeros(rate, np.float32), rate)
    script = tmp_path / "run_batch.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(extensions), str(tmp_path / "speech.wav"),
                           str(tmp_path / "silent.wav")], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    speech, silent = done.stdout.splitlines()
    assert speech == "2 keyed "
    assert silent.startswith("3 failed Audio silent.wav is silent")
