"""The streaming engine against its real-time budget: latency, compute per 10 ms hop on one core, audio-only
accuracy next to the offline mode.

    .venv/bin/python bench/realtime.py [--data DIR] [--streams 8]

Compute is timed on a ~60 s clip (the demo dialogue, repeated) pushed in 10 ms chunks, for one stream and for
``--streams`` streams interleaved in one process. Accuracy is lip F1 on timit-dev in audio-only mode (definitions
in scoring.py): the stream's dominant viseme per hop against the offline network's audio-only decoding.
"""
# ruff: noqa: E402  (the thread limits must be set before numpy loads)

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the budget says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import time
from pathlib import Path

import numpy as np
import soundfile
from references import load_set
from scoring import PhoneScore, score_phones

from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.types import Segment
from lipsync_ai.inference.engine import align, default_timer
from lipsync_ai.inference.streaming import Stream, load_stream_model

REPO = Path(__file__).resolve().parents[1]
SPOKEN_AS = {"sil": "SIL", "PP": "M", "FF": "F", "TH": "TH", "DD": "D", "kk": "K", "CH": "CH", "SS": "S",
             "nn": "N", "RR": "R", "aa": "AA", "E": "EH", "I": "IY", "O": "AO", "U": "UW"}
"""A phone standing for each viseme, for scoring the stream like a phone track."""


def stream_track(samples: np.ndarray, hop: float) -> list[Segment]:
    """The stream's dominant viseme per hop as phone segments."""
    out = []
    stream = Stream()
    for start in range(0, len(samples), 160):
        out += stream.push(samples[start:start + 160])
    labels = [SPOKEN_AS[max(w, key=w.get)] for _, w in out]
    segments: list[Segment] = []
    for i, label in enumerate(labels):
        if segments and segments[-1].label == label:
            segments[-1] = Segment(label, segments[-1].start, (i + 1) * hop)
        else:
            segments.append(Segment(label, i * hop, (i + 1) * hop))
    return segments


def compute(clip: np.ndarray, streams: int) -> np.ndarray:
    """Seconds per 10 ms hop for ``streams`` streams fed in turn, one timing per hop."""
    live = [Stream() for _ in range(streams)]
    times = []
    for start in range(0, len(clip), 160):
        chunk = clip[start:start + 160]
        began = time.perf_counter()
        for stream in live:
            stream.push(chunk)
        times.append(time.perf_counter() - began)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--streams", type=int, default=8)
    args = parser.parse_args()
    model = load_stream_model()
    f = model.features
    print(f"latency: {model.latency * 1000:.1f} ms (look-ahead {model.lookahead * f.hop / f.sample_rate * 1000:.0f} "
          f"ms + half window {f.n_fft / 2 / f.sample_rate * 1000:.1f} ms + hop {f.frame_seconds * 1000:.0f} ms); "
          "budget 50 ms")
    demo, _ = soundfile.read(REPO / "demo" / "dialogue.wav", dtype="float32")
    clip = np.tile(demo, 8)
    compute(clip[:16000], 1)  # warm up
    for n in (1, args.streams):
        times = compute(clip, n)
        print(f"compute, {n} stream{'s' * (n > 1)}: {times.mean() * 1000:.3f} ms per hop (p99 "
              f"{np.percentile(times, 99) * 1000:.3f} ms, budget {n} ms) over {len(clip) / 16000:.0f} s")
    scores = {"offline": PhoneScore(), "stream": PhoneScore()}
    timer = default_timer("cpu")
    for utt in load_set(args.data, "timit-dev"):
        audio = load_audio(utt.audio)
        offline = align(audio, None, "en-us", timer)
        scores["offline"] += score_phones(utt.phones, offline.phonemes, offline.duration)
        track = stream_track(audio.samples, f.frame_seconds)
        scores["stream"] += score_phones(utt.phones, track, audio.duration)
    for name, score in scores.items():
        print(f"timit-dev audio only, {name:7}: lip F1 {score.lip_f1:.3f}, closure onset "
              f"{score.onset_mae * 1000:.1f} ms")
    print(f"stream - offline: {scores['stream'].lip_f1 - scores['offline'].lip_f1:+.3f} lip F1 (budget -0.05)")


if __name__ == "__main__":
    main()
