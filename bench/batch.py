"""Batch throughput: ``lipsync batch`` on 100 generated clips into a .blend, with 1 and 2 worker processes.

    .venv/bin/python bench/batch.py [--lines 100] [--jobs 1 2]

Clips are spoken at run time by espeak-ng (six sentences, varied voices and rates, 1.5-4 s each) onto the demo
character (scripts/build_demo_character.py), each run with an empty alignment cache. Prints lines per minute,
the real-time factor (RTF: wall time / audio time) and the peak memory of the whole process tree (command + workers).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import soundfile

ROOT = Path(__file__).resolve().parents[1]
LIPSYNC = Path(sys.executable).parent / "lipsync"
SENTENCES = (
    "Bob moved five heavy boxes into the van before the morning rain.",
    "Please find the blue folder and bring it to my office by Friday.",
    "Every summer we visited our grandmother at her farm by the river.",
    "Would you mind waiting a moment while I finish this phone call?",
    "A few people stood outside the bakery, hoping for warm bread.",
    "Meet me by the bridge at nine.",
)
VOICES = ("en-us", "en-us+m3", "en-us+f2", "en-us+f4", "en-gb", "en-us+m7")


def make_lines(folder: Path, count: int) -> tuple[Path, float]:
    """``count`` clips with their transcripts and a manifest for DemoHead; returns it and the audio seconds."""
    rows, seconds = [], 0.0
    for i in range(count):
        text, wav = SENTENCES[i % len(SENTENCES)], folder / f"line{i:03}.wav"
        voice, rate = VOICES[(i // len(SENTENCES)) % len(VOICES)], 140 + (i * 7) % 60
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), text], check=True)
        seconds += soundfile.info(wav).duration
        rows.append({"audio": wav.name, "object": "DemoHead", "transcript": text, "action": f"Line {i:03}"})
    with open(folder / "lines.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder / "lines.csv", seconds


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/statm").read_text().split()
            total += int(fields[1]) * 4096
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run(manifest: Path, character: Path, jobs: int, folder: Path) -> tuple[float, int, dict]:
    """Wall seconds, peak tree memory and the summary event of one ``lipsync batch`` run."""
    command = [str(LIPSYNC), "batch", str(manifest), "--blend", str(character), "--save", str(folder / "out.blend"),
               "--jobs", str(jobs), "--progress", "json", "--cache-dir", str(folder / f"cache{jobs}")]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, _ = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    summary = json.loads(stdout.splitlines()[-1])
    if process.returncode != 0 or summary["failed"]:
        raise SystemExit(f"lipsync batch failed: {summary}")
    return wall, peak[0], summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        character = folder / "character.blend"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(character)],
                       check=True, capture_output=True)
        manifest, audio = make_lines(folder, args.lines)
        print(f"{args.lines} lines, {audio:.1f} s of audio (espeak-ng), one .blend")
        print(f"{'jobs':>4}  {'wall s':>7}  {'lines/min':>9}  {'RTF':>6}  {'peak memory':>11}")
        for jobs in args.jobs:
            wall, peak, summary = run(manifest, character, jobs, folder)
            assert summary["keyed"] == args.lines, summary
            print(f"{jobs:>4}  {wall:7.1f}  {args.lines / wall * 60:9.0f}  {wall / audio:6.3f}  "
                  f"{peak / 2**30:8.2f} GB")


if __name__ == "__main__":
    main()
