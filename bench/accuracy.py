"""Lip-sync timing accuracy on real speech, transcript and audio-only modes, as one table.

    .venv/bin/python bench/accuracy.py [--data DIR] [--weights FILE] [--device cpu|cuda]
        [--sets timit-dev,librivox,mfa,praatio] [--modes transcript,audio] [--recogniser pocketsphinx|none]
        [--json out.json]

Metrics are defined in ``scoring.py``. Audio-only mode recognises the words with pocketsphinx, as the product
does (``--recogniser none``: the network's own phone loop). ``timit-tune`` and ``timit-report`` are the two halves
of timit-dev by speaker: settings are chosen on ``timit-tune`` and real-auto, and ``timit-report`` is reported
untouched. The real-time factor is processing time (audio loading included;
one untimed warm-up per mode beforehand) over audio duration. An utterance that fails is reported on stderr
and left out of its row.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from references import SETS, Utterance, load_set
from scoring import CLOSED, FV, ROUND, PhoneScore, WordScore, score_phones, score_words

from lipsync_ai.inference.engine import align_file, default_timer
from lipsync_ai.inference.recogniser import PocketsphinxRecogniser, Recogniser
from lipsync_ai.inference.timing import Timer

REPO = Path(__file__).resolve().parents[1]
LANGUAGE = "en-us"
MODES = ("transcript", "audio")
Summary = dict[str, float | int | str]
"""One table row: metric name to value (NaN where undefined)."""


def make_timer(weights: Path | None, device: str) -> Timer:
    """The shipped timing network, or the one in ``weights`` (a checkpoint under evaluation)."""
    if weights is None:
        return default_timer(device)
    from lipsync_ai.inference.network_timer import NetworkTimer

    return NetworkTimer(device, weights)


@dataclass
class Row:
    """Pooled scores of one data set in one mode."""

    data_set: str
    mode: str
    utterances: int = 0
    failed: int = 0
    phones: PhoneScore = field(default_factory=PhoneScore)
    words: WordScore = field(default_factory=WordScore)
    seconds: float = 0.0
    audio_seconds: float = 0.0

    def summary(self) -> Summary:
        transcript = self.mode == "transcript"
        return {
            "set": self.data_set,
            "mode": self.mode,
            "utterances": self.utterances,
            "failed": self.failed,
            "lip_f1": self.phones.lip_f1,
            "closed_f1": self.phones.counts[CLOSED].f1,
            "fv_f1": self.phones.counts[FV].f1,
            "round_f1": self.phones.counts[ROUND].f1,
            "round_recall": self.phones.counts[ROUND].recall,
            "closure_onset_ms": self.phones.onset_mae * 1000,
            "word_mae_ms": self.words.mae * 1000 if transcript else math.nan,
            "words_within_20ms": self.words.share_within(0.020) if transcript else math.nan,
            "words_within_50ms": self.words.share_within(0.050) if transcript else math.nan,
            "words_matched": self.words.matched,
            "words_reference": self.words.references,
            "rtf": self.seconds / self.audio_seconds if self.audio_seconds else math.nan,
        }


def evaluate(data_set: str, mode: str, utterances: list[Utterance], timer: Timer,
             recogniser: Recogniser | None = None) -> Row:
    """Align every utterance in ``mode`` and pool its scores."""
    row = Row(data_set, mode)
    for utt in utterances:
        transcript = utt.transcript if mode == "transcript" else None
        try:
            began = time.perf_counter()
            result = align_file(utt.audio, transcript, LANGUAGE, timer, recogniser=recogniser)
            elapsed = time.perf_counter() - began
            phones = score_phones(utt.phones, result.phonemes, result.duration)
            words = score_words(utt.words, result.words) if transcript else WordScore()
        except Exception as exc:  # one bad utterance must not stop the benchmark
            print(f"FAILED {data_set}/{utt.name} ({mode}): {type(exc).__name__}: {exc}", file=sys.stderr)
            row.failed += 1
            continue
        row.utterances += 1
        row.phones += phones
        row.words += words
        row.seconds += elapsed
        row.audio_seconds += result.duration
    return row


def _field(key: str, fmt: str) -> Callable[[Summary], str]:
    def cell(summary: Summary) -> str:
        value = summary[key]
        return "-" if isinstance(value, float) and math.isnan(value) else fmt.format(value)

    return cell


def _utterances(s: Summary) -> str:
    scored, failed = int(s["utterances"]), int(s["failed"])
    return f"{scored}/{scored + failed}" if failed else str(scored)


def _words(s: Summary) -> str:
    return f"{s['words_matched']}/{s['words_reference']}" if s["mode"] == "transcript" else "-"


COLUMNS: tuple[tuple[str, Callable[[Summary], str]], ...] = (
    ("set", _field("set", "{}")),
    ("mode", _field("mode", "{}")),
    ("utts", _utterances),
    ("lip F1", _field("lip_f1", "{:.3f}")),
    ("closed F1", _field("closed_f1", "{:.3f}")),
    ("F/V F1", _field("fv_f1", "{:.3f}")),
    ("round F1", _field("round_f1", "{:.3f}")),
    ("round R", _field("round_recall", "{:.3f}")),
    ("onset ms", _field("closure_onset_ms", "{:.1f}")),
    ("words", _words),
    ("word MAE ms", _field("word_mae_ms", "{:.1f}")),
    ("≤20ms", _field("words_within_20ms", "{:.0%}")),
    ("≤50ms", _field("words_within_50ms", "{:.0%}")),
    ("RTF", _field("rtf", "{:.2g}")),
)
"""Table columns: heading and cell text; undefined values show as ``-``, failed utterances as ``ok/all``."""


def format_table(summaries: list[Summary]) -> str:
    """Plain-text table, one line per summary."""
    rows = [[head for head, _ in COLUMNS]] + [[cell(s) for _, cell in COLUMNS] for s in summaries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def warm_up(timer: Timer, recogniser: Recogniser | None, utterance: Utterance, modes: list[str]) -> None:
    """Align once per mode, untimed, so that loading dictionaries and models stays out of the RTF."""
    for mode in modes:
        transcript = utterance.transcript if mode == "transcript" else None
        with contextlib.suppress(Exception):  # a failure here shows up, reported, in the real run
            align_file(utterance.audio, transcript, LANGUAGE, timer, recogniser=recogniser)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--weights", type=Path, help="network weights to score (default: the shipped ones)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--sets", default="timit-dev,librivox,mfa,praatio")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--recogniser", default="pocketsphinx", choices=("pocketsphinx", "none"),
                        help="what finds the words in audio-only mode")
    parser.add_argument("--json", type=Path, help="also write the summaries here")
    args = parser.parse_args(argv)
    sets, modes = args.sets.split(","), args.modes.split(",")
    unknown = [s for s in sets if s not in SETS] + [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown {', '.join(unknown)}; sets: {', '.join(SETS)}; modes: {', '.join(MODES)}")

    timer = make_timer(args.weights, args.device)
    data = {name: load_set(args.data, name) for name in sets}
    first = next((u for utterances in data.values() for u in utterances), None)
    if first is None:
        parser.error(f"no utterances under {args.data}")
    recogniser = PocketsphinxRecogniser() if args.recogniser == "pocketsphinx" else None
    warm_up(timer, recogniser, first, modes)
    summaries = [evaluate(name, mode, data[name], timer, recogniser).summary() for name in sets for mode in modes]
    timer_name = args.weights or "shipped weights"
    print(f"timer: {type(timer).__name__} ({timer_name}, {args.device}); audio-only words: "
          f"{recogniser.name if recogniser else 'network phone loop'}; data: {args.data}")
    print(format_table(summaries))
    if any(s["failed"] for s in summaries):
        print("some utterances failed and were left out (utts = scored/all; reasons on stderr)")
    if args.json:
        rows = [
            {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in s.items()}
            for s in summaries
        ]
        args.json.write_text(json.dumps({"timer": str(timer_name), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
