"""One engine behind the operator, the CLI and the benchmarks: audio + transcript to an Alignment."""

from __future__ import annotations

import contextlib
import functools
from dataclasses import replace
from pathlib import Path

from ..core.audio import load_audio
from ..core.errors import LipsyncError
from ..core.phonemes import transcribe
from ..core.types import SILENCE, Alignment, Audio, Segment
from .model import WEIGHTS
from .recogniser import PHONE_LOOP, Progress, Recogniser, Stretch
from .timing import Timer

DEVICES = ("cpu", "cuda")


def default_timer(device: str = "cpu", weights: Path = WEIGHTS, decode=None) -> Timer:
    """The timing network (``weights``, decoded with ``decode``: a ``DecodeConfig``, None for the default one),
    loaded once per device and settings."""
    from .network_timer import DecodeConfig

    if device not in DEVICES:
        raise LipsyncError(f"Unknown device '{device}'. Use cpu or cuda.")
    return _network_timer(device, weights, decode or DecodeConfig())


@functools.cache
def _network_timer(device: str, weights: Path, decode) -> Timer:
    from .network_timer import NetworkTimer

    return NetworkTimer(device, weights, decode)


def align(audio: Audio, transcript: str | None, language: str = "en-us", timer: Timer | None = None,
          device: str = "cpu", recogniser: Recogniser | None = None, progress: Progress | None = None) -> Alignment:
    """Time a clip. ``transcript=None`` is audio-only mode: ``recogniser`` finds the words (None: the network's
    phone loop recognises the phones itself); ``progress`` follows the recogniser through the clip."""
    timer = timer or default_timer(device)
    if transcript is not None:
        pron = transcribe(transcript, language)
        result = timer.align(audio, pron.words, language)
        result.warnings[:0] = pron.warnings
        return result
    if recogniser is None:
        result = timer.align(audio, None, language)
        result.recogniser = PHONE_LOOP
        return result
    stretches = [pronounced(s, language) for s in recogniser.recognise(audio, progress)]
    if any(h.words for s in stretches for h in s.hypotheses):
        result = timer.align_recognised(audio, stretches, language)
    else:  # noise, music, laughter: nothing speech-like, so the mouth rests
        result = Alignment(audio.duration, language, [], [Segment(SILENCE, 0.0, audio.duration)],
                           [f"{recogniser.name} found no speech in the clip (noise or music?); the mouth rests"])
    result.recogniser = recogniser.name
    result.warnings[:0] = recogniser.warnings
    return result


def pronounced(stretch: Stretch, language: str) -> Stretch:
    """The stretch with every word's phones: as the recogniser heard them, else the dictionary's (words that
    cannot be pronounced are left out)."""
    missing = {w.word for h in stretch.hypotheses for w in h.words if not w.phones}
    if not missing:
        return stretch
    spoken = {}
    with contextlib.suppress(LipsyncError):  # none of them pronounceable: they are all left out
        spoken = {w.word: w.phones for w in transcribe(" ".join(sorted(missing)), language).words}
    hypotheses = tuple(
        replace(h, words=tuple(replace(w, phones=w.phones or spoken[w.word]) for w in h.words
                               if w.phones or w.word in spoken))
        for h in stretch.hypotheses)
    return replace(stretch, hypotheses=hypotheses)


def align_file(audio_path: str | Path, transcript: str | None, language: str = "en-us", timer: Timer | None = None,
               device: str = "cpu", recogniser: Recogniser | None = None) -> Alignment:
    return align(load_audio(audio_path), transcript, language, timer, device, recogniser)
