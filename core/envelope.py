"""Per-frame audio envelopes with numpy: loudness (drives the jaw, JALI-style) and relative pitch (emotion)."""

from __future__ import annotations

import numpy as np

from .types import Audio


def _windows(audio: Audio, times: np.ndarray, seconds: float) -> np.ndarray:
    """One row of samples centred on each time (zero-padded at the clip's ends)."""
    half = max(1, int(seconds * audio.sample_rate / 2))
    padded = np.pad(audio.samples.astype(np.float64), half)
    centres = np.clip(np.round(times * audio.sample_rate).astype(np.int64), 0, len(audio.samples)) + half
    return padded[centres[:, None] + np.arange(-half, half)[None, :]]


def loudness(audio: Audio, times: np.ndarray, window: float = 0.05) -> np.ndarray:
    """RMS envelope at ``times``, 1 at loud speech (the 95th percentile), up to 1.5 for shouts."""
    rms = np.sqrt((_windows(audio, times, window) ** 2).mean(axis=1))
    reference = np.percentile(rms, 95)
    return np.clip(rms / reference, 0.0, 1.5) if reference > 0 else np.zeros_like(rms)


def pitch(audio: Audio, times: np.ndarray, fmin: float = 70.0, fmax: float = 400.0) -> np.ndarray:
    """Relative pitch at ``times`` in [0, 1]: 0 at the speaker's low, 1 at their high (autocorrelation).

    Unvoiced frames hold the last voiced value (the middle, 0.5, before the first).
    """
    frames = _windows(audio, times, 0.04)
    frames = frames - frames.mean(axis=1, keepdims=True)
    size = frames.shape[1]
    spectrum = np.fft.rfft(frames, 2 * size, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    low, high = int(audio.sample_rate / fmax), min(size - 1, int(audio.sample_rate / fmin))
    lag = low + np.argmax(ac[:, low:high], axis=1)
    peak = ac[np.arange(len(ac)), lag] / np.maximum(ac[:, 0], 1e-12)
    energy = np.sqrt(ac[:, 0] / size)
    voiced = (peak > 0.4) & (energy > 0.1 * np.percentile(energy, 95))
    semitones = 12 * np.log2(audio.sample_rate / lag)
    if voiced.sum() < 2:
        return np.full(len(times), 0.5)
    lo, hi = np.percentile(semitones[voiced], [10, 90])
    relative = np.clip((semitones - lo) / max(hi - lo, 1e-6), 0.0, 1.0)
    out = np.empty(len(times))
    last = 0.5
    for i in range(len(times)):
        last = relative[i] if voiced[i] else last
        out[i] = last
    return out
