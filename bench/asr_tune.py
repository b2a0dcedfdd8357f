"""Tune audio-only recognition on the tuning sets: pocketsphinx settings and the network's decode settings.

    .venv/bin/python bench/asr_tune.py [--sets timit-tune,librivox] [--limit N] [--cache DIR] [SETTING ...]

Each SETTING is ``key=value`` pairs joined by commas, keys from ``PocketsphinxSettings`` (recognition) or
``DecodeConfig`` (the timing network's decoding), e.g. ``lw=8,wip=0.2`` or ``sure_lips=0.8``; an empty
string (the default) is the shipped settings. Each line printed is one setting on one set, scored through the
product's own path (``engine.align`` without a transcript). Choose settings on ``timit-tune`` and ``librivox``
only (the rule in docs/recognition.md); ``timit-report`` is for reporting.

The network's posteriors and pocketsphinx's stretches are cached per utterance (and per recognition setting) in
``--cache``, so a post-processing setting costs only the alignments, and a recognition setting is decoded once.
``rec RTF`` is pocketsphinx's CPU seconds per second of audio (one process), measured when first decoded.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import pickle
import time
from pathlib import Path

from references import Utterance, load_set
from scoring import CLOSED, FV, ROUND, PhoneScore, score_phones

from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.types import Audio
from lipsync_ai.inference.engine import align, default_timer
from lipsync_ai.inference.network_timer import DecodeConfig, network_identity
from lipsync_ai.inference.recogniser import PocketsphinxRecogniser, PocketsphinxSettings, Stretch

REPO = Path(__file__).resolve().parents[1]
LANGUAGE = "en-us"


def parse_setting(text: str) -> tuple[PocketsphinxSettings, DecodeConfig]:
    """``lw=8,sure_lips=0.8`` -> the settings with those fields changed (values typed as the fields)."""
    recognition, decoding = PocketsphinxSettings(), DecodeConfig()
    for pair in filter(None, text.split(",")):
        key, value = pair.split("=", 1)
        target = recognition if key in {f.name for f in dataclasses.fields(recognition)} else decoding
        kind = type(getattr(target, key))  # AttributeError names an unknown key
        typed = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
        if target is recognition:
            recognition = dataclasses.replace(recognition, **{key: typed})
        else:
            decoding = dataclasses.replace(decoding, **{key: typed})
    return recognition, decoding


class Cache:
    """Pickled posteriors and stretches, one file per key, so that interrupted sweeps keep what they did."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, make):
        path = self.folder / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".pkl")
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = make()
        path.write_bytes(pickle.dumps(value))
        return value


class CachedRecogniser:
    """``PocketsphinxRecogniser`` whose stretches per utterance come from the cache after the first decode."""

    def __init__(self, settings: PocketsphinxSettings, cache: Cache) -> None:
        self.inner = PocketsphinxRecogniser(settings)
        self.name, self.identity, self.warnings = self.inner.name, self.inner.identity, []
        self.cache = cache
        self.utterance = ""
        self.cpu_seconds = 0.0

    def recognise(self, audio: Audio, progress=None) -> list[Stretch]:
        def decode():
            began = time.process_time()
            stretches = self.inner.recognise(audio)
            return stretches, time.process_time() - began

        stretches, seconds = self.cache.get(f"stretches {self.identity} {self.utterance}", decode)
        self.cpu_seconds += seconds
        return stretches


def score(utterances: list[Utterance], recognition: PocketsphinxSettings, decoding: DecodeConfig,
          cache: Cache) -> tuple[PhoneScore, float]:
    """Pooled phone scores of audio-only mode over ``utterances``, and recognition's CPU real-time factor."""
    timer = default_timer("cpu", decode=decoding)
    recogniser = CachedRecogniser(recognition, cache)
    total, audio_seconds = PhoneScore(), 0.0
    for utt in utterances:
        audio = load_audio(utt.audio)
        logp = cache.get(f"posteriors {network_identity()} {utt.name}", lambda a=audio: timer.posteriors(a))
        timer.posteriors = lambda _audio, logp=logp: logp  # the instance's, for this utterance only
        recogniser.utterance = utt.name
        try:
            result = align(audio, None, LANGUAGE, timer, recogniser=recogniser)
        finally:
            del timer.posteriors
        total += score_phones(utt.phones, result.phonemes, result.duration)
        audio_seconds += audio.duration
    return total, recogniser.cpu_seconds / audio_seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", default=[""], help="key=value,... (empty: the shipped settings)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sets", default="timit-tune,librivox")
    parser.add_argument("--limit", type=int, help="only the first N utterances of each set (a quick subset)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipsync-asr-tune"))
    args = parser.parse_args(argv)
    cache = Cache(args.cache)
    data = {name: load_set(args.data, name)[: args.limit] for name in args.sets.split(",")}
    print(f"{'setting':40}  {'set':12}  lip F1  closed  F/V    round R  onset ms  rec RTF", flush=True)
    for text in args.settings:
        recognition, decoding = parse_setting(text)
        for name, utterances in data.items():
            total, rtf = score(utterances, recognition, decoding, cache)
            print(f"{text or '(shipped)':40}  {name:12}  {total.lip_f1:.3f}   {total.counts[CLOSED].f1:.3f}   "
                  f"{total.counts[FV].f1:.3f}  {total.counts[ROUND].recall:.3f}    {total.onset_mae * 1000:6.1f}"
                  f"    {rtf:.3f}", flush=True)


if __name__ == "__main__":
    main()
