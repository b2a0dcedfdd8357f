"""Real-time lip sync: audio chunks in, smoothed viseme (or rig target) weights out on every 10 ms hop.

The causal timing network (``timing_net_stream.safetensors``, trained by ``training/config_stream.toml``) runs on
each pushed block of frames in numpy (``inference/network.py``, the same layers as offline): each layer keeps only
the past inputs its kernel still needs, so a hop costs the same however long the stream has run. Features are
normalised with running statistics that start from a typical training clip's and come to the voice's own as the
stream goes on; the network was trained on features normalised this way. All state lives in a ``Stream``, so one
process can serve many streams; the model's arrays are shared and never written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.phone_classes import INVENTORY
from ..core.presets import RigBinding
from ..core.visemes import VISEMES
from .features import FeatureConfig, RunningNorm, window_log_mel
from .model import build_network, read_weights
from .network import NetState, Network

STREAM_WEIGHTS = Path(__file__).parent / "weights" / "timing_net_stream.safetensors"
SHARPNESS = 2.0
"""Viseme probabilities are raised to this power (and renormalised) for display: the likeliest shape reads clearly
instead of a blend of every candidate."""


@dataclass(frozen=True)
class StreamModel:
    """The causal network in numpy, with its features and normalisation prior."""

    features: FeatureConfig
    network: Network
    prior_mean: np.ndarray
    prior_std: np.ndarray
    prior_frames: float
    """Weight, in frames, of the training statistics in the running feature normalisation."""
    to_visemes: np.ndarray
    """``(classes, visemes)``: which viseme each phone class shows."""

    @property
    def lookahead(self) -> int:
        return self.network.lookahead

    @property
    def latency(self) -> float:
        """Seconds from a sound to its frame's weights: the look-ahead, half an analysis window, one hop."""
        f = self.features
        return (self.lookahead * f.hop + f.n_fft // 2 + f.hop) / f.sample_rate


@functools.cache
def load_stream_model(path: Path = STREAM_WEIGHTS) -> StreamModel:
    weights = read_weights(path)
    if weights.config.lookahead is None:
        raise ValueError(f"{path.name} is not a causal (streaming) model")
    to_visemes = np.zeros((len(INVENTORY), len(VISEMES)), np.float32)
    for c, info in enumerate(INVENTORY):
        to_visemes[c, VISEMES.index(info.viseme)] = 1.0
    info = weights.info
    return StreamModel(weights.features, build_network(weights), np.array(info["feature_mean"], np.float32),
                       np.array(info["feature_std"], np.float32), float(info["prior_frames"]), to_visemes)


class Stream:
    """One live audio stream: ``push`` samples at ``sample_rate`` (any chunk size), get ``(seconds, weights)``
    for every 10 ms hop that became complete, weights by viseme, or by rig target with a ``binding``.

    ``smoothing`` is the release time constant (seconds) of the filter that keeps the mouth from flickering; a
    shape rises four times faster than it fades, so short closures still close.
    """

    def __init__(self, sample_rate: int = 16000, model: StreamModel | None = None,
                 binding: RigBinding | None = None, smoothing: float = 0.06) -> None:
        self.model = model or load_stream_model()
        f = self.model.features
        self._resampler = None
        if sample_rate != f.sample_rate:
            import soxr

            self._resampler = soxr.ResampleStream(sample_rate, f.sample_rate, 1, dtype="float32")
        self._buffer = np.zeros(f.n_fft // 2, np.float32)  # frame 0 is centred on the first sample
        self._net = NetState(self.model.network)
        self._norm = RunningNorm(self.model.prior_mean, self.model.prior_std, self.model.prior_frames)
        self._frames = 0
        self._emitted = 0
        self._weights = np.zeros(len(VISEMES), np.float32)
        self._weights[VISEMES.index("sil")] = 1.0
        self._release = 1.0 - np.exp(-f.frame_seconds / smoothing) if smoothing > 0 else 1.0
        self._attack = 1.0 - np.exp(-4 * f.frame_seconds / smoothing) if smoothing > 0 else 1.0
        self.binding = binding

    def push(self, samples: np.ndarray) -> list[tuple[float, dict[str, float]]]:
        samples = np.asarray(samples, np.float32).reshape(-1)
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples)
        f = self.model.features
        self._buffer = np.concatenate([self._buffer, samples])
        count = (len(self._buffer) - f.n_fft) // f.hop + 1 if len(self._buffer) >= f.n_fft else 0
        if not count:
            return []
        windows = np.lib.stride_tricks.sliding_window_view(self._buffer, f.n_fft)[:: f.hop][:count]
        mels = self._norm(window_log_mel(windows, f))
        self._buffer = self._buffer[count * f.hop:]
        logits = self._net.push(mels)
        warming = max(0, self.model.lookahead - self._frames)  # the first outputs belong to no frame
        self._frames += len(mels)
        return [self._emit(row) for row in logits[warming:]]

    def _emit(self, logits: np.ndarray) -> tuple[float, dict[str, float]]:
        posterior = np.exp(logits - logits.max())
        posterior /= posterior.sum()
        visemes = (posterior @ self.model.to_visemes) ** SHARPNESS
        change = visemes / visemes.sum() - self._weights
        self._weights += np.where(change > 0, self._attack, self._release) * change
        seconds = self._emitted * self.model.features.frame_seconds
        self._emitted += 1
        weights = dict(zip(VISEMES, self._weights.tolist(), strict=True))
        return seconds, (self.targets(weights) if self.binding else weights)

    def targets(self, weights: dict[str, float]) -> dict[str, float]:
        """Viseme weights as the bound rig's shape-key values and ``jaw`` (opening, 0-1)."""
        preset = self.binding.preset
        values = dict.fromkeys(self.binding.shape_keys.values(), 0.0)
        jaw = 0.0
        for viseme, weight in weights.items():
            pose = preset.visemes.get(viseme)
            if pose is None or weight < 1e-4:
                continue
            jaw += weight * pose.jaw
            for target, amount in pose.shapes.items():
                if target in self.binding.shape_keys:
                    values[self.binding.shape_keys[target]] += weight * amount * pose.intensity
        if preset.jaw and preset.jaw.shape in self.binding.shape_keys:
            values[self.binding.shape_keys[preset.jaw.shape]] += jaw
        return {**{k: min(v, 1.0) for k, v in values.items()}, "jaw": min(jaw, 1.0)}
