"""Real-time lip sync: audio chunks in, smoothed viseme (or rig target) weights out on every 10 ms hop.

The causal timing network (``timing_net_stream.safetensors``, trained by ``training/config_stream.toml``) runs one
frame at a time in numpy: each layer keeps only the past inputs its kernel still needs, so a hop costs the same
however long the stream has run. Features are normalised with running statistics that start from a typical
training clip's and come to the voice's own as the stream goes on; the network was trained on features normalised
this way. All state lives in a ``Stream``, so one process can serve many streams; the model's arrays are shared
and never written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.phone_classes import CLASSES, SILENCE_CLASS, representative_label
from ..core.presets import RigBinding
from ..core.visemes import VISEMES, phone_viseme
from .features import FeatureConfig, RunningNorm, window_log_mel

STREAM_WEIGHTS = Path(__file__).parent / "weights" / "timing_net_stream.safetensors"
SHARPNESS = 2.0
"""Viseme probabilities are raised to this power (and renormalised) for display: the likeliest shape reads clearly
instead of a blend of every candidate."""


@dataclass(frozen=True)
class _Layer:
    weight: np.ndarray
    """Depthwise taps ``(kernel, channels)`` with the batch norm folded in."""
    bias: np.ndarray
    dilation: int
    pointwise: np.ndarray
    pointwise_bias: np.ndarray


@dataclass(frozen=True)
class StreamModel:
    """The causal network as numpy arrays (batch norms folded), with its features and normalisation prior."""

    features: FeatureConfig
    lookahead: int
    stem: np.ndarray
    """``(kernel, n_mels, channels)``."""
    stem_bias: np.ndarray
    layers: tuple[_Layer, ...]
    head: np.ndarray
    """``(channels, classes)``."""
    head_bias: np.ndarray
    prior_mean: np.ndarray
    prior_std: np.ndarray
    prior_frames: float
    """Weight, in frames, of the training statistics in the running feature normalisation."""
    to_visemes: np.ndarray
    """``(classes, visemes)``: which viseme each phone class shows."""

    @property
    def latency(self) -> float:
        """Seconds from a sound to its frame's weights: the look-ahead, half an analysis window, one hop."""
        f = self.features
        return (self.lookahead * f.hop + f.n_fft // 2 + f.hop) / f.sample_rate


def _fold(conv_weight, conv_bias, norm) -> tuple[np.ndarray, np.ndarray]:
    scale = (norm.weight / (norm.running_var + norm.eps).sqrt()).detach().numpy()
    weight = conv_weight.detach().numpy() * scale.reshape(-1, *([1] * (conv_weight.dim() - 1)))
    bias = ((conv_bias - norm.running_mean).detach().numpy() * scale) + norm.bias.detach().numpy()
    return weight.astype(np.float32), bias.astype(np.float32)


@functools.cache
def load_stream_model(path: Path = STREAM_WEIGHTS) -> StreamModel:
    import json

    from safetensors import safe_open

    from .model import load

    model, features = load(path)
    if model.config.lookahead is None:
        raise ValueError(f"{path.name} is not a causal (streaming) model")
    with safe_open(str(path), framework="pt") as handle:
        info = json.loads(handle.metadata()["info"])
    return stream_model(model, features, np.array(info["feature_mean"]), np.array(info["feature_std"]),
                        info["prior_frames"])


def stream_model(model, features: FeatureConfig, prior_mean: np.ndarray, prior_std: np.ndarray,
                 prior_frames: float) -> StreamModel:
    """The arrays of a causal ``TimingNet`` (in eval mode) for frame-by-frame use."""
    stem_conv, stem_norm = model.stem[0], model.stem[1]
    stem, stem_bias = _fold(stem_conv.weight, stem_conv.bias, stem_norm)
    layers = []
    for block in model.blocks:
        weight, bias = _fold(block.depthwise.weight, block.depthwise.bias, block.norm)
        layers.append(_Layer(np.ascontiguousarray(weight[:, 0, :].T), bias, block.depthwise.dilation[0],
                             np.ascontiguousarray(block.pointwise.weight.detach().numpy()[:, :, 0]),
                             block.pointwise.bias.detach().numpy()))
    to_visemes = np.zeros((len(CLASSES), len(VISEMES)), np.float32)
    for c in range(len(CLASSES)):
        viseme = "sil" if c == SILENCE_CLASS else phone_viseme(representative_label(c, True))
        to_visemes[c, VISEMES.index(viseme)] = 1.0
    return StreamModel(
        features, model.config.lookahead, np.ascontiguousarray(stem.transpose(2, 1, 0)), stem_bias, tuple(layers),
        np.ascontiguousarray(model.head.weight.detach().numpy().T), model.head.bias.detach().numpy(),
        prior_mean.astype(np.float32), prior_std.astype(np.float32), float(prior_frames), to_visemes,
    )


class _Net:
    """The network's state for one stream: the recent inputs of every layer."""

    def __init__(self, model: StreamModel) -> None:
        self.model = model
        kernel = model.stem.shape[0]
        self.stem_in = np.zeros((kernel, model.stem.shape[1]), np.float32)
        self.inputs = [np.zeros(((kernel - 1) * layer.dilation + 1, model.stem.shape[2]), np.float32)
                       for layer in model.layers]

    def step(self, x: np.ndarray) -> np.ndarray:
        """One normalised feature frame in, the logits of the frame ``lookahead`` frames back out."""
        m = self.model
        self.stem_in[:-1] = self.stem_in[1:]
        self.stem_in[-1] = x
        h = np.maximum(np.einsum("km,kmc->c", self.stem_in, m.stem) + m.stem_bias, 0.0)
        for layer, past in zip(m.layers, self.inputs, strict=True):
            past[:-1] = past[1:]
            past[-1] = h
            y = np.einsum("kc,kc->c", past[:: layer.dilation], layer.weight) + layer.bias
            h = h + layer.pointwise @ np.maximum(y, 0.0) + layer.pointwise_bias
        return h @ m.head + m.head_bias


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
        self._net = _Net(self.model)
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
        out = []
        for mel in mels:
            logits = self._net.step(mel)
            self._frames += 1
            if self._frames > self.model.lookahead:
                out.append(self._emit(logits))
        return out

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
