"""Peak memory of one long line, as cold processes: the operator's planning and ``lipsync align --format csv``.

    .venv/bin/python bench/memory.py [--minutes 1 10 20]

The clip is ``demo/dialogue.wav`` tiled to each length, its transcript tiled with it. "plan" is what Generate runs
outside Blender (``inference.pipeline.run_line`` with the arkit preset bound: timing, envelopes, keyframe plan);
"csv" is the installed ``lipsync`` command writing the arkit curves. Budget: 1.5 GB peak for 20 minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[1]
LIPSYNC = Path(sys.executable).parent / "lipsync"
BUDGET_MB = 1536

PLAN = """
import sys
from pathlib import Path
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind, own_rig
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.inference.pipeline import LineJob, run_line

preset = load_preset("arkit")
job = LineJob(Path(sys.argv[1]), Path(sys.argv[2]).read_text(), "en-us", bind(preset, own_rig(preset)),
              AnimationSettings())
print(run_line(job).plan.keys, "keys")
"""


def make_clip(folder: Path, minutes: int) -> tuple[Path, Path]:
    """``demo/dialogue.wav`` repeated to at least ``minutes`` long, and its transcript repeated as often."""
    samples, rate = soundfile.read(REPO / "demo" / "dialogue.wav", dtype="float32")
    copies = int(np.ceil(minutes * 60 * rate / len(samples)))
    audio, text = folder / f"clip_{minutes}min.wav", folder / f"clip_{minutes}min.txt"
    soundfile.write(audio, np.tile(samples, copies), rate)
    text.write_text(" ".join([(REPO / "demo" / "dialogue.txt").read_text().strip()] * copies))
    return audio, text


def peak(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one child process; raises if it fails."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:3]} failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[1, 10, 20])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for minutes in args.minutes:
            audio, text = make_clip(folder, minutes)
            runs = {
                "plan": [sys.executable, "-c", PLAN, str(audio), str(text)],
                "csv": [str(LIPSYNC), "align", str(audio), "--transcript-file", str(text), "--format", "csv",
                        "--preset", "arkit", "--out", str(folder / "out.csv")],
            }
            for name, command in runs.items():
                seconds, mb = peak(command)
                verdict = "within" if mb <= BUDGET_MB else "OVER"
                print(f"{minutes:3d} min {name:5} peak {mb:7.0f} MB ({verdict} the {BUDGET_MB} MB budget), "
                      f"{seconds:6.1f} s", flush=True)


if __name__ == "__main__":
    main()
