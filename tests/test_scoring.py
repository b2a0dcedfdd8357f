"""Lip-sync timing metrics (bench/scoring.py) and the benchmark loop (bench/accuracy.py) on hand-made data."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

import accuracy  # noqa: E402
import scoring  # noqa: E402
from scoring import phone_class, score_phones, score_words  # noqa: E402

from lipsync_ai.core.phone_classes import CLOSED, FV, OPEN, REST, ROUND  # noqa: E402
from lipsync_ai.core.types import Alignment, Audio, Segment, WordPron  # noqa: E402


def track(spec: str) -> list[Segment]:
    """Consecutive phones from ``"LABEL:ms LABEL:ms ..."``, starting at 0."""
    segments, t = [], 0
    for item in spec.split():
        label, ms = item.rsplit(":", 1)
        segments.append(Segment(label, t / 1000, (t + int(ms)) / 1000))
        t += int(ms)
    return segments


REF = track("SIL:100 M:60 AA:120 F:50 IY:100 B:70 UW:150 SIL:100")


def test_phone_classes() -> None:
    assert [phone_class(p) for p in ("M", "b", "P", "em", "bcl", "pcl")] == [CLOSED] * 6
    assert [phone_class(p) for p in ("F", "v", "ɱ")] == [FV] * 3
    assert [phone_class(p) for p in ("UW1", "uh", "W", "OW0", "ux", "uː", "ʊ", "oʊ", "o")] == [ROUND] * 9
    assert [phone_class(p) for p in ("SIL", "", "sil", "sp", "spn", "h#", "pau", "epi")] == [REST] * 8
    assert [phone_class(p) for p in ("AA1", "OY", "t", "ɚ", "ɒ", "dcl", "aj")] == [OPEN] * 7


def test_identical_prediction_scores_perfectly() -> None:
    score = score_phones(REF, REF, 0.75)
    assert score.lip_f1 == 1.0
    assert all(score.counts[c].f1 == 1.0 for c in (CLOSED, FV, ROUND))
    assert score.counts[CLOSED].references == 2
    assert score.onset_errors == [0.0, 0.0]


def test_closure_shifted_20ms_is_still_hit() -> None:
    pred = track("SIL:120 M:60 AA:100 F:50 IY:100 B:70 UW:150 SIL:100")
    score = score_phones(REF, pred, 0.75)
    assert score.counts[CLOSED].recall == 1.0
    assert score.counts[CLOSED].precision == 1.0
    assert score.onset_mae == pytest.approx(0.010)  # M 20 ms late, B on time


def test_short_closure_shifted_60ms_is_missed() -> None:
    ref = track("SIL:100 P:20 AA:200")
    pred = track("SIL:160 P:20 AA:140")  # 40 ms gap: beyond the 33 ms tolerance
    counts = score_phones(ref, pred, 0.32).counts[CLOSED]
    assert (counts.references, counts.hits, counts.predictions, counts.correct) == (1, 0, 1, 0)
    assert counts.f1 == 0.0
    near = track("SIL:130 P:20 AA:170")  # 10 ms gap: within tolerance
    assert score_phones(ref, near, 0.32).counts[CLOSED].f1 == 1.0


def test_missing_fv_event_lowers_recall() -> None:
    ref = REF[:-1] + track("SIL:750 V:50 SIL:100")[1:]
    pred = REF[:-1] + [Segment("SIL", 0.65, 0.9)]  # the V at 0.75 s is not predicted
    score = score_phones(ref, pred, 0.9)
    assert score.counts[FV].recall == 0.5
    assert score.counts[FV].precision == 1.0
    assert score.counts[CLOSED].f1 == 1.0
    assert score.lip_f1 == pytest.approx((1.0 + 2 / 3) / 2)


def test_extra_closed_events_lower_precision() -> None:
    # An extra P 50 ms after the M and an extra M 80 ms after the B: both beyond the tolerance.
    pred = track("SIL:100 M:60 AA:50 P:30 AA:40 F:50 IY:100 B:70 UW:80 M:30 UW:40 SIL:100")
    counts = score_phones(REF, pred, 0.75).counts[CLOSED]
    assert counts.recall == 1.0
    assert counts.precision == pytest.approx(2 / 4)


def test_timit_closure_and_release_fold_into_one_event() -> None:
    ref = track("h#:100 ae:100 bcl:50 b:20 iy:100 pcl:40 p:10 h#:80")
    pred = track("SIL:100 AE:100 B:70 IY:100 P:50 SIL:80")
    score = score_phones(ref, pred, 0.5)
    counts = score.counts[CLOSED]
    assert (counts.references, counts.hits, counts.predictions, counts.correct) == (2, 2, 2, 2)
    assert score.onset_errors == [0.0, 0.0]


def test_events_on_grid() -> None:
    grid = scoring.class_grid(track("SIL:20 M:35 P:30 AA:10"), 0.1)
    assert len(grid) == 10
    starts, ends = scoring.events(grid, CLOSED)
    assert starts.tolist() == [2] and ends.tolist() == [8]  # M: frames 2-4, P: 5-7 (by frame centre)


def test_word_boundary_errors() -> None:
    ref = [Segment("She", 0.10, 0.30), Segment("had", 0.30, 0.50), Segment("your", 0.55, 0.70)]
    pred = [
        Segment("she", 0.11, 0.33),
        Segment("um", 0.33, 0.40),
        Segment("had,", 0.40, 0.50),
        Segment("you're", 0.52, 0.70),
    ]
    score = score_words(ref, pred)
    assert (score.matched, score.references) == (2, 3)
    assert sorted(score.errors) == pytest.approx([0.0, 0.01, 0.03, 0.10])
    assert score.mae == pytest.approx(0.035)
    assert score.share_within(0.020) == 0.5
    assert score.share_within(0.050) == 0.75


class OracleTimer:
    """Test double: returns the given timing whatever the audio; fails when told to."""

    def __init__(self, phones: Sequence[Segment], fail: bool = False) -> None:
        self.phones, self.fail = list(phones), fail

    def align(self, audio: Audio, words: Sequence[WordPron] | None, language: str) -> Alignment:
        if self.fail:
            raise RuntimeError("boom")
        return Alignment(audio.duration, language, [], self.phones)


def test_benchmark_loop_pools_and_survives_failures(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    soundfile.write(wav, np.random.default_rng(0).uniform(-0.5, 0.5, 12000).astype(np.float32), 16000)
    utt = accuracy.Utterance("a", wav, "ma", REF, [])
    row = accuracy.evaluate("toy", "audio", [utt, utt], OracleTimer(REF))
    summary = row.summary()
    assert (summary["utterances"], summary["failed"], summary["lip_f1"]) == (2, 0, 1.0)
    assert row.phones.counts[CLOSED].references == 4
    assert math.isnan(summary["word_mae_ms"])
    failed = accuracy.evaluate("toy", "audio", [utt], OracleTimer(REF, fail=True))
    assert (failed.utterances, failed.failed) == (0, 1)
    table = accuracy.format_table([summary, failed.summary()]).splitlines()
    assert table[2].split()[:4] == ["toy", "audio", "2", "1.000"]
    assert table[3].split()[:4] == ["toy", "audio", "0/1", "-"]
