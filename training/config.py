"""Training configuration: the defaults in code, a small TOML file of overrides per shipped model.

``training/config.toml`` (the offline network, ``make train``) and ``training/config_stream.toml`` (the causal
one, ``make train-stream``) hold only what differs from these defaults, each with its own data folder, so
generating one model's data never changes the other's. ``model`` is ``inference.model.ModelConfig`` itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..inference.model import ModelConfig

ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f5", "klatt", "klatt2", "klatt3", "Andy", "Annie", "Denis",
    "Gene", "Hugo", "Jacky", "Lee", "Marco", "Mario", "Michael", "Mike", "adam", "anika", "antonio", "aunty",
    "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "grandma", "iven", "john", "linda", "max",
    "michel", "miguel", "norbert", "pablo", "paul", "pedro", "quincy", "rob", "robert", "sandro", "shelby", "travis",
    "victor", "zac", "croak", "whisper",
)
LANGUAGES = {"en-us": 0.34, "en-gb": 0.06, "es": 0.1, "fr-fr": 0.1, "de": 0.1, "it": 0.1, "pt": 0.1, "ja": 0.1}


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    """What ``training/generate.py`` synthesises, and where it writes it."""

    dir: str = "training/data"
    workers: int = 2
    train_utterances: int = 6000
    val_per_language: int = 24
    copies: int = 2
    """Augmented versions of each synthetic utterance (mild, hard)."""
    sentences: tuple[int, int] = (1, 3)
    """Sentences per utterance (min, max)."""
    languages: dict[str, float] = field(default_factory=lambda: dict(LANGUAGES))
    """Language to its share of the utterances."""
    kokoro_share: dict[str, float] = field(default_factory=dict)
    """Share of a language's utterances spoken by Kokoro-82M (none by default)."""
    kokoro_voices: tuple[str, ...] = ()
    """Kokoro voices, blended in random pairs."""
    kokoro_val_voices: tuple[str, ...] = ()
    kokoro_copies: int = 4
    """Augmented copies of a Kokoro utterance (the most natural voice and the slowest to make)."""
    flite_share_en: float = 0.55
    """Share of the other English utterances spoken by flite (the rest by espeak-ng)."""
    flite_voices: tuple[str, ...] = ("slt", "rms")
    flite_val_voices: tuple[str, ...] = ("awb",)
    espeak_variants: tuple[str, ...] = ESPEAK_VARIANTS
    espeak_val_variants: tuple[str, ...] = ("m7", "f4", "klatt4", "steph", "Alicia", "gustave")


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The training loop of ``training/train.py``."""

    minutes: float = 40
    """Wall-clock budget of the loop."""
    batch: int = 24
    crop_frames: int = 400
    lr: float = 0.003
    weight_decay: float = 0.01
    label_smoothing: float = 0.05
    freq_mask: int = 8
    """SpecAugment-style band masking width (bands)."""
    eval_every: int = 250
    """Steps between validations."""
    threads: int = 2
    prior_frames: float = 30
    """Causal models: weight (frames) of the training statistics in the running feature normalisation."""


@dataclass(frozen=True, kw_only=True)
class Config:
    seed: int = 1234
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    @property
    def streaming(self) -> bool:
        return self.model.lookahead is not None


def _section(cls, values: dict, where: str):
    """``cls`` with ``values`` over its defaults; lists become tuples; an unknown key is an error."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def load_config(path: str | Path) -> Config:
    """The defaults with the TOML file at ``path`` over them."""
    values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sections = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
    parts = {name: _section(cls, values.pop(name, {}), f"{path} [{name}]") for name, cls in sections.items()}
    return _section(Config, {**values, **parts}, str(path))


def command_config(description: str, **paths: str) -> tuple[argparse.Namespace, Config] | None:
    """A training command's arguments (``--config``, ``--dry-run`` and a ``--NAME`` per entry of ``paths``, with
    its default) and its config; None once ``--dry-run`` has printed the config."""
    parser = argparse.ArgumentParser(description=description)
    for name, default in paths.items():
        parser.add_argument(f"--{name}", default=default, help="(default: %(default)s)")
    parser.add_argument("--config", default="training/config.toml",
                        help="overrides of the defaults in training/config.py (default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="print the resolved configuration and stop")
    args = parser.parse_args()
    config = load_config(args.config)
    if args.dry_run:
        print(config)
        return None
    return args, config
