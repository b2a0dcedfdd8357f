"""Log-mel features, the one implementation shared by training and inference (numpy only)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .network import matmul

BLOCK = 4096
"""Frames transformed at once: memory stays bounded however long the clip."""


@dataclass(frozen=True)
class FeatureConfig:
    sample_rate: int = 16000
    n_fft: int = 400
    hop: int = 160
    n_mels: int = 64
    fmin: float = 50.0
    fmax: float = 7600.0

    @property
    def frame_seconds(self) -> float:
        return self.hop / self.sample_rate


_HZ_PER_MEL = 200.0 / 3
_HZ_BREAK = 1000.0
_MEL_BREAK = _HZ_BREAK / _HZ_PER_MEL
_MEL_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, np.float64)
    log = _MEL_BREAK + np.log(np.maximum(hz, _HZ_BREAK) / _HZ_BREAK) / _MEL_LOG_STEP
    return np.where(hz >= _HZ_BREAK, log, hz / _HZ_PER_MEL)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, np.float64)
    log = _HZ_BREAK * np.exp(_MEL_LOG_STEP * (np.maximum(mel, _MEL_BREAK) - _MEL_BREAK))
    return np.where(mel >= _MEL_BREAK, log, mel * _HZ_PER_MEL)


@functools.cache
def mel_basis(config: FeatureConfig) -> np.ndarray:
    """``(n_mels, n_fft // 2 + 1)`` triangular filters, equally spaced in mels, each of unit area (Slaney)."""
    bins = np.fft.rfftfreq(config.n_fft, 1.0 / config.sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(config.fmin), hz_to_mel(config.fmax), config.n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    return (triangles * (2.0 / (upper - lower))).astype(np.float32)


@functools.cache
def _window(n_fft: int) -> np.ndarray:
    """The periodic Hann window."""
    return np.hanning(n_fft + 1)[:-1].astype(np.float32)


def frame_count(n_samples: int, config: FeatureConfig) -> int:
    """Frames for ``n_samples``: frame ``i`` is centred on sample ``i * hop``."""
    return 1 + n_samples // config.hop


def window_log_mel(frames: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """``(n, n_fft)`` windows of samples to ``(n, n_mels)`` log-mel energies (not normalised)."""
    spectrum = np.fft.rfft(frames * _window(config.n_fft), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return np.log(matmul(power, mel_basis(config).T) + 1e-6)


def raw_log_mel(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """Log-mel energies of every frame, frame ``i`` centred on sample ``i * hop`` (the clip zero-padded)."""
    samples = np.asarray(samples, dtype=np.float32)
    pad = config.n_fft // 2
    padded = np.pad(samples, (pad, pad + config.hop))
    n = frame_count(len(samples), config)
    windows = np.lib.stride_tricks.sliding_window_view(padded, config.n_fft)[:: config.hop][:n]
    return np.concatenate([window_log_mel(windows[start:start + BLOCK], config) for start in range(0, n, BLOCK)])


def normalise(mel: np.ndarray) -> np.ndarray:
    """Each band of raw log-mel energies normalised over the clip (mean 0, std 1), as float32."""
    mel = np.asarray(mel, dtype=np.float32)
    return (mel - mel.mean(axis=0)) / (mel.std(axis=0) + 1e-3)


def log_mel(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """``(frames, n_mels)`` float32 log-mel energies, each band normalised over the clip (mean 0, std 1)."""
    return normalise(raw_log_mel(samples, config))


class RunningNorm:
    """Causal normalisation, for streams: each frame is normalised by the mean and spread of the frames up to
    and including it, pooled with a prior (a typical training clip's statistics) worth ``prior_frames`` frames.

    Call it on consecutive blocks of raw log-mel frames; the result does not depend on how they are split.
    """

    def __init__(self, prior_mean: np.ndarray, prior_std: np.ndarray, prior_frames: float) -> None:
        mean = np.asarray(prior_mean, np.float64)
        self.count = float(prior_frames)
        self.sum = prior_frames * mean
        self.squares = prior_frames * (np.asarray(prior_std, np.float64) ** 2 + mean**2)

    def __call__(self, mel: np.ndarray) -> np.ndarray:
        mel = np.asarray(mel, np.float64)
        sums = self.sum + np.cumsum(mel, axis=0)
        squares = self.squares + np.cumsum(mel**2, axis=0)
        counts = self.count + np.arange(1, len(mel) + 1)[:, None]
        if len(mel):
            self.sum, self.squares, self.count = sums[-1], squares[-1], float(counts[-1, 0])
        mean = sums / counts
        std = np.sqrt(np.maximum(squares / counts - mean**2, 0.0))
        return ((mel - mean) / (std + 1e-3)).astype(np.float32)
