"""Lip-sync timing metrics: phone classes on a 10 ms grid, event hits within a tolerance, word boundaries.

Pure functions over ``Segment`` lists (times in seconds); no torch, no bpy. The definitions:

* Phones map to a mouth class: closed (M B P), F/V (F V), round (UW UH W OW), rest (silence), open (the rest),
  read from the phone inventory (``core/phone_classes.py``): ARPAbet, TIMIT's 61 symbols, flite names and IPA.
* Both label tracks go onto a 10 ms grid (frame ``i`` takes the class at ``(i + 0.5) * 10 ms``); an event is a
  maximal run of one class.
* A reference event is *hit*, and a predicted event *correct*, when an event of the same class on the
  other track lies within ``TOLERANCE`` of it (they overlap once one is widened by the tolerance each side).
* Counts are pooled over utterances (micro-average) before recall, precision and F1 are taken.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lipsync_ai.core.phone_classes import CLOSED, FV, MOUTHS, REST, ROUND, phone_info
from lipsync_ai.core.types import Segment

CLASSES = MOUTHS
SCORED = (CLOSED, FV, ROUND)
"""Classes whose events are scored."""

FRAME = 0.010
"""Grid step in seconds."""
TOLERANCE = 0.033
"""How far (seconds) an event may sit from its counterpart and still count."""


def phone_class(label: str) -> str:
    """Mouth class of a phone label (ARPAbet with or without stress, TIMIT, or IPA): its class's in the inventory,
    so ``uː``, ``oʊ``, ``mʲ`` and ``pʰ`` keep the class of their base letter; unknown labels are open."""
    return phone_info(label).mouth


def class_grid(phones: Sequence[Segment], duration: float) -> np.ndarray:
    """Class index (into ``CLASSES``) of every 10 ms frame of ``[0, duration)``; uncovered frames are rest."""
    n = max(0, math.ceil(duration / FRAME - 1e-9))
    grid = np.full(n, CLASSES.index(REST), dtype=np.int8)
    if not phones or not n:
        return grid
    ordered = sorted(phones, key=lambda s: s.start)
    starts = np.array([s.start for s in ordered])
    ends = np.array([s.end for s in ordered])
    codes = np.array([CLASSES.index(phone_class(s.label)) for s in ordered], dtype=np.int8)
    centres = (np.arange(n) + 0.5) * FRAME
    idx = np.searchsorted(starts, centres, side="right") - 1
    inside = (idx >= 0) & (centres < ends[np.clip(idx, 0, None)])
    grid[inside] = codes[idx[inside]]
    return grid


def events(grid: np.ndarray, cls: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end frame (end exclusive) of each maximal run of ``cls`` in ``grid``."""
    on = np.concatenate(([0], (grid == CLASSES.index(cls)).astype(np.int8), [0]))
    edges = np.diff(on)
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


@dataclass
class EventCounts:
    """Event counts of one class; add them to pool utterances."""

    references: int = 0
    hits: int = 0
    predictions: int = 0
    correct: int = 0

    def __add__(self, other: EventCounts) -> EventCounts:
        return EventCounts(
            self.references + other.references,
            self.hits + other.hits,
            self.predictions + other.predictions,
            self.correct + other.correct,
        )

    @property
    def recall(self) -> float:
        return self.hits / self.references if self.references else math.nan

    @property
    def precision(self) -> float:
        return self.correct / self.predictions if self.predictions else math.nan

    @property
    def f1(self) -> float:
        """Harmonic mean of recall and precision; 0 when either is 0 or undefined while the other is not."""
        if not self.references and not self.predictions:
            return math.nan
        r = self.recall if self.references else 0.0
        p = self.precision if self.predictions else 0.0
        return 2 * r * p / (r + p) if r + p else 0.0


@dataclass
class PhoneScore:
    """Event counts per scored class and the onset errors (seconds) of hit closed events."""

    counts: dict[str, EventCounts] = field(default_factory=lambda: {c: EventCounts() for c in SCORED})
    onset_errors: list[float] = field(default_factory=list)

    def __add__(self, other: PhoneScore) -> PhoneScore:
        return PhoneScore(
            {c: self.counts[c] + other.counts[c] for c in SCORED}, self.onset_errors + other.onset_errors
        )

    @property
    def lip_f1(self) -> float:
        """Mean of the closed and F/V F1."""
        return (self.counts[CLOSED].f1 + self.counts[FV].f1) / 2

    @property
    def onset_mae(self) -> float:
        return float(np.mean(self.onset_errors)) if self.onset_errors else math.nan


def match_events(
    ref: tuple[np.ndarray, np.ndarray], pred: tuple[np.ndarray, np.ndarray], tolerance: float = TOLERANCE
) -> tuple[EventCounts, list[float]]:
    """Hits and correct predictions between two event lists (frame units), and each hit's onset offset (s).

    A hit reference event's onset offset is the start of the overlapping predicted event with the nearest start,
    minus its own (negative when the prediction is early).
    """
    (rs, re_), (ps, pe) = ref, pred
    tol = tolerance / FRAME
    near = (ps[None, :] < re_[:, None] + tol) & (pe[None, :] > rs[:, None] - tol)
    hit = near.any(axis=1)
    offsets = np.where(near, ps[None, :] - rs[:, None], np.inf)[hit]
    onsets = [float(row[np.abs(row).argmin()]) * FRAME for row in offsets]
    counts = EventCounts(len(rs), int(hit.sum()), len(ps), int(near.any(axis=0).sum()))
    return counts, onsets


def score_phones(
    ref: Sequence[Segment], pred: Sequence[Segment], duration: float, tolerance: float = TOLERANCE
) -> PhoneScore:
    """Score predicted phones against reference phones over ``[0, duration)``."""
    ref_grid, pred_grid = class_grid(ref, duration), class_grid(pred, duration)
    score = PhoneScore()
    for cls in SCORED:
        counts, onsets = match_events(events(ref_grid, cls), events(pred_grid, cls), tolerance)
        score.counts[cls] = counts
        if cls == CLOSED:
            score.onset_errors = [abs(onset) for onset in onsets]
    return score


def normalise_word(word: str) -> str:
    """Lower case letters and digits only; a pronunciation-variant suffix such as ``to(2)`` is dropped."""
    return re.sub(r"[\W_]", "", re.sub(r"\(\d+\)$", "", word.lower()))


@dataclass
class WordScore:
    """Boundary errors (seconds, starts and ends) of matched words; add them to pool utterances."""

    errors: list[float] = field(default_factory=list)
    matched: int = 0
    references: int = 0

    def __add__(self, other: WordScore) -> WordScore:
        return WordScore(
            self.errors + other.errors, self.matched + other.matched, self.references + other.references
        )

    @property
    def mae(self) -> float:
        return float(np.mean(self.errors)) if self.errors else math.nan

    def share_within(self, limit: float) -> float:
        """Share of boundaries whose error is at most ``limit`` seconds."""
        if not self.errors:
            return math.nan
        return float(np.mean(np.asarray(self.errors) <= limit + 1e-9))


def score_words(ref: Sequence[Segment], pred: Sequence[Segment]) -> WordScore:
    """Start and end errors of predicted words against reference words.

    The two word sequences are aligned on normalised spelling (difflib); only matched pairs are scored.
    """
    ref_norm = [normalise_word(w.label) for w in ref]
    pred_norm = [normalise_word(w.label) for w in pred]
    matcher = difflib.SequenceMatcher(None, ref_norm, pred_norm, autojunk=False)
    errors: list[float] = []
    matched = 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            r, p = ref[block.a + k], pred[block.b + k]
            errors += [abs(p.start - r.start), abs(p.end - r.end)]
            matched += 1
    return WordScore(errors, matched, len(ref))
