"""Audio loading: any common format and rate to mono float32 at the analysis rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import LipsyncError
from .types import Audio
from .validate import MAX_DURATION
from .validate import SAMPLE_RATE as RATE

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
    audio_duration(path)  # the header's rate and length, checked before decoding
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
    if not np.isfinite(audio.samples).all():
        raise LipsyncError(f"Audio {name} holds NaN or infinite samples: the file is corrupt. Export it again.")
    if float(np.abs(audio.samples).max()) < SILENT_PEAK:
        raise LipsyncError(f"Audio {name} is silent. Pick a clip with audible speech.")
    return audio


def audio_duration(path: str | Path) -> float:
    """Seconds of audio in ``path`` from its header, without decoding it; a rate outside SAMPLE_RATE or a clip
    longer than MAX_DURATION is refused. Raises LipsyncError."""
    import soundfile

    name = Path(path).name
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise LipsyncError(f"Cannot read audio {name}: {exc}.") from None
    try:
        RATE.check(f"The sample rate of {name} (Hz)", info.samplerate)
    except LipsyncError as exc:
        raise LipsyncError(f"{exc}: the header is corrupt, or the file is not audio.") from None
    if not 0 <= info.duration <= MAX_DURATION:
        raise LipsyncError(f"Audio {name} lasts {info.duration / 3600:.1f} h; the longest clip is "
                           f"{MAX_DURATION / 3600:g} h. Split it into lines.")
    return info.duration
