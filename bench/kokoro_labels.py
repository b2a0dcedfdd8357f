"""How well Kokoro's derived phone labels agree with the timing network's forced alignment of the same audio.

    .venv/bin/python bench/kokoro_labels.py [--language en-us] [--clips 30] [--weights FILE]

Needs the training extra (``pip install -e ".[train]"``). Speaks ``--clips`` random utterances with Kokoro
(``training/kokoro.py``), aligns each with its text, and scores the alignment with the labels as reference:
lip F1 and, per lip class, the median signed onset offset (aligned minus label), which is how the label lead
``LEAD`` was checked. Use weights trained without Kokoro (``--weights``) for an independent check.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import soundfile
from accuracy import make_timer
from scoring import CLOSED, FV, PhoneScore, class_grid, events, match_events, score_phones

from lipsync_ai.core.types import Segment
from lipsync_ai.inference.engine import align_file
from lipsync_ai.training.kokoro import ESPEAK_VOICE, VOICES, kokoro
from lipsync_ai.training.texts import TextSource
from lipsync_ai.training.tts import RATE


def signed_onsets(ref: list[Segment], pred: list[Segment], duration: float, cls: str) -> list[float]:
    """For each hit reference event of ``cls``, the nearest overlapping predicted event's start minus its own (s)."""
    ref_grid, pred_grid = class_grid(ref, duration), class_grid(pred, duration)
    return match_events(events(ref_grid, cls), events(pred_grid, cls))[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en-us", choices=sorted(ESPEAK_VOICE))
    parser.add_argument("--clips", type=int, default=30)
    parser.add_argument("--weights", type=Path, help="network weights to align with (default: the shipped ones)")
    args = parser.parse_args()
    timer, texts, engine = make_timer(args.weights, "cpu"), TextSource(5), kokoro()
    score, onsets = PhoneScore(), {CLOSED: [], FV: []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.clips):
            rng = np.random.default_rng(i)
            text = texts.text(args.language, 1 + i % 2)
            pair = rng.choice(VOICES, 2, replace=False)
            utt = engine.synth(text, args.language, (str(pair[0]), str(pair[1])), float(rng.uniform()), 1.0)
            if utt is None:
                continue
            wav = Path(tmp) / f"{i}.wav"
            soundfile.write(wav, utt.samples, RATE)
            result = align_file(wav, text, args.language, timer)
            ref = [Segment(lab, float(s), float(e)) for lab, s, e in zip(utt.labels, utt.starts, utt.ends, strict=True)]
            score += score_phones(ref, result.phonemes, result.duration)
            for cls in onsets:
                onsets[cls] += signed_onsets(ref, result.phonemes, result.duration, cls)
    print(f"{args.language}, {args.clips} clips, weights: {args.weights or 'shipped'}")
    print(f"lip F1 {score.lip_f1:.3f} (closed {score.counts[CLOSED].f1:.3f}, F/V {score.counts[FV].f1:.3f})")
    for cls, values in onsets.items():
        if values:
            print(f"{cls} onsets, aligned minus label: median {np.median(values) * 1000:+.0f} ms over {len(values)}")


if __name__ == "__main__":
    main()
