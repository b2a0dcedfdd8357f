"""Waveform augmentation that makes clean TTS look like real recordings: speed, rooms, microphones, noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfilt

RATE = 16000


@dataclass
class Augmented:
    samples: np.ndarray
    time_scale: float
    """Label times multiply by this."""
    offset: float
    """Seconds of padding added before the speech."""


def _speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster (pitch and formants move with it, as in Kaldi speed perturbation)."""
    up = 100
    down = int(round(up * factor))
    return resample_poly(x, up, down).astype(np.float32)


def _formant_shift(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pitch and formants (vocal-tract length) shifted together by up to about ±2 semitones, tempo kept."""
    import librosa

    factor = rng.uniform(0.88, 1.14)
    shifted = librosa.effects.pitch_shift(x, sr=RATE, n_steps=12 * np.log2(factor), res_type="soxr_qq")
    return shifted.astype(np.float32)


def _room(rng: np.random.Generator) -> np.ndarray:
    rt60 = rng.uniform(0.08, 0.7)
    n = int(RATE * rt60)
    t = np.arange(n) / RATE
    rir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    rir[: int(RATE * rng.uniform(0.0, 0.004))] = 0
    rir[0] = rng.uniform(1.0, 4.0)
    rir = sosfilt(butter(2, rng.uniform(2500, 7500), "low", fs=RATE, output="sos"), rir)
    return (rir / np.sqrt((rir**2).sum())).astype(np.float32)


def _noise(n: int, rng: np.random.Generator) -> np.ndarray:
    kind = rng.integers(4)
    white = rng.standard_normal(n).astype(np.float32)
    if kind == 0:
        return white
    if kind == 1:  # pink-ish / brown-ish
        spectrum = np.fft.rfft(white)
        f = np.maximum(np.fft.rfftfreq(n, 1 / RATE), 20.0)
        return np.fft.irfft(spectrum / f ** rng.uniform(0.5, 1.0), n).astype(np.float32)
    if kind == 2:  # hum and tones, music-like
        t = np.arange(n) / RATE
        out = np.zeros(n, np.float32)
        for _ in range(rng.integers(1, 6)):
            f0 = rng.uniform(50, 1500)
            env = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 3) * t + rng.uniform(0, 6))
            out += (np.sin(2 * np.pi * f0 * t) * env).astype(np.float32)
        return out + 0.05 * white
    # babble-like: bursts of band-passed noise with syllable-rate modulation
    low = rng.uniform(200, 1000)
    band = sosfilt(butter(2, [low, low * rng.uniform(2, 6)], "band", fs=RATE, output="sos"), white)
    env = np.repeat(rng.uniform(0.1, 1, n // 1600 + 1), 1600)[:n]
    return (band * env).astype(np.float32)


def augment(x: np.ndarray, rng: np.random.Generator, strength: float) -> Augmented:
    """A random chain; ``strength`` in [0, 1] scales how likely each harsh step is."""
    scale = 1.0
    if rng.random() < 0.8:
        factor = rng.uniform(0.85, 1.18)
        x = _speed(x, factor)
        scale = 1.0 / factor
    if rng.random() < 0.2 * strength:
        x = _formant_shift(x, rng)
    pre, post = (int(RATE * rng.uniform(0.0, 0.6)) for _ in range(2))
    x = np.concatenate([np.zeros(pre, np.float32), x, np.zeros(post, np.float32)])
    if rng.random() < 0.5 * strength:
        x = fftconvolve(x, _room(rng))[: len(x)].astype(np.float32)
    if rng.random() < 0.5:
        tilt = sosfilt(butter(1, rng.uniform(300, 3000), "high" if rng.random() < 0.5 else "low", fs=RATE,
                              output="sos"), x)
        x = (x + rng.uniform(-0.5, 0.8) * tilt).astype(np.float32)
    if rng.random() < 0.15 * strength:
        x = sosfilt(butter(4, [300, 3400], "band", fs=RATE, output="sos"), x).astype(np.float32)
    elif rng.random() < 0.3 * strength:
        x = sosfilt(butter(4, rng.uniform(3000, 7000), "low", fs=RATE, output="sos"), x).astype(np.float32)
    peak = float(np.abs(x).max()) + 1e-9
    x = x / peak * 10 ** (rng.uniform(-30, 0) / 20)
    if rng.random() < 0.8 * strength:
        speech_power = float(np.mean(x[pre : len(x) - post] ** 2)) + 1e-12
        noise = _noise(len(x), rng)
        snr = rng.uniform(0, 35)
        noise *= np.sqrt(speech_power / (np.mean(noise**2) + 1e-12) / 10 ** (snr / 10))
        x = x + noise
    if rng.random() < 0.15 * strength:
        mu = 255.0
        q = np.sign(x) * np.log1p(mu * np.abs(np.clip(x, -1, 1))) / np.log1p(mu)
        q = np.round(q * 127) / 127
        x = np.sign(q) * np.expm1(np.abs(q) * np.log1p(mu)) / mu
    if rng.random() < 0.1 * strength:
        x = np.clip(x * rng.uniform(2, 8), -1, 1)
    return Augmented(np.asarray(x, np.float32), scale, pre / RATE)
