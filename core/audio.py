"""Audio loading: any common format and rate to mono float32 at the analysis rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import LipsyncError
from .types import Audio

SAMPLE_RATE = 16000
"""Rate every stage after loading works at."""

SILENT_PEAK = 1e-3
"""A clip whose loudest sample is below this (-60 dBFS) holds no speech."""


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Audio:
    """Read WAV/FLAC/OGG/MP3 (anything libsndfile reads), mix to mono and resample once."""
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise LipsyncError(f"Audio file not found: {path}. Choose an existing WAV, FLAC, OGG or MP3 file.")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise LipsyncError(
            f"Cannot read audio {path.name}: {exc}. Use a WAV, FLAC, OGG or MP3 file that plays elsewhere."
        ) from None
    return check_audio(Audio(resample(data.mean(axis=1), rate, sample_rate), sample_rate), path.name)


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Mono float32 samples from ``rate`` to ``target`` Hz (soxr, high quality)."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target or not len(samples):
        return samples
    import soxr

    return soxr.resample(samples, rate, target, quality="HQ")


def check_audio(audio: Audio, name: str = "the clip") -> Audio:
    """Reject clips that hold nothing to animate."""
    if audio.duration < 0.05:
        raise LipsyncError(f"Audio {name} is empty ({audio.duration * 1000:.0f} ms). Pick a clip with speech.")
    if not np.isfinite(audio.samples).all() or float(np.abs(audio.samples).max()) < SILENT_PEAK:
        raise LipsyncError(f"Audio {name} is silent. Pick a clip with audible speech.")
    return audio


def audio_duration(path: str | Path) -> float:
    """Seconds of audio in ``path`` from its header, without decoding it. Raises LipsyncError."""
    import soundfile

    try:
        return soundfile.info(str(path)).duration
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise LipsyncError(f"Cannot read audio {Path(path).name}: {exc}.") from None
