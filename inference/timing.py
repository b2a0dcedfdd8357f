"""The timing interface: audio (+ optional pronunciation) in, a complete monotonic Alignment out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..core.types import Alignment, Audio, WordPron
from .recogniser import Stretch


class Timer(Protocol):
    identity: str
    """What times and how: the timer's class, its model's weights and its decode settings (JSON). It is part of
    every alignment's cache key, so another model or setting never reuses a stale alignment."""

    def align(self, audio: Audio, words: Sequence[WordPron] | None, language: str) -> Alignment:
        """Time ``words`` against ``audio`` (forced alignment), or recognise phones when ``words`` is None.

        The result's phonemes cover the whole clip, silence labelled ``SIL``; never empty, never raises for
        audio that passed ``core.audio.check_audio``; problems go into ``Alignment.warnings``.
        """
        ...

    def align_recognised(self, audio: Audio, stretches: Sequence[Stretch], language: str) -> Alignment:
        """Time what a recogniser heard: choose among each stretch's hypotheses (they carry phones) and align
        the chosen words as ``align`` would a transcript's, with the same guarantees."""
        ...
