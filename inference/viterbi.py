"""Viterbi decoders over frame log-posteriors (numpy, loop over frames, vectorised over states).

``force_align``: a left-to-right chain of units (phones and optional silences), each with a minimum duration,
decoded in a beam window that follows the best state, so time and memory grow linearly with the clip.
``recognise``: a free loop over classes with minimum durations and a switch penalty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEG = -1e30


@dataclass(frozen=True)
class Unit:
    """One element of the chain: a class to emit, its minimum frames, and whether it may be skipped."""

    cls: int
    min_frames: int
    optional: bool = False


@dataclass
class ForcedPath:
    unit_frames: list[tuple[int, int]]
    """Per unit ``(first_frame, end_frame)``; ``first == end`` for a skipped optional unit."""
    complete: bool
    """False when the audio ran out before the chain did (the remaining units were squeezed in)."""


def force_align(logp: np.ndarray, units: list[Unit], beam: int = 800) -> ForcedPath:
    """Best monotonic path through ``units`` over ``logp`` (frames x classes)."""
    n_frames = len(logp)
    cls = np.concatenate([[u.cls] * u.min_frames for u in units]).astype(np.int64)
    unit_of = np.concatenate([[k] * u.min_frames for k, u in enumerate(units)])
    last = np.concatenate([[False] * (u.min_frames - 1) + [True] for u in units])
    n_states = len(cls)
    # a unit's first state may also be entered from before the optional unit preceding it
    skip = np.zeros(n_states, dtype=np.int64)
    starts = np.cumsum([0] + [u.min_frames for u in units])
    for k in range(1, len(units)):
        if units[k - 1].optional:
            skip[starts[k]] = units[k - 1].min_frames + 1
    width = min(n_states, beam)
    delta = np.full(n_states + 1, NEG)  # index -1 (== n_states) stays NEG: "before the chain"
    delta[0] = logp[0, cls[0]]
    if units[0].optional and len(units) > 1:
        delta[starts[1]] = logp[0, cls[starts[1]]]
    lows = np.zeros(n_frames, dtype=np.int64)
    choice = np.zeros((n_frames, width), dtype=np.int8)  # 0 stay, 1 advance, 2 skip
    stay_bonus = np.where(last, 0.0, NEG)
    previous = np.arange(n_states) - 1
    previous[0] = n_states
    skip_from = np.where(skip > 0, np.arange(n_states) - skip, n_states)
    low = 0
    for t in range(1, n_frames):
        best = int(np.argmax(delta[low: low + width])) + low
        new_low = min(max(low, best - width // 4), n_states - width)
        delta[low:new_low] = NEG
        low = new_low
        lows[t] = low
        window = slice(low, low + width)
        stay = delta[window] + stay_bonus[window]
        advance = delta[previous[window]]
        skipped = delta[skip_from[window]]
        pick = (advance > stay).astype(np.int8)
        score = np.maximum(stay, advance)
        jump = skipped > score
        pick[jump] = 2
        delta[window] = np.where(jump, skipped, score) + logp[t, cls[window]]
        choice[t] = pick
    end_states = [n_states - 1]
    if units[-1].optional and len(units) > 1:
        end_states.append(starts[-2] - 1)
    reachable = [s for s in end_states if delta[s] > NEG / 2]
    complete = bool(reachable)
    state = max(reachable, key=lambda s: delta[s]) if complete else int(np.argmax(delta[:n_states]))
    path = np.empty(n_frames, dtype=np.int64)
    for t in range(n_frames - 1, -1, -1):
        path[t] = state
        if t == 0:
            break
        pick = choice[t, state - lows[t]]
        state -= 0 if pick == 0 else (1 if pick == 1 else int(skip[state]))
    return ForcedPath(_unit_spans(unit_of[path], len(units), n_frames), complete)


def _unit_spans(frame_units: np.ndarray, n_units: int, n_frames: int) -> list[tuple[int, int]]:
    """Per unit its frame span; units the path never visited get an empty span where they belong."""
    firsts = np.full(n_units, -1)
    ends = np.full(n_units, -1)
    change = np.flatnonzero(np.diff(frame_units)) + 1
    run_starts = np.concatenate([[0], change])
    run_ends = np.concatenate([change, [n_frames]])
    for s, e in zip(run_starts, run_ends, strict=True):
        firsts[frame_units[s]] = s
        ends[frame_units[s]] = e
    position = n_frames
    for k in range(n_units - 1, -1, -1):
        if firsts[k] < 0:
            firsts[k] = ends[k] = position
        position = firsts[k]
    return list(zip(firsts.tolist(), ends.tolist(), strict=True))


def recognise(logp: np.ndarray, min_frames: np.ndarray, switch_penalty: float) -> np.ndarray:
    """Class per frame from a loop over classes, each held at least ``min_frames[c]`` frames."""
    n_frames, n_classes = logp.shape
    cls = np.concatenate([[c] * int(min_frames[c]) for c in range(n_classes)])
    first = np.concatenate([[True] + [False] * (int(min_frames[c]) - 1) for c in range(n_classes)])
    last_idx = np.cumsum(min_frames.astype(np.int64)) - 1
    n_states = len(cls)
    is_last = np.zeros(n_states, dtype=bool)
    is_last[last_idx] = True
    prev_state = np.arange(n_states) - 1
    delta = np.where(first, logp[0, cls], NEG)
    back = np.zeros((n_frames, n_states), dtype=np.int16)
    for t in range(1, n_frames):
        exits = delta[last_idx]
        order = np.argsort(exits)[-2:]
        best_c, second_c = int(order[1]), int(order[0])
        # entering class c's first state: from the best other class's last state, minus the penalty
        from_class = np.where(cls == best_c, second_c, best_c)
        enter = np.where(first, delta[last_idx[from_class]] - switch_penalty, NEG)
        chain = np.where(first, NEG, delta[np.maximum(prev_state, 0)])
        stay = np.where(is_last, delta, NEG)
        options = np.stack([stay, chain, enter])
        pick = np.argmax(options, axis=0)
        back[t] = np.where(pick == 0, np.arange(n_states), np.where(pick == 1, prev_state, last_idx[from_class]))
        delta = options[pick, np.arange(n_states)] + logp[t, cls]
    state = int(last_idx[np.argmax(delta[last_idx])])
    out = np.empty(n_frames, dtype=np.int64)
    for t in range(n_frames - 1, -1, -1):
        out[t] = cls[state]
        state = int(back[t, state])
    return out
