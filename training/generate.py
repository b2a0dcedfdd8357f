"""Generate training and validation data: synthetic speech with exact phone timings, augmented, as features.

Train shards: ``data/train_<worker>.npz`` (raw log-mel float16, normalised by the training loop the way its model
will be run; frame classes int8; utterance lengths). Validation (held-out voices): ``data/val/<id>.wav`` +
``<id>.json`` (text, language, phones with times), clean.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
import soundfile

from ..core.phone_classes import SILENCE_CLASS
from ..inference.features import FeatureConfig, raw_log_mel
from .augment import augment
from .config import Config, DataConfig, command_config
from .kokoro import kokoro
from .texts import TextSource
from .tts import RATE, Utterance, espeak, flite

ESPEAK_LANGUAGE = {"en-us": "en-us", "en-gb": "en", "es": "es", "fr-fr": "fr", "de": "de", "it": "it",
                   "pt": "pt", "ja": "ja"}


def frame_labels(utt: Utterance, n_frames: int, scale: float, offset: float, hop: float) -> np.ndarray:
    """Class of each frame (centre ``i * hop``) of the augmented clip; silence outside the speech."""
    times = (np.arange(n_frames) * hop - offset) / scale
    idx = np.searchsorted(utt.starts, times, side="right") - 1
    inside = (idx >= 0) & (times < utt.ends[np.clip(idx, 0, None)])
    return np.where(inside, utt.classes[np.clip(idx, 0, None)], SILENCE_CLASS).astype(np.int8)


def synthesise(rng: np.random.Generator, texts: TextSource, data: DataConfig, validation: bool) -> Utterance | None:
    languages = list(data.languages)
    weights = np.array([data.languages[lang] for lang in languages])
    language = languages[rng.choice(len(languages), p=weights / weights.sum())] if not validation else None
    return speak(rng, texts, data, language, validation)


def speak(rng: np.random.Generator, texts: TextSource, data: DataConfig, language: str, validation: bool):
    text = texts.text(language, int(rng.integers(data.sentences[0], data.sentences[1] + 1)))
    engine = rng.random()
    kokoro_share = data.kokoro_share.get(language, 0.0)
    if engine < kokoro_share:
        if validation:
            voice = str(rng.choice(data.kokoro_val_voices))
            return kokoro().synth(text, language, (voice, voice), 1.0, 1.0)
        pair = rng.choice(data.kokoro_voices, 2, replace=False)
        return kokoro().synth(text, language, (str(pair[0]), str(pair[1])), float(rng.uniform()),
                              float(rng.uniform(0.8, 1.25)))
    if language == "en-us" and (engine - kokoro_share) / (1 - kokoro_share) < data.flite_share_en:
        voices = data.flite_val_voices if validation else data.flite_voices
        return flite(text, str(rng.choice(voices)), float(rng.uniform(0.8, 1.4)))
    variants = data.espeak_val_variants if validation else data.espeak_variants
    utt = espeak().synth(text, ESPEAK_LANGUAGE[language], str(rng.choice(variants)), int(rng.integers(110, 260)),
                         int(rng.integers(15, 85)), int(rng.integers(10, 95)))
    if utt is not None:
        utt.language = language
    return utt


def train_worker(args: tuple[Config, int]) -> str:
    config, worker = args
    data, seed = config.data, config.seed
    features = FeatureConfig(n_mels=config.model.n_mels)
    texts = TextSource(seed * 10 + worker)
    feats, labels, lengths = [], [], []
    for job in range(worker, data.train_utterances, data.workers):
        rng = np.random.default_rng([seed, job])
        utt = synthesise(rng, texts, data, validation=False)
        if utt is None or len(utt.samples) < RATE * 0.3:
            continue
        copies = data.kokoro_copies if utt.voice.startswith("kokoro") else data.copies
        for copy in range(copies):
            aug = augment(utt.samples, rng, strength=0.35 if copy == 0 else 1.0)
            mel = raw_log_mel(aug.samples, features)
            feats.append(mel.astype(np.float16))
            labels.append(frame_labels(utt, len(mel), aug.time_scale, aug.offset, features.frame_seconds))
            lengths.append(len(mel))
    out = Path(data.dir) / f"train_{worker}.npz"
    np.savez(out, feats=np.concatenate(feats), labels=np.concatenate(labels), lengths=np.array(lengths))
    return f"{out}: {len(lengths)} clips, {sum(lengths) / 360000:.2f} h"


def validation_set(config: Config) -> str:
    data, seed = config.data, config.seed
    out = Path(data.dir) / "val"
    out.mkdir(parents=True, exist_ok=True)
    texts = TextSource(seed * 10 + 99)
    count = 0
    for language in data.languages:
        for i in range(data.val_per_language):
            rng = np.random.default_rng([seed, 10**6, i, len(language), ord(language[0]), ord(language[-1])])
            utt = speak(rng, texts, data, language, validation=True)
            if utt is None:
                continue
            name = f"{language}_{i:03d}"
            soundfile.write(out / f"{name}.wav", utt.samples, RATE, subtype="PCM_16")
            phones = [{"label": lab, "start": float(s), "end": float(e)}
                      for lab, s, e in zip(utt.labels, utt.starts, utt.ends, strict=True)]
            meta = {"text": utt.text, "language": language, "voice": utt.voice, "phones": phones}
            (out / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False))
            count += 1
    return f"{out}: {count} clips"


def main() -> None:
    parsed = command_config(__doc__)
    if parsed is None:
        return
    _, config = parsed
    Path(config.data.dir).mkdir(parents=True, exist_ok=True)
    start = time.time()
    print(validation_set(config), flush=True)
    workers = config.data.workers
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for line in pool.imap_unordered(train_worker, [(config, w) for w in range(workers)]):
            print(line, flush=True)
    print(f"generated in {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
