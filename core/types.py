"""Data passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SILENCE = "SIL"
"""Phone (and viseme) label of silence, in every language."""


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class WordPron:
    """A transcript word with its phones (ARPAbet without stress for English, IPA otherwise)."""

    word: str
    phones: tuple[str, ...]
    confidence: float | None = None
    """How sure a recogniser was of the word (0 to 1); None for a word of the transcript."""


@dataclass(frozen=True)
class Segment:
    """A labelled time span in seconds."""

    label: str
    start: float
    end: float
    confidence: float | None = None
    """For a recognised word, the recogniser's confidence (0 to 1); None otherwise."""


@dataclass
class Alignment:
    """Timing of one clip: words and phones on the audio's time line.

    ``phonemes`` covers ``[0, duration]`` without gaps or overlaps; silence is ``SIL``.
    """

    duration: float
    language: str
    words: list[Segment]
    phonemes: list[Segment]
    warnings: list[str] = field(default_factory=list)
    recogniser: str | None = None
    """What found the words in audio-only mode (a recogniser's name, or the network's phone loop); None when
    they came from a transcript."""
