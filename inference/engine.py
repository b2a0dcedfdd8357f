"""One engine behind the operator, the CLI and the benchmarks: audio + transcript to an Alignment."""

from __future__ import annotations

import functools
from pathlib import Path

from ..core.audio import load_audio
from ..core.errors import LipsyncError
from ..core.phonemes import transcribe
from ..core.types import Alignment, Audio
from .timing import Timer

DEVICES = ("cpu", "cuda")


@functools.cache
def default_timer(device: str = "cpu") -> Timer:
    """The timing network, loaded once per device."""
    from .network_timer import NetworkTimer

    if device not in DEVICES:
        raise LipsyncError(f"Unknown device '{device}'. Use cpu or cuda.")
    return NetworkTimer(device)


def align(audio: Audio, transcript: str | None, language: str = "en-us", timer: Timer | None = None,
          device: str = "cpu") -> Alignment:
    """Time a clip; ``transcript=None`` is audio-only mode (recognition)."""
    timer = timer or default_timer(device)
    if transcript is None:
        return timer.align(audio, None, language)
    pron = transcribe(transcript, language)
    result = timer.align(audio, pron.words, language)
    result.warnings[:0] = pron.warnings
    return result


def align_file(audio_path: str | Path, transcript: str | None, language: str = "en-us", timer: Timer | None = None,
               device: str = "cpu") -> Alignment:
    return align(load_audio(audio_path), transcript, language, timer, device)
