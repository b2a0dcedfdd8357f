"""The timing network as a torch module: what training optimises and what runs on a CUDA GPU.

The CPU runtime never imports this module; it runs the same weights in numpy (``inference/network.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.errors import LipsyncError
from .features import FeatureConfig
from .model import BATCH_NORM_EPS, WEIGHTS, Logits, ModelConfig, left_pad, read_weights


class _Block(nn.Module):
    """Residual depthwise-separable dilated convolution."""

    def __init__(self, channels: int, kernel: int, dilation: int, dropout: float, causal: bool = False) -> None:
        super().__init__()
        self.pad = left_pad(kernel, dilation, causal)
        self.depthwise = nn.Conv1d(channels, channels, kernel, dilation=dilation, groups=channels)
        self.norm = nn.BatchNorm1d(channels, eps=BATCH_NORM_EPS)
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
        self.stem_pad = left_pad(config.kernel, 1, causal)
        self.stem = nn.Sequential(nn.Conv1d(config.n_mels, c, config.kernel), nn.BatchNorm1d(c, eps=BATCH_NORM_EPS),
                                  nn.ReLU())
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
    """The torch module in eval mode on ``device`` and the feature settings it was trained with."""
    weights = read_weights(path)
    model = TimingNet(weights.config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.state.items()}, strict=False)
    return model.to(device).eval(), weights.features


def cuda_logits(path: Path = WEIGHTS) -> Logits:
    """The network on the GPU as a ``Logits`` function. Raises LipsyncError when this torch has no CUDA."""
    if not torch.cuda.is_available():
        raise LipsyncError("CUDA is not available to this PyTorch (a CPU-only build, or no NVIDIA GPU). "
                           "Install a CUDA build of torch, or use the CPU device.")
    model, _ = load(path, "cuda")

    def logits(mel: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(np.ascontiguousarray(mel, np.float32))[None].cuda())[0].float().cpu().numpy()

    return logits
