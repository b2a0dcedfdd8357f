"""Key reduction: the fewest keys whose curve, as Blender plays it, stays within a tolerance of the dense curve.

Blender draws the keys it is given as a Bezier curve with auto-clamped handles (auto smoothing off, as the writer
sets it): each handle points along the mean slope of its two neighbouring segments, reaches 0.39 of the way to
the neighbour (at most five times as far as the key's other handle), is flat at a local extreme and at the first
and last key, and never overshoots a neighbour's value. ``bezier`` evaluates that curve, so the
error a reduction leaves is measured on what the animator sees, not on straight lines between keys.
"""

from __future__ import annotations

import numpy as np

HANDLE = 2 / 5.1228
"""Share of a segment's length a handle reaches along x (Blender's auto handles: ``2 / (2 * 2.5614)``)."""
REACH = 5.0
"""A handle reaches at most this many times as far as the key's other handle (Blender's limit)."""


def _handles(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each key's left and right handle: their heights, and their reach along x in frames."""
    left, right = y.copy(), y.copy()
    dx = np.diff(x)
    reach_left = HANDLE * np.concatenate([dx[:1], dx])
    reach_right = HANDLE * np.concatenate([dx, dx[-1:]])
    if len(x) < 3:
        return left, right, reach_left, reach_right
    slope = (np.diff(y) / dx)
    mean = (slope[:-1] + slope[1:]) / 2
    la, lb = np.minimum(dx[:-1], REACH * dx[1:]), np.minimum(dx[1:], REACH * dx[:-1])
    prev, here, nxt = y[:-2], y[1:-1], y[2:]
    h1, h2 = here - mean * HANDLE * la, here + mean * HANDLE * lb
    extreme = ((prev - here) * (nxt - here)) >= 0
    # No overshoot: a handle beyond its neighbour's value is clamped, and the other keeps the same slope.
    over1 = ~extreme & ((h1 - prev) * (here - prev) < 0)
    over2 = ~extreme & ~over1 & ((h2 - nxt) * (here - nxt) < 0)
    h1 = np.where(over1, prev, h1)
    h2 = np.where(over1, here + (here - h1) * lb / la, h2)
    h2 = np.where(over2, nxt, h2)
    h1 = np.where(over2, here - (h2 - here) * la / lb, h1)
    left[1:-1], right[1:-1] = np.where(extreme, here, h1), np.where(extreme, here, h2)
    reach_left[1:-1], reach_right[1:-1] = HANDLE * la, HANDLE * lb
    return left, right, reach_left, reach_right


def bezier(frames: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The curve Blender plays through keys (``frames``, ``values``) with auto-clamped handles, at ``at``."""
    x, y = np.asarray(frames, dtype=np.float64), np.asarray(values, dtype=np.float64)
    at = np.asarray(at, dtype=np.float64)
    if len(x) == 1:
        return np.full(len(at), y[0])
    left, right, reach_left, reach_right = _handles(x, y)
    k = np.clip(np.searchsorted(x, at, side="right") - 1, 0, len(x) - 2)
    span = x[k + 1] - x[k]
    u = np.clip((at - x[k]) / span, 0.0, 1.0)
    r1, r2 = reach_right[k] / span, 1 - reach_left[k + 1] / span
    t = u.copy()
    for _ in range(8):  # Newton on the segment's x(t) = u: monotonic, with a slope of at least 3 * min(r1, 1 - r2)
        s = 1 - t
        error = 3 * r1 * t * s * s + 3 * r2 * t * t * s + t ** 3 - u
        slope = 3 * r1 * s * s + 6 * (r2 - r1) * t * s + 3 * (1 - r2) * t * t
        t = np.clip(t - error / slope, 0.0, 1.0)
    s = 1 - t
    out = s ** 3 * y[k] + 3 * s * s * t * right[k] + 3 * s * t * t * left[k + 1] + t ** 3 * y[k + 1]
    return np.where(at < x[0], y[0], np.where(at > x[-1], y[-1], out))


def _turns(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Peaks and troughs that rise or fall more than ``tolerance`` from the turn before or after: where the
    auto-clamped handles lie flat, the keys an animator would set first."""
    step = np.diff(values)
    moving = np.flatnonzero(step != 0)
    sign = np.sign(step[moving])
    turns = moving[:-1][sign[1:] != sign[:-1]] + 1  # where the last step before the turn ends (a plateau's start)
    heights = values[np.concatenate([[0], turns, [len(values) - 1]])]
    rise = np.abs(np.diff(heights))
    return turns[(rise[:-1] > tolerance) | (rise[1:] > tolerance)]


def reduce_keys(values: np.ndarray, tolerance: float, keep: np.ndarray | None = None,
                candidates: np.ndarray | None = None) -> np.ndarray:
    """Indices of the keys to write: the played curve through them stays within ``tolerance`` of ``values``.

    The ends and the indices in ``keep`` (contact frames) always stay. Starting from those and the curve's
    marked turns, each round adds, in every span where the played curve strays too far, the frame where it strays
    most; then every key whose removal keeps the curve within tolerance goes. With ``candidates`` (a curve drawn
    through keys at those frames), keys are only chosen among them.
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    index = np.arange(n)
    fixed = np.unique(np.concatenate([[0, n - 1], [] if keep is None else keep])).astype(np.int64)
    pool = index if candidates is None else np.union1d(fixed, candidates).astype(np.int64)
    chosen = np.union1d(fixed, pool[_turns(values[pool], tolerance)])
    while True:
        error = np.abs(bezier(chosen, values[chosen], index) - values)
        error[chosen] = 0.0
        if error.max() <= tolerance:
            return _pruned(values, tolerance, chosen, fixed)
        chosen = np.union1d(chosen, _worst(error, chosen, pool, tolerance))


def _worst(error: np.ndarray, chosen: np.ndarray, pool: np.ndarray, tolerance: float) -> np.ndarray:
    """In each span between chosen keys where the played curve strays more than ``tolerance``, the free frame of
    ``pool`` where it strays most; once no such span has a free frame of ``pool``, the frame where it strays most
    (a span may also stray because a neighbouring span still lacks its key: that one is added first)."""
    span = np.searchsorted(chosen, np.arange(len(error)), side="right") - 1
    bad = np.zeros(len(chosen), dtype=bool)
    np.logical_or.at(bad, span, error > tolerance)
    free = np.setdiff1d(pool, chosen)
    free = free[bad[span[free]]]
    if not len(free):
        free = np.flatnonzero(bad[span])
    order = np.lexsort((-error[free], span[free]))
    return free[order[np.r_[True, np.diff(span[free][order]) != 0]]]


def _pruned(values: np.ndarray, tolerance: float, chosen: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``chosen`` less the keys (but ``fixed``) without which the played curve still stays within tolerance.

    A key's removal moves the played curve only between the second keys on either side (its neighbours' handles
    change), so keys five apart are tried together, each judged on its own stretch: a few whole-curve evaluations
    a round instead of one per key."""
    index = np.arange(len(values))
    keys, protected = np.asarray(chosen), np.isin(chosen, fixed)
    changed = True
    while changed:
        changed = False
        for offset in range(5):
            trial = np.arange(offset + 1, len(keys) - 1, 5)
            trial = trial[~protected[trial]]
            if not len(trial):
                continue
            rest = np.delete(np.arange(len(keys)), trial)
            error = np.abs(bezier(keys[rest], values[keys[rest]], index) - values)
            reach = np.clip(np.column_stack([trial - 2, trial + 2]), 0, len(keys) - 1)
            bounds = np.column_stack([keys[reach[:, 0]], keys[reach[:, 1]] + 1]).ravel()
            worst = np.maximum.reduceat(np.append(error, 0.0), bounds)[::2]
            drop = trial[worst <= tolerance]
            if len(drop):
                keys, protected = np.delete(keys, drop), np.delete(protected, drop)
                changed = True
    return keys


def step_keys(values: np.ndarray) -> np.ndarray:
    """Indices of a stepped curve's keys: the first, every change, and the last."""
    changes = np.flatnonzero(np.diff(values) != 0) + 1
    return np.unique(np.concatenate([[0], changes, [len(values) - 1]]))
