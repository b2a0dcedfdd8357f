"""Coarticulation: which viseme shapes the mouth on each frame, with anticipation, carry-over and contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .settings import CONTACT, AnimationSettings
from .types import Segment

DOMINANCE = {"PP": 3.0, "FF": 2.5}
"""How strongly a viseme holds the mouth against its neighbours: contacts must read."""
ANTICIPATION = {"U": 1.8, "O": 1.5, "CH": 1.3, "RR": 1.3}
"""Lip rounding starts earlier than other gestures (it anticipates across consonants)."""
VISIBILITY = {"kk": 0.3, "nn": 0.4, "DD": 0.5, "TH": 0.6, "SS": 0.7, "RR": 0.8, "E": 0.8, "I": 0.8, "sil": 0.5}
"""How much a viseme shows on the lips (1 unless listed): the less, the longer it must last to be kept."""


def simplify_track(track: list[Segment], settings: AnimationSettings) -> list[Segment]:
    """Drop visemes too short to articulate (below the min hold or faster than the max rate), least visible first.

    The less a viseme shows, the longer it must last to be kept, and none is kept shorter than the min hold
    (one frame by default). A dropped viseme's time goes to its neighbours (all of it to the other one when a
    neighbour is a contact, so contacts keep their timing); contacts (M/B/P, F/V) are never dropped: one shorter
    than the min hold is widened to it with time from its neighbours.
    """
    hold = settings.min_hold / settings.fps
    shortest = max(hold, 1.0 / settings.max_rate if settings.max_rate > 0 else 0.0)
    track = list(track)
    while len(track) > 1:
        margin = [(s.end - s.start) / max(shortest * (1.5 - VISIBILITY.get(s.label, 1.0)), hold) for s in track]
        droppable = [i for i, s in enumerate(track) if s.label not in CONTACT and margin[i] < 1.0]
        if not droppable:
            break
        i = min(droppable, key=margin.__getitem__)
        seg = track.pop(i)
        before = track[i - 1] if i > 0 else None
        after = track[i] if i < len(track) else None
        middle = (seg.start + seg.end) / 2
        if before is None or before.label in CONTACT and after is not None and after.label not in CONTACT:
            middle = seg.start
        elif after is None or after.label in CONTACT and before.label not in CONTACT:
            middle = seg.end
        if before is not None:
            track[i - 1] = Segment(before.label, before.start, middle if after is not None else seg.end)
        if after is not None:
            track[i] = Segment(after.label, middle if before is not None else seg.start, after.end)
        track = _merge_same(track)
    return _widen_contacts(track, hold)


def _widen_contacts(track: list[Segment], hold: float) -> list[Segment]:
    """Contacts shorter than ``hold`` widened to it, half from each neighbour that is not a contact (each keeps at
    least ``hold``)."""
    track = list(track)
    for i, seg in enumerate(track):
        need = hold - (seg.end - seg.start)
        if seg.label not in CONTACT or need <= 1e-9:
            continue
        before, after = (_spare(track[j], hold) if 0 <= j < len(track) else 0.0 for j in (i - 1, i + 1))
        take_before = min(before, max(need / 2, need - after))
        take_after = min(after, need - take_before)
        start, end = seg.start - take_before, seg.end + take_after
        if take_before:
            track[i - 1] = Segment(track[i - 1].label, track[i - 1].start, start)
        if take_after:
            track[i + 1] = Segment(track[i + 1].label, end, track[i + 1].end)
        track[i] = Segment(seg.label, start, end)
    return track


def _spare(seg: Segment, hold: float) -> float:
    """The time a contact's neighbour can give it: what it has beyond ``hold``, none if it is a contact itself."""
    return 0.0 if seg.label in CONTACT else max(0.0, seg.end - seg.start - hold)


def _merge_same(track: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in track:
        if merged and merged[-1].label == seg.label:
            merged[-1] = Segment(seg.label, merged[-1].start, seg.end)
        else:
            merged.append(seg)
    return merged


REACH = 40.0
"""Dominance falls as ``exp(-x)``; on each frame, segments whose ``x`` exceeds the frame's smallest by more than this
(a share below 1e-17 each) are left out of its band, so memory grows with the clip, not with its square."""


@dataclass(frozen=True)
class Shares:
    """A frames x segments matrix of shares stored as a band: row ``f`` holds the columns (segments) ``first[f]``
    to ``first[f] + width - 1``; the shares outside it are negligible and count as zero."""

    values: np.ndarray
    """``(frames, width)``."""
    first: np.ndarray
    """``(frames,)`` the first segment of each row's band."""

    @property
    def columns(self) -> np.ndarray:
        """``(frames, width)`` the segment of each value."""
        return self.first[:, None] + np.arange(self.values.shape[1])

    def gather(self, per_segment: np.ndarray) -> np.ndarray:
        """``per_segment[s]`` laid out like ``values``: ``(frames, width, ...)``."""
        return np.asarray(per_segment)[self.columns]

    def scaled(self, factor: np.ndarray) -> Shares:
        """Each value times ``factor``'s (laid out like ``values``, e.g. by ``gather``)."""
        return Shares(self.values * factor, self.first)

    def __matmul__(self, per_segment: np.ndarray) -> np.ndarray:
        """The dense matrix times ``(segments,)`` or ``(segments, d)``: ``(frames,)`` or ``(frames, d)``."""
        return np.einsum("fk,fk...->f...", self.values, self.gather(per_segment))

    def argmax(self) -> np.ndarray:
        """Per frame, the segment with the largest share."""
        return self.first + np.argmax(self.values, axis=1)


def dominance_weights(track: list[Segment], times: np.ndarray, settings: AnimationSettings) -> Shares:
    """Per frame each segment's share of the mouth (shares sum to 1) of a track in time order.

    A viseme fully dominates its own span; before it, its dominance rises over ``anticipation`` (the lips get
    ready early), after it, it decays over ``blend_time`` (carry-over). Contacts dominate harder.
    """
    starts = np.array([s.start for s in track])
    ends = np.array([s.end for s in track])
    strength = np.array([DOMINANCE.get(s.label, 1.0) for s in track])
    ahead = np.maximum(np.array([settings.anticipation * ANTICIPATION.get(s.label, 1.0) for s in track]), 1e-6)
    blend = max(settings.blend_time, 1e-6)
    # An upper bound of each frame's smallest exponent: 0 inside a segment, else its nearer neighbour's.
    last = np.searchsorted(starts, times, side="right") - 1
    left = np.where(last >= 0, (times - ends[np.maximum(last, 0)]) / blend, np.inf)
    right = np.where(last + 1 < len(track), (starts[np.minimum(last + 1, len(track) - 1)] - times)
                     / ahead[np.minimum(last + 1, len(track) - 1)], np.inf)
    nearest = np.maximum(np.minimum(left, right), 0.0) + REACH
    low = np.searchsorted(ends, times - nearest * blend, side="left")
    high = np.searchsorted(starts, times + nearest * ahead.max(), side="right")
    width = max(1, int((high - low).max(initial=1)))
    first = np.clip(low, 0, len(track) - width)
    columns = first[:, None] + np.arange(width)
    t = times[:, None]
    before = np.maximum(0.0, starts[columns] - t) / ahead[columns]
    after = np.maximum(0.0, t - ends[columns]) / blend
    dominance = strength[columns] * np.exp(-(before + after))
    return Shares(dominance / dominance.sum(axis=1, keepdims=True), first)


def enforce_contacts(weights: Shares, track: list[Segment], times: np.ndarray) -> tuple[Shares, list[int]]:
    """Make every contact reach its pose on at least one frame; returns the weights and those frames.

    The frame is the one inside the contact's span where it already dominates most (the nearest frame to its
    middle when no frame falls inside); the others share what is left in their proportions. ``times`` ascend.
    """
    values = weights.values.copy()
    frames = []
    for i, seg in enumerate(track):
        share = CONTACT.get(seg.label)
        if share is None:
            continue
        inside = np.arange(np.searchsorted(times, seg.start), np.searchsorted(times, seg.end, side="right"))
        if len(inside):  # a segment is in the band of every frame it covers
            f = int(inside[np.argmax(values[inside, i - weights.first[inside]])])
        else:
            f = int(np.argmin(np.abs(times - (seg.start + seg.end) / 2)))
        k = i - int(weights.first[f])
        target = max(share + 0.01, values[f, k])
        rest = values[f].sum() - values[f, k]
        if rest > 0:
            values[f] *= (1.0 - target) / rest
        values[f, k] = target
        frames.append(f)
    return Shares(values, weights.first), frames


HOLD = 0.9
"""A viseme holds its pose on the frames where its share is at least this much of its largest."""


def pose_frames(weights: Shares, track: list[Segment], times: np.ndarray, contacts: list[int]) -> np.ndarray:
    """The frames an animator would key: each viseme's apex (the frame inside its span where it dominates most; a
    held viseme's first and last frame at its full share), every contact frame and the clip's ends. ``times``
    ascend."""
    keys = {0, len(times) - 1, *contacts}
    for i, seg in enumerate(track):
        inside = np.arange(np.searchsorted(times, seg.start), np.searchsorted(times, seg.end, side="right"))
        inside = inside[inside < len(times)]
        if not len(inside):
            continue
        share = weights.values[inside, i - weights.first[inside]]
        held = inside[share >= HOLD * share.max()]
        keys.update((int(held[0]), int(held[-1])) if held[-1] - held[0] > 2 else (int(inside[np.argmax(share)]),))
    return np.array(sorted(keys), dtype=np.int64)
