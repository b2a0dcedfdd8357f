"""Key reduction: keep only the keys that change the pose, never a contact's key."""

from __future__ import annotations

import numpy as np


def reduce_keys(values: np.ndarray, tolerance: float, keep: np.ndarray | None = None) -> np.ndarray:
    """Indices of the keys to write: Ramer–Douglas–Peucker on the linear curve through all keys.

    ``tolerance`` is the largest vertical error a removed key may leave. The ends and the indices in ``keep``
    (contact frames) always stay.
    """
    n = len(values)
    anchors = sorted({0, n - 1, *(() if keep is None else (int(k) for k in keep))})
    chosen = set(anchors)
    stack = list(zip(anchors, anchors[1:], strict=False))
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        inner = np.arange(a + 1, b)
        line = values[a] + (values[b] - values[a]) * (inner - a) / (b - a)
        errors = np.abs(values[inner] - line)
        worst = int(np.argmax(errors))
        if errors[worst] > tolerance:
            split = int(inner[worst])
            chosen.add(split)
            stack += [(a, split), (split, b)]
    return np.array(sorted(chosen), dtype=np.int64)


def step_keys(values: np.ndarray) -> np.ndarray:
    """Indices of a stepped curve's keys: the first, every change, and the last."""
    changes = np.flatnonzero(np.diff(values) != 0) + 1
    return np.unique(np.concatenate([[0], changes, [len(values) - 1]]))
