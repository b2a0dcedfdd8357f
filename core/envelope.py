"""Per-frame audio envelopes with numpy: loudness (drives the jaw, JALI-style) and relative pitch (emotion)."""

from __future__ import annotations

import math

import numpy as np

from .types import Audio

BLOCK = 2048
"""Frames whose windows are analysed at once: memory stays bounded however long the clip."""


def _blocks(times: np.ndarray) -> list[np.ndarray]:
    return [times[start:start + BLOCK] for start in range(0, max(len(times), 1), BLOCK)]


def _windows(audio: Audio, times: np.ndarray, seconds: float) -> np.ndarray:
    """One row of samples centred on each time (zeros beyond the clip's ends), as float64."""
    half = max(1, int(seconds * audio.sample_rate / 2))
    n = len(audio.samples)
    centres = np.clip(np.round(times * audio.sample_rate).astype(np.int64), 0, n)
    index = centres[:, None] + np.arange(-half, half)[None, :]
    rows = audio.samples[np.clip(index, 0, n - 1)].astype(np.float64)
    rows[(index < 0) | (index >= n)] = 0.0
    return rows


def loudness(audio: Audio, times: np.ndarray, window: float = 0.05) -> np.ndarray:
    """RMS envelope at ``times``, 1 at loud speech (the 95th percentile), up to 1.5 for shouts."""
    rms = np.concatenate([np.sqrt((_windows(audio, block, window) ** 2).mean(axis=1)) for block in _blocks(times)])
    reference = np.percentile(rms, 95)
    return np.clip(rms / reference, 0.0, 1.5) if reference > 0 else np.zeros_like(rms)


def pitch(audio: Audio, times: np.ndarray, fmin: float = 70.0, fmax: float = 400.0) -> np.ndarray:
    """Relative pitch at ``times`` in [0, 1]: 0 at the speaker's low, 1 at their high (autocorrelation).

    Unvoiced frames hold the last voiced value (the middle, 0.5, before the first).
    """
    low, high = int(audio.sample_rate / fmax), int(audio.sample_rate / fmin)
    lag, peak, energy = np.concatenate([_autocorrelation(audio, block, low, high) for block in _blocks(times)], axis=1)
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


def _autocorrelation(audio: Audio, times: np.ndarray, low: int, high: int) -> np.ndarray:
    """Per time: the lag in ``[low, high)`` samples where the 40 ms window's autocorrelation peaks, that peak
    relative to the window's energy, and the window's RMS; ``(3, len(times))``."""
    frames = _windows(audio, times, 0.04)
    frames = frames - frames.mean(axis=1, keepdims=True)
    size = frames.shape[1]
    spectrum = np.fft.rfft(frames, 2 * size, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    lag = low + np.argmax(ac[:, low:min(size - 1, high)], axis=1)
    peak = ac[np.arange(len(ac)), lag] / np.maximum(ac[:, 0], 1e-12)
    return np.stack([lag, peak, np.sqrt(ac[:, 0] / size)])


def low_pass(values: np.ndarray, fps: float, cutoff: float) -> np.ndarray:
    """``values`` (one per frame) through a zero-phase Gaussian low-pass, -3 dB at ``cutoff`` Hz (0: unchanged).

    A Gaussian never overshoots, so the values stay within their range, and it moves no peak in time."""
    values = np.asarray(values, dtype=np.float64)
    if cutoff <= 0 or len(values) < 2:
        return values
    sigma = np.sqrt(np.log(2)) / (2 * np.pi * cutoff) * fps
    half = max(1, math.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    return np.convolve(np.pad(values, half, mode="edge"), kernel / kernel.sum(), mode="valid")
