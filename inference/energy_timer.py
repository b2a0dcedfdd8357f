"""Placeholder timing until the network lands: speech/silence detection plus duration-proportional placement."""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import numpy as np

from ..core.types import SILENCE, Alignment, Audio, Segment, WordPron

_VOWELS = set("AEIOU") | set("aeiouɑɐæʌɛəɪʊɔøœyɯɨ")


def _weight(phone: str) -> float:
    return 2.0 if phone[0] in _VOWELS else 1.0


class EnergyTimer:
    def align(self, audio: Audio, words: Sequence[WordPron] | None, language: str) -> Alignment:
        hop = 160
        spans = librosa.effects.split(audio.samples, top_db=35, frame_length=640, hop_length=hop)
        speech = [(a / audio.sample_rate, b / audio.sample_rate) for a, b in spans] or [(0.0, audio.duration)]
        if words is None:
            words = [WordPron("", ("AH",)) for _ in speech]
        phones = [(i, p) for i, w in enumerate(words) for p in w.phones]
        weights = np.array([_weight(p) for _, p in phones])
        # Lay the phones end to end on the concatenated speech spans, proportional to their weights.
        lengths = np.array([b - a for a, b in speech])
        edges = np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * lengths.sum()
        offsets = np.concatenate([[0.0], np.cumsum(lengths)])

        def to_time(x: float) -> float:
            k = min(int(np.searchsorted(offsets, x, side="right")) - 1, len(speech) - 1)
            return speech[k][0] + x - offsets[k]

        phonemes: list[Segment] = []
        word_spans: dict[int, list[float]] = {}
        cursor = 0.0
        for (word_index, phone), a, b in zip(phones, edges[:-1], edges[1:], strict=True):
            start, end = to_time(a), to_time(b - 1e-9)
            if start - cursor > 1e-4:
                phonemes.append(Segment(SILENCE, cursor, start))
            else:
                start = cursor
            phonemes.append(Segment(phone, start, end))
            word_spans.setdefault(word_index, [start, end])[1] = end
            cursor = end
        if audio.duration - cursor > 1e-4:
            phonemes.append(Segment(SILENCE, cursor, audio.duration))
        else:
            phonemes[-1] = Segment(phonemes[-1].label, phonemes[-1].start, audio.duration)
        timed_words = [Segment(words[i].word, a, b) for i, (a, b) in word_spans.items() if words[i].word]
        return Alignment(audio.duration, language, timed_words, phonemes)
