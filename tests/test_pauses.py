"""Speech stretches cut at pauses: what the recogniser decodes piece by piece."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lipsync_ai.core.pauses import speech_spans

RATE = 16000


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def test_sounds_between_pauses_are_found_with_their_padding():
    samples = np.concatenate([quiet(0.5), tone(1.0), quiet(0.8), tone(0.6), quiet(0.5)])
    spans = speech_spans(samples, RATE, pad=0.1)
    assert len(spans) == 2
    (a0, b0), (a1, b1) = spans
    assert abs(a0 - 0.4) < 0.02 and abs(b0 - 1.6) < 0.02
    assert abs(a1 - 2.2) < 0.02 and abs(b1 - 3.0) < 0.02


def test_a_short_gap_does_not_split_and_an_all_quiet_clip_has_no_speech():
    samples = np.concatenate([tone(1.0), quiet(0.1), tone(1.0)])
    assert len(speech_spans(samples, RATE)) == 1
    assert speech_spans(quiet(2.0), RATE) == []


def test_long_speech_is_cut_into_pieces_no_longer_than_the_limit():
    samples = np.concatenate([tone(2.0, 0.1 + 0.05 * (i % 3)) for i in range(10)])
    spans = speech_spans(samples, RATE, max_span=5.0)
    assert len(spans) >= 4
    assert all(b - a <= 5.0 + 1e-9 for a, b in spans)
    assert all(b0 <= a1 for (_, b0), (a1, _) in zip(spans, spans[1:], strict=False))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0.05, 2.0)), min_size=1, max_size=12))
def test_spans_are_ordered_disjoint_and_inside_the_clip(parts):
    samples = np.concatenate([tone(s) if loud else quiet(s) for loud, s in parts])
    total = len(samples) / RATE
    spans = speech_spans(samples, RATE, max_span=3.0)
    assert all(0 <= a < b <= total + 1e-9 for a, b in spans)
    assert all(b0 <= a1 + 1e-9 for (_, b0), (a1, _) in zip(spans, spans[1:], strict=False))
