"""Lip F1 per language on the held-out synthetic voices (``data/val``), with transcript and audio only.

    .venv/bin/python -m lipsync_ai.training.evaluate --config training/config.toml [--weights PATH]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..core.audio import load_audio
from ..core.types import Segment
from ..inference.engine import align
from ..inference.model import WEIGHTS
from ..inference.network_timer import NetworkTimer
from .config import command_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from scoring import PhoneScore, score_phones  # noqa: E402


def main() -> None:
    parsed = command_config(__doc__, weights=str(WEIGHTS))
    if parsed is None:
        return
    args, config = parsed
    timer = NetworkTimer(weights=Path(args.weights))
    scores: dict[tuple[str, str], PhoneScore] = {}
    for meta_path in sorted((Path(config.data.dir) / "val").glob("*.json")):
        meta = json.loads(meta_path.read_text())
        audio = load_audio(meta_path.with_suffix(".wav"))
        ref = [Segment(p["label"], p["start"], p["end"]) for p in meta["phones"]]
        language = meta["language"]
        for mode, text in (("transcript", meta["text"]), ("audio", None)):
            result = align(audio, text, language, timer)
            score = score_phones(ref, result.phonemes, audio.duration)
            key = (language, mode)
            scores[key] = scores[key] + score if key in scores else score
    print(f"{'language':10} {'mode':11} {'lip F1':>7} {'closed':>7} {'F/V':>7} {'round':>7} {'onset ms':>9}")
    for (language, mode), s in sorted(scores.items()):
        print(f"{language:10} {mode:11} {s.lip_f1:7.3f} {s.counts['closed'].f1:7.3f} {s.counts['F/V'].f1:7.3f} "
              f"{s.counts['round'].f1:7.3f} {s.onset_mae * 1000:9.1f}")


if __name__ == "__main__":
    main()
