"""Kokoro's per-token durations become phone labels: spaces and short punctuation go to the neighbouring phones,
long punctuation is a pause, the audio's lead is taken off, and English is written in Kokoro's symbols."""

import numpy as np
import pytest

from lipsync_ai.training.kokoro import KOKORO_RATE, LEAD, UNIT, kokoro_symbols, phone_spans, speech_end

SECONDS = UNIT / KOKORO_RATE


def test_spaces_and_short_punctuation_split_between_neighbours_and_long_punctuation_is_a_pause():
    items = ["h", "ə", " ", "l", "oʊ", ",", " ", "w", "ɜː", "."]
    counts = np.array([10, 2, 3, 2, 2, 6, 4, 2, 2, 5, 8])  # leading silence, then one count per item
    spans = phone_spans(items, counts)
    assert [label for label, _, _ in spans] == ["h", "ə", "l", "oʊ", "SIL", "w", "ɜː", "SIL"]
    starts = np.array([s for _, s, _ in spans]) / SECONDS + LEAD / SECONDS
    ends = np.array([e for _, _, e in spans]) / SECONDS + LEAD / SECONDS
    np.testing.assert_allclose(starts, [10, 12, 16, 19, 25, 30, 33, 38])
    np.testing.assert_allclose(ends, [12, 16, 19, 25, 30, 33, 38, 46])  # ə ends mid-space, SIL gives half to w


def test_short_final_punctuation_belongs_to_the_last_phone():
    spans = phone_spans(["a", "."], np.array([4, 6, 1]))
    assert [label for label, _, _ in spans] == ["a"]
    assert spans[0][2] == pytest.approx(10.5 * SECONDS - LEAD)


@pytest.mark.parametrize(("espeak", "kokoro"), [("ˈaɪ", "ˈI"), ("dʒ", "ʤ"), ("ɜː", "ɜɹ"), ("ˌoʊ", "ˌO"), ("iː", "i"),
                                                  ("ɚ", "əɹ"), ("t", "t")])
def test_english_phones_are_written_in_misaki_symbols(espeak, kokoro):
    assert kokoro_symbols(espeak, "en-us") == kokoro
    assert kokoro_symbols(espeak, "es") == espeak


def test_speech_ends_where_the_energy_does():
    rate = 24000
    t = np.arange(rate * 2) / rate
    samples = np.where(t < 1.23, 0.5 * np.sin(2 * np.pi * 200 * t), 1e-4 * np.sin(2 * np.pi * 50 * t))
    assert speech_end(samples, rate) == pytest.approx(1.23, abs=0.011)
