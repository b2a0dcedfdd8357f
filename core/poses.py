"""Pose targets: a viseme posed by a frame (or a frame range) of one of the user's own Actions, as plain numbers.

The Blender side reads the Actions' F-curves into a ``PoseBank`` (``blender/poses.py``); ``core.animation``
mixes the bank's channels with the same coarticulation weights as every other target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np


@dataclass(frozen=True)
class PoseChannel:
    """One property a pose Action keys, on the armature (``pose.bones[...]``) or the selected object."""

    owner: Literal["armature", "object"]
    data_path: str
    index: int
    name: str
    """What the Mouth Channels list calls it: the bone's name, or the data path."""
    rest: float
    """The property's value at rest (a bone's identity transform, else the property's default)."""


@dataclass(frozen=True)
class PoseBank:
    """Every channel the bound visemes' pose Actions key, and each viseme's samples of them."""

    channels: tuple[PoseChannel, ...]
    samples: dict[str, np.ndarray]
    """Viseme → ``(frames, channels)``: a row per frame of its range (one for a single frame); NaN where the
    viseme's Action does not key a channel."""

    def names(self) -> set[str]:
        return {c.name for c in self.channels}

    def only(self, names: Iterable[str]) -> PoseBank:
        """The channels named in ``names`` (the Mouth Channels list)."""
        keep = set(names)
        columns = [i for i, c in enumerate(self.channels) if c.name in keep]
        return replace(self, channels=tuple(self.channels[i] for i in columns),
                       samples={v: s[:, columns] for v, s in self.samples.items()})

    def moving(self) -> PoseBank:
        """The channels some viseme's pose moves from the rest (the others stay the user's)."""
        rest = self.rest()
        moves = np.zeros(len(self.channels), dtype=bool)
        for samples in self.samples.values():
            moves |= (np.abs(np.where(np.isnan(samples), rest, samples) - rest) > 1e-6).any(axis=0)
        return self.only(c.name for c, moved in zip(self.channels, moves, strict=True) if moved)

    def rest(self) -> np.ndarray:
        """``(channels,)`` the value each channel mixes from: the ``sil`` pose's (its first frame) where it keys
        the channel, else the channel's rest value."""
        rest = np.array([c.rest for c in self.channels], dtype=np.float64)
        if "sil" in self.samples:
            first = self.samples["sil"][0]
            rest = np.where(np.isnan(first), rest, first)
        return rest

    def held(self) -> bool:
        """Every pose is a single frame (none plays through a range)."""
        return all(len(s) == 1 for s in self.samples.values())

    def spans(self) -> np.ndarray:
        """``(channels,)`` each channel's full range over the rest and every pose (its key tolerance's scale, as a
        shape key's is 0 to 1)."""
        rows = np.vstack([self.rest()[None, :], *self.samples.values()])
        return np.nanmax(rows, axis=0) - np.nanmin(rows, axis=0)

    def table(self, visemes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For segments labelled ``visemes``: ``(segments, longest, channels)`` samples padded with each one's last
        row (rest where a viseme has no pose or does not key a channel), and ``(segments,)`` sample counts."""
        rest = self.rest()
        filled = {v: np.where(np.isnan(s), rest, s) for v, s in self.samples.items()}
        counts = np.array([len(filled[v]) if v in filled else 1 for v in visemes])
        out = np.empty((len(visemes), int(counts.max(initial=1)), len(self.channels)))
        for i, v in enumerate(visemes):
            rows = filled.get(v, rest[None, :])
            out[i, :len(rows)] = rows
            out[i, len(rows):] = rows[-1]
        return out, counts


def sample_at(table: np.ndarray, counts: np.ndarray, segment: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """One channel of each ``segment``'s pose (``table``: ``(segments, longest)``) at ``phase`` in [0, 1] of its
    range, linearly between frames; shaped like ``segment``."""
    position = np.clip(phase, 0.0, 1.0) * (counts[segment] - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, counts[segment] - 1)
    share = position - low
    return table[segment, low] * (1.0 - share) + table[segment, high] * share
