"""Speech stretches of a clip, split at its pauses: how a recogniser's work is cut into pieces (numpy only)."""

from __future__ import annotations

import numpy as np

FRAME = 0.01
"""Seconds per energy frame."""

SILENT_DB = -60.0
"""Frames below this (dB re full scale) are quiet however quiet the whole clip is."""


def frame_energy(samples: np.ndarray, rate: int) -> np.ndarray:
    """Per 10 ms frame, the mean square of the samples in dB (floored at -100 dB)."""
    hop = max(1, int(rate * FRAME))
    n = len(samples) // hop
    if n == 0:
        return np.zeros(0)
    power = np.square(samples[: n * hop].astype(np.float64)).reshape(n, hop).mean(axis=1)
    return 10 * np.log10(np.maximum(power, 1e-10))


def speech_spans(samples: np.ndarray, rate: int, *, min_pause: float = 0.3, max_span: float = 12.0,
                 floor_db: float = 35.0, pad: float = 0.15) -> list[tuple[float, float]]:
    """``(start, end)`` seconds of the clip's stretches of sound, cut at pauses of at least ``min_pause``.

    A frame is quiet when it is ``floor_db`` below the clip's loud frames (its 95th percentile) or below
    ``SILENT_DB``. A stretch longer
    than ``max_span`` is cut again at its quietest frame, so no piece grows without bound. Each stretch keeps
    ``pad`` seconds of the pause on either side (pieces never overlap); an all-quiet clip gives none.
    """
    energy = frame_energy(samples, rate)
    if len(energy) == 0:
        return []
    loud = energy > max(np.percentile(energy, 95) - floor_db, SILENT_DB)
    spans: list[tuple[int, int]] = []
    start = None
    quiet_run = 0
    min_quiet = max(1, round(min_pause / FRAME))
    for i, is_loud in enumerate(loud):
        if is_loud:
            if start is None:
                start = i
            quiet_run = 0
        elif start is not None:
            quiet_run += 1
            if quiet_run >= min_quiet:
                spans.append((start, i - quiet_run + 1))
                start, quiet_run = None, 0
    if start is not None:
        spans.append((start, len(loud) - quiet_run))
    pad_frames = round(pad / FRAME)
    padded = [(max(0, a - pad_frames), min(len(loud), b + pad_frames)) for a, b in spans]
    limit = max(1, round(max_span / FRAME))
    total = len(samples) / rate
    return [(a * FRAME, min(total, b * FRAME)) for span in padded for a, b in _cut(energy, span, limit)]


def _cut(energy: np.ndarray, span: tuple[int, int], limit: int) -> list[tuple[int, int]]:
    """Split ``span`` at its quietest frames (away from its ends) until every piece is at most ``limit`` frames."""
    a, b = span
    if b - a <= limit:
        return [span]
    margin = (b - a) // 4
    middle = a + margin + int(np.argmin(energy[a + margin: b - margin]))
    return _cut(energy, (a, middle), limit) + _cut(energy, (middle, b), limit)
