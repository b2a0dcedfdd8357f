"""The timing network's layers in numpy: the one implementation of its maths for whole clips and for streams.

Activations are ``(frames, channels)`` float32. Every layer takes its input with the context its kernel needs
already attached (``reach`` frames, ``left`` of them before the first output frame) and returns one frame per
frame of output: a whole clip is zero-padded around, a stream attaches the last inputs it kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SMALL = 16
"""Up to this many frames (a stream's hop) products are summed by einsum: BLAS would wake its threads for them,
which costs more than the products on a busy CPU."""


def matmul(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``x @ weight`` for ``(frames, inputs)`` by ``(inputs, outputs)``."""
    return np.einsum("ti,io->to", x, weight) if len(x) <= SMALL else x @ weight


def _taps(x: np.ndarray, kernel: int, dilation: int, frames: int) -> np.ndarray:
    """``(frames, kernel, channels)``: for each output frame, the input frames its kernel reads (a view)."""
    x = np.ascontiguousarray(x)
    rows, columns = x.strides
    return np.ndarray((frames, kernel, x.shape[1]), x.dtype, x, 0, (rows, dilation * rows, columns))


@dataclass(frozen=True)
class Conv:
    """A dilated 1-D convolution, batch norm folded in, then ReLU."""

    weight: np.ndarray
    """``(kernel, inputs, outputs)``, or ``(kernel, channels)`` for a depthwise convolution."""
    bias: np.ndarray
    dilation: int
    left: int
    """Context frames before each output frame (``reach`` for a causal layer, half of it for a centred one)."""

    @property
    def reach(self) -> int:
        return (len(self.weight) - 1) * self.dilation

    @property
    def inputs(self) -> int:
        return self.weight.shape[1]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = len(x) - self.reach
        taps = _taps(x, len(self.weight), self.dilation, n)
        if self.weight.ndim == 2:
            out = np.einsum("tkc,kc->tc", taps, self.weight)
        elif n <= SMALL:
            out = np.einsum("tki,kio->to", taps, self.weight)
        else:
            out = sum(taps[:, k] @ tap for k, tap in enumerate(self.weight))
        out += self.bias
        return np.maximum(out, 0.0, out=out)


@dataclass(frozen=True)
class Block:
    """Residual depthwise-separable block: ``x + pointwise(relu(depthwise(x)))``."""

    depthwise: Conv
    pointwise: np.ndarray
    """``(channels, channels)``, inputs by outputs."""
    pointwise_bias: np.ndarray

    @property
    def reach(self) -> int:
        return self.depthwise.reach

    @property
    def left(self) -> int:
        return self.depthwise.left

    @property
    def inputs(self) -> int:
        return self.depthwise.inputs

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y = matmul(self.depthwise(x), self.pointwise)
        y += self.pointwise_bias
        y += x[self.left: self.left + len(y)]
        return y


@dataclass(frozen=True)
class Network:
    """Stem convolution, residual blocks and a linear head: log-mel frames to per-frame class logits."""

    layers: tuple[Conv | Block, ...]
    head: np.ndarray
    """``(channels, classes)``."""
    head_bias: np.ndarray
    lookahead: int | None
    """None: centred (offline). A number: causal, and output frame ``t`` belongs to input frame ``t - lookahead``."""

    @property
    def reach(self) -> int:
        """Frames of input either side that one output frame depends on, at most."""
        return sum(layer.reach for layer in self.layers) + (self.lookahead or 0)

    def logits(self, mel: np.ndarray) -> np.ndarray:
        """``(frames, n_mels)`` to ``(frames, classes)`` logits of a whole clip."""
        x = np.asarray(mel, np.float32)
        ahead = self.lookahead or 0
        if ahead:  # the last frames see the clip's end repeated, as a stream's would see silence come
            x = np.concatenate([x, np.repeat(x[-1:], ahead, axis=0)])
        for layer in self.layers:
            x = layer(np.pad(x, ((layer.left, layer.reach - layer.left), (0, 0))))
        return self.output(x)[ahead:]

    def output(self, x: np.ndarray) -> np.ndarray:
        out = matmul(x, self.head)
        out += self.head_bias
        return out


class NetState:
    """A causal network's state for one stream: the last inputs of every layer that its kernel still needs."""

    def __init__(self, network: Network) -> None:
        if network.lookahead is None:
            raise ValueError("only a causal network runs as a stream")
        self.network = network
        self.tails = [np.zeros((layer.reach, layer.inputs), np.float32) for layer in network.layers]

    def push(self, frames: np.ndarray) -> np.ndarray:
        """Consecutive normalised feature frames in, as many logits out (each ``lookahead`` frames behind)."""
        x = np.asarray(frames, np.float32)
        for i, layer in enumerate(self.network.layers):
            x = np.concatenate([self.tails[i], x])
            self.tails[i] = x[len(x) - layer.reach:]
            x = layer(x)
        return self.network.output(x)


def fold_batch_norm(weight: np.ndarray, bias: np.ndarray, norm: dict[str, np.ndarray],
                    eps: float) -> tuple[np.ndarray, np.ndarray]:
    """A convolution ``(outputs, ...)`` followed by an eval-mode batch norm, as one convolution."""
    scale = norm["weight"].astype(np.float64) / np.sqrt(norm["running_var"].astype(np.float64) + eps)
    folded = weight * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    return folded.astype(np.float32), ((bias - norm["running_mean"]) * scale + norm["bias"]).astype(np.float32)
