"""The timing network's weights file and configuration, loaded as a numpy ``Network`` (batch norms folded).

The safetensors file holds the torch module's state (``inference/torch_model.py``, used for training and CUDA);
its metadata holds the model and feature configs, the class list and training info (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.phone_classes import CLASSES
from .features import FeatureConfig
from .network import Block, Conv, Network, fold_batch_norm

WEIGHTS = Path(__file__).parent / "weights" / "timing_net.safetensors"
BATCH_NORM_EPS = 1e-5


@dataclass(frozen=True)
class ModelConfig:
    n_mels: int = 64
    channels: int = 128
    kernel: int = 5
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 1, 2, 4)
    gru_hidden: int = 0
    """A BiGRU head (training experiments only: the numpy runtime does not run it)."""
    dropout: float = 0.1
    classes: tuple[str, ...] = field(default=CLASSES)
    lookahead: int | None = None
    """None: every frame sees both sides (offline). A number: causal convolutions, and frame ``t`` sees the
    input up to ``t + lookahead`` only (the streaming variant)."""


def left_pad(kernel: int, dilation: int, causal: bool) -> tuple[int, int]:
    """Padding before and after the frames: centred, or all before for a causal layer."""
    total = dilation * (kernel - 1)
    return (total, 0) if causal else (total // 2, total - total // 2)


@dataclass(frozen=True)
class Weights:
    config: ModelConfig
    features: FeatureConfig
    state: dict[str, np.ndarray]
    """The torch module's ``state_dict`` as float32 arrays."""
    info: dict


def read_weights(path: Path = WEIGHTS) -> Weights:
    from safetensors import safe_open
    from safetensors.numpy import load_file

    with safe_open(str(path), framework="numpy") as handle:
        meta = handle.metadata()
    cfg = json.loads(meta["model"])
    config = ModelConfig(**{**cfg, "dilations": tuple(cfg["dilations"]), "classes": tuple(cfg["classes"])})
    if config.classes != CLASSES:
        raise ValueError(f"{path.name} was trained for other phone classes; retrain or update the weights.")
    return Weights(config, FeatureConfig(**json.loads(meta["features"])), load_file(str(path)),
                   json.loads(meta["info"]))


def build_network(weights: Weights) -> Network:
    """The numpy network of ``weights``, each batch norm folded into the convolution before it."""
    config, state = weights.config, weights.state
    if config.gru_hidden:
        raise ValueError("the numpy runtime has no GRU head; train with gru_hidden = 0")
    causal = config.lookahead is not None

    def norm(prefix: str) -> dict[str, np.ndarray]:
        return {k: state[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")}

    stem, stem_bias = fold_batch_norm(state["stem.0.weight"], state["stem.0.bias"], norm("stem.1"), BATCH_NORM_EPS)
    layers: list[Conv | Block] = [Conv(np.ascontiguousarray(stem.transpose(2, 1, 0)), stem_bias, 1,
                                       left_pad(config.kernel, 1, causal)[0])]
    for i, dilation in enumerate(config.dilations):
        p = f"blocks.{i}"
        depthwise, bias = fold_batch_norm(state[f"{p}.depthwise.weight"], state[f"{p}.depthwise.bias"],
                                          norm(f"{p}.norm"), BATCH_NORM_EPS)
        conv = Conv(np.ascontiguousarray(depthwise[:, 0, :].T), bias, dilation,
                    left_pad(config.kernel, dilation, causal)[0])
        layers.append(Block(conv, np.ascontiguousarray(state[f"{p}.pointwise.weight"][:, :, 0].T),
                            state[f"{p}.pointwise.bias"]))
    return Network(tuple(layers), np.ascontiguousarray(state["head.weight"].T), state["head.bias"], config.lookahead)


def load(path: Path = WEIGHTS) -> tuple[Network, FeatureConfig]:
    """The numpy network and the feature settings it was trained with."""
    weights = read_weights(path)
    return build_network(weights), weights.features


Logits = Callable[[np.ndarray], np.ndarray]
"""``(frames, n_mels)`` features of a whole clip (or piece) to ``(frames, classes)`` logits."""


def log_posteriors(logits: Logits, mel: np.ndarray, context: int, chunk: int = 3000) -> np.ndarray:
    """``(frames, classes)`` float32 log-posteriors; long inputs go through in pieces of ``chunk`` frames with
    ``context`` frames either side (the network's reach: the result does not depend on the split, memory stays
    bounded)."""
    n = len(mel)
    pieces = []
    for start in range(0, max(n, 1), chunk):
        first, end = max(0, start - context), min(n, start + chunk)
        out = logits(mel[first: min(n, end + context)])[start - first: end - first]
        pieces.append(out - _logsumexp(out))
    return np.concatenate(pieces).astype(np.float32, copy=False)


def _logsumexp(x: np.ndarray) -> np.ndarray:
    top = x.max(axis=1, keepdims=True)
    return top + np.log(np.exp(x - top).sum(axis=1, keepdims=True))
