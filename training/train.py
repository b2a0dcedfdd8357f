"""Train the timing network on the generated shards and export the best checkpoint as safetensors.

One command (after ``training/generate.py``; both read the same config, ``training/config.py`` with overrides)::

    .venv/bin/python -m lipsync_ai.training.train --config training/config.toml
    .venv/bin/python -m lipsync_ai.training.train --config training/config_stream.toml \
        --out inference/weights/timing_net_stream.safetensors
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import torch

from ..core.phone_classes import CLASSES, SILENCE_CLASS, phone_class
from ..inference.features import FeatureConfig, RunningNorm, normalise, raw_log_mel
from ..inference.model import WEIGHTS
from ..inference.torch_model import TimingNet, save
from .augment import augment
from .config import command_config


@dataclass
class Corpus:
    feats: torch.Tensor
    labels: torch.Tensor
    offsets: np.ndarray
    lengths: np.ndarray


Normaliser = Callable[[np.ndarray], np.ndarray]
"""Raw log-mel frames of one clip (or crop) -> the network's input, the way the model will be run."""


def load_train(data_dir: Path, per_clip: bool) -> Corpus:
    """The generated shards; with ``per_clip`` each clip's features are normalised over the clip here, otherwise
    they stay raw for a running normalisation of each crop."""
    feats, labels, lengths = [], [], []
    for shard in sorted(data_dir.glob("train_*.npz")):
        with np.load(shard) as d:
            feats.append(d["feats"])
            labels.append(d["labels"])
            lengths.append(d["lengths"])
    lengths_arr = np.concatenate(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths_arr)[:-1]])
    all_feats = np.concatenate(feats)
    if per_clip:
        for begin, n in zip(offsets, lengths_arr, strict=True):
            all_feats[begin: begin + n] = normalise(all_feats[begin: begin + n])
    return Corpus(torch.from_numpy(all_feats), torch.from_numpy(np.concatenate(labels).astype(np.int64)),
                  offsets, lengths_arr)


def load_val(data_dir: Path, features: FeatureConfig, seed: int,
             norm: Normaliser) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(language, features, frame classes) per held-out clip, clean and augmented."""
    rng = np.random.default_rng(seed)
    out = []
    for meta_path in sorted((data_dir / "val").glob("*.json")):
        meta = json.loads(meta_path.read_text())
        samples, _ = soundfile.read(meta_path.with_suffix(".wav"), dtype="float32")
        starts = np.array([p["start"] for p in meta["phones"]])
        ends = np.array([p["end"] for p in meta["phones"]])
        classes = np.array([phone_class(p["label"]) for p in meta["phones"]])
        for aug in (None, augment(samples, rng, 1.0)):
            x, scale, offset = (samples, 1.0, 0.0) if aug is None else (aug.samples, aug.time_scale, aug.offset)
            mel = norm(raw_log_mel(x, features))
            times = (np.arange(len(mel)) * features.frame_seconds - offset) / scale
            idx = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, None)
            inside = (times >= 0) & (times < ends[idx])
            out.append((meta["language"], mel, np.where(inside, classes[idx], SILENCE_CLASS)))
    return out


def feature_prior(corpus: Corpus) -> dict[str, list[float]]:
    """A typical (augmented) training clip's mean and spread of each raw log-mel band: where a stream's running
    normalisation starts before it has heard enough of its own audio. The spread is taken within each clip, so
    the differences in level between clips do not inflate it."""
    clips = [corpus.feats[o: o + n].double() for o, n in zip(corpus.offsets, corpus.lengths, strict=True)]
    means = torch.stack([clip.mean(dim=0) for clip in clips])
    variances = torch.stack([clip.var(dim=0, correction=0) for clip in clips])
    return {"feature_mean": means.mean(dim=0).round(decimals=4).tolist(),
            "feature_std": variances.mean(dim=0).sqrt().round(decimals=4).tolist()}


def batch(corpus: Corpus, rng: np.random.Generator, size: int, crop: int,
          norm: Normaliser | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random crops, weighted by clip length; ``norm`` normalises each crop as a stream starting there would."""
    picks = rng.choice(len(corpus.lengths), size=size, p=corpus.lengths / corpus.lengths.sum())
    x = torch.zeros(size, crop, corpus.feats.shape[1])
    y = torch.full((size, crop), -100, dtype=torch.int64)
    for i, u in enumerate(picks):
        length = int(corpus.lengths[u])
        start = int(rng.integers(0, max(1, length - crop + 1)))
        n = min(crop, length - start)
        begin = int(corpus.offsets[u]) + start
        crop_feats = corpus.feats[begin: begin + n]
        x[i, :n] = torch.from_numpy(norm(crop_feats.numpy())) if norm else crop_feats.float()
        y[i, :n] = corpus.labels[begin: begin + n]
    return x, y


def spec_augment(x: torch.Tensor, rng: np.random.Generator, width: int) -> torch.Tensor:
    for i in range(len(x)):
        w = int(rng.integers(0, width + 1))
        f = int(rng.integers(0, x.shape[2] - w + 1))
        x[i, :, f: f + w] = 0
    return x


def evaluate(model: TimingNet, val: list, device: str) -> dict[str, float]:
    """Frame accuracy overall and per language, and accuracy on lip-critical frames."""
    model.eval()
    correct: dict[str, list[int]] = {}
    lip = [0, 0]
    critical = torch.tensor([CLASSES.index(c) for c in ("bilabial_stop", "bilabial_nasal", "labiodental")])
    with torch.inference_mode():
        for language, mel, labels in val:
            pred = model(torch.from_numpy(mel)[None].to(device))[0].argmax(-1).cpu()
            ref = torch.from_numpy(labels)
            stats = correct.setdefault(language, [0, 0])
            stats[0] += int((pred == ref).sum())
            stats[1] += len(ref)
            mask = torch.isin(ref, critical)
            lip[0] += int((pred[mask] == ref[mask]).sum())
            lip[1] += int(mask.sum())
    model.train()
    result = {lang: c / max(n, 1) for lang, (c, n) in correct.items()}
    result["all"] = sum(c for c, _ in correct.values()) / max(1, sum(n for _, n in correct.values()))
    result["lip"] = lip[0] / max(lip[1], 1)
    return result


def main() -> None:
    parsed = command_config(__doc__, out=str(WEIGHTS))
    if parsed is None:
        return
    args, config = parsed
    train = config.train
    torch.set_num_threads(train.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data_dir = Path(config.data.dir)
    features = FeatureConfig(n_mels=config.model.n_mels)
    streaming = config.streaming
    corpus = load_train(data_dir, per_clip=not streaming)
    # a causal (streaming) model is trained on the running normalisation it will be run with
    prior = {**feature_prior(corpus), "prior_frames": train.prior_frames} if streaming else {}

    def running_norm(mel: np.ndarray) -> np.ndarray:
        return RunningNorm(prior["feature_mean"], prior["feature_std"], prior["prior_frames"])(mel)

    val = load_val(data_dir, features, config.seed, running_norm if streaming else normalise)
    hours = corpus.lengths.sum() / 360000
    print(f"train {hours:.1f} h in {len(corpus.lengths)} clips, val {len(val)} clips, device {device}", flush=True)
    model = TimingNet(config.model).to(device)
    print(f"parameters {sum(p.numel() for p in model.parameters())}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=train.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=train.label_smoothing)
    runs = Path("training/runs")
    runs.mkdir(parents=True, exist_ok=True)
    best_path = runs / f"best_{Path(args.out).stem}.safetensors"
    budget = train.minutes * 60
    start = time.time()
    best, step, running = -1.0, 0, 0.0
    while (elapsed := time.time() - start) < budget:
        frac = elapsed / budget
        lr = train.lr * min(1.0, (step + 1) / 300) * 0.5 * (1 + math.cos(math.pi * frac))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batch(corpus, rng, train.batch, train.crop_frames, running_norm if streaming else None)
        x = spec_augment(x, rng, train.freq_mask).to(device)
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.to(device).reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        step += 1
        if step % train.eval_every == 0 or time.time() - start >= budget:
            scores = evaluate(model, val, device)
            line = " ".join(f"{k} {v:.3f}" for k, v in scores.items())
            print(f"step {step} {elapsed / 60:.1f} min lr {lr:.5f} loss {running:.3f} | val {line}", flush=True)
            metric = scores["all"] + scores["lip"]
            if metric > best:
                best = metric
                info = {"steps": step, "train_minutes": round(elapsed / 60, 1), "train_hours_audio": round(hours, 1),
                        "val_frame_accuracy": round(scores["all"], 4), "val_lip_accuracy": round(scores["lip"], 4),
                        "device": device, "config": args.config, **prior}
                save(model, features, best_path, info)
    shutil.copyfile(best_path, args.out)
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min; best checkpoint -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
