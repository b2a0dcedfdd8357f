"""The timing network: log-mel frames to per-frame log-posteriors over the broad phone classes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.phone_classes import CLASSES
from .features import FeatureConfig

WEIGHTS = Path(__file__).parent / "weights" / "timing_net.safetensors"


@dataclass(frozen=True)
class ModelConfig:
    n_mels: int = 64
    channels: int = 128
    kernel: int = 5
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 1, 2, 4)
    gru_hidden: int = 0
    dropout: float = 0.1
    classes: tuple[str, ...] = field(default=CLASSES)
    lookahead: int | None = None
    """None: every frame sees both sides (offline). A number: causal convolutions, and frame ``t`` sees the
    input up to ``t + lookahead`` only (the streaming variant)."""


def _left_pad(kernel: int, dilation: int, causal: bool) -> tuple[int, int]:
    """Padding before and after the frames: centred, or all before for a causal layer."""
    total = dilation * (kernel - 1)
    return (total, 0) if causal else (total // 2, total - total // 2)


class _Block(nn.Module):
    """Residual depthwise-separable dilated convolution."""

    def __init__(self, channels: int, kernel: int, dilation: int, dropout: float, causal: bool = False) -> None:
        super().__init__()
        self.pad = _left_pad(kernel, dilation, causal)
        self.depthwise = nn.Conv1d(channels, channels, kernel, dilation=dilation, groups=channels)
        self.norm = nn.BatchNorm1d(channels)
        self.pointwise = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.depthwise(nn.functional.pad(x, self.pad))
        return x + self.dropout(self.pointwise(torch.relu(self.norm(y))))


class TimingNet(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        causal = config.lookahead is not None
        self.stem_pad = _left_pad(config.kernel, 1, causal)
        self.stem = nn.Sequential(nn.Conv1d(config.n_mels, c, config.kernel), nn.BatchNorm1d(c), nn.ReLU())
        self.blocks = nn.Sequential(*(_Block(c, config.kernel, d, config.dropout, causal) for d in config.dilations))
        self.gru = nn.GRU(c, config.gru_hidden, batch_first=True, bidirectional=True) if config.gru_hidden else None
        self.head = nn.Linear(2 * config.gru_hidden if config.gru_hidden else c, len(config.classes))

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """``(batch, frames, n_mels)`` to ``(batch, frames, classes)`` logits."""
        x = mel.transpose(1, 2)
        ahead = self.config.lookahead or 0
        if ahead:  # the last frames see the clip's end repeated, as a stream's would see silence come
            x = nn.functional.pad(x, (0, ahead), mode="replicate")
        x = self.blocks(self.stem(nn.functional.pad(x, self.stem_pad))).transpose(1, 2)[:, ahead:]
        if self.gru is not None:
            x, _ = self.gru(x)
        return self.head(x)


def save(model: TimingNet, features: FeatureConfig, path: Path, info: dict) -> None:
    """Write weights as safetensors; configs, classes and ``info`` go into its metadata (no pickle)."""
    from safetensors.torch import save_file

    state = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    meta = {"model": json.dumps(asdict(model.config)), "features": json.dumps(asdict(features)),
            "info": json.dumps(info)}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=meta)


def load(path: Path = WEIGHTS, device: str = "cpu") -> tuple[TimingNet, FeatureConfig]:
    """The network in eval mode on ``device`` and the feature settings it was trained with."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata()
    cfg = json.loads(meta["model"])
    config = ModelConfig(**{**cfg, "dilations": tuple(cfg["dilations"]), "classes": tuple(cfg["classes"])})
    if config.classes != CLASSES:
        raise ValueError(f"{path.name} was trained for other phone classes; retrain or update the weights.")
    model = TimingNet(config)
    model.load_state_dict(load_file(str(path)), strict=False)
    return model.to(device).eval(), FeatureConfig(**json.loads(meta["features"]))


def log_posteriors(model: TimingNet, mel: np.ndarray, device: str = "cpu", chunk: int = 3000,
                   context: int = 200) -> np.ndarray:
    """``(frames, classes)`` float32 log-posteriors; long inputs go through in overlapping chunks (linear cost)."""
    n = len(mel)
    starts = list(range(0, max(n, 1), chunk))
    pieces = [mel[max(0, s - context): min(n, s + chunk + context)] for s in starts]
    width = max(len(p) for p in pieces)
    batch = np.zeros((len(pieces), width, mel.shape[1]), np.float32)
    for i, p in enumerate(pieces):
        batch[i, : len(p)] = p
    out = np.empty((n, len(model.config.classes)), np.float32)
    with torch.inference_mode():
        logp = torch.log_softmax(model(torch.from_numpy(batch).to(device)), dim=-1).float().cpu().numpy()
    for i, s in enumerate(starts):
        left = s - max(0, s - context)
        end = min(n, s + chunk)
        out[s:end] = logp[i, left: left + end - s]
    return out
