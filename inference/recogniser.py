"""Recognisers: the words of a clip, with rough times and a confidence, for audio-only mode.

A recogniser only says *what* was said. The timing network still times every phone: the engine force-aligns the
recognised words as if they were the transcript. English uses pocketsphinx's bundled US-English model (trained
on real speech); any language can use a Vosk model folder the user downloads. Without either, audio-only mode
is the network's own phone loop.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..core.errors import LipsyncError
from ..core.languages import is_english
from ..core.pauses import speech_spans
from ..core.types import Audio, WordPron

Progress = Callable[[float], None]
"""Called with the share of the clip recognised so far, 0 to 1."""

PHONE_LOOP = "network phone loop"
"""What RESULT.json names as the recogniser when no recogniser ran in audio-only mode."""


@dataclass(frozen=True)
class Hypothesis:
    """One reading of a stretch: its words (phones as heard, or empty for the dictionary's) and the recogniser's
    own log score (natural log; comparable only within the stretch)."""

    words: tuple[WordPron, ...]
    score: float


@dataclass(frozen=True)
class Stretch:
    """A stretch of speech between pauses, in seconds, with the recogniser's hypotheses for it, best first."""

    start: float
    end: float
    hypotheses: tuple[Hypothesis, ...]


class Recogniser(Protocol):
    name: str
    """Shown to the user and written to RESULT.json, e.g. ``pocketsphinx 5.1.1 (en-us)``."""
    identity: str
    """``name`` plus every setting that changes the words it finds: part of an alignment's cache key."""
    warnings: list[str]
    """Problems the user should know of (e.g. a model for another language)."""

    def recognise(self, audio: Audio, progress: Progress | None = None) -> list[Stretch]:
        """The stretches of speech in ``audio`` (16 kHz) in order, each with at least one hypothesis; empty
        when nothing speech-like was found. Word confidences are the recogniser's posteriors, 0 to 1."""
        ...


def _pcm(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def _version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


@dataclass(frozen=True, kw_only=True)
class PocketsphinxSettings:
    """pocketsphinx's search settings (its own names); the defaults were chosen on the tuning data
    (``bench/asr_tune.py``)."""

    lw: float = 6.5
    """Language model weight."""
    wip: float = 0.05
    """Word insertion penalty (pocketsphinx's default 0.65): lower finds more of the short words."""
    beam: float = 1e-48
    wbeam: float = 7e-29
    pbeam: float = 1e-48
    maxhmmpf: int = 3000
    """Most HMMs searched per frame (pocketsphinx's default 30000 decodes 1.45x slower for no gain here)."""
    topn: int = 2
    """Gaussians scored per codebook (default 4)."""
    fwdflat: bool = False
    """The second, flat-lexicon search pass: 1.8x slower and no more accurate on the tuning data."""
    alternatives: int = 1
    """Distinct hypotheses per stretch (its best path, then n-best entries) that the timing network chooses among
    by how well it can align them and their own score. 5 helped by less than the tuning data can tell, for 1.4x
    the recognition time (docs/recognition.md), so 1."""
    max_span: float = 12.0
    """Seconds; longer stretches of speech are cut at their quietest point and decoded apart."""


@functools.cache
def _decoder(settings: PocketsphinxSettings):
    """One decoder per process and settings (loading the model takes a moment), with its initial cepstral mean."""
    import pocketsphinx

    config = {k: v for k, v in asdict(settings).items() if k not in ("alternatives", "max_span")}
    decoder = pocketsphinx.Decoder(loglevel="ERROR", **config)
    return decoder, decoder.get_cmn()


def load_decoder() -> None:
    """Load the shipped settings' decoder into this process: what an early-started worker does first."""
    _decoder(PocketsphinxSettings())


_FILLER = re.compile(r"^(<.*>|\[.*\])$")
_VARIANT = re.compile(r"\(\d+\)$")


def decode_span(settings: PocketsphinxSettings, samples: np.ndarray, start: float) -> Stretch:
    """pocketsphinx's hypotheses for one stretch of 16 kHz samples that starts ``start`` seconds into the clip.

    The first is its best path, with each word's posterior as its confidence; then up to ``alternatives`` - 1
    other distinct word sequences of its n-best list, whose words carry the best path's confidence where they
    agree with it and 0 where they do not.
    """
    decoder, cmn = _decoder(settings)
    decoder.reinit_feat()  # its noise floor and cepstral mean adapt as it goes: reset, so no stretch depends on
    decoder.set_cmn(cmn)  # the one decoded before it
    decoder.start_utt()
    decoder.process_raw(_pcm(samples), full_utt=True)
    decoder.end_utt()
    end = start + len(samples) / float(decoder.config["samprate"])
    if decoder.hyp() is None:
        return Stretch(start, end, ())
    best = [(_VARIANT.sub("", seg.word), _phones(decoder, seg.word), float(np.clip(seg.prob, 0.0, 1.0)))
            for seg in decoder.seg() if not _FILLER.match(seg.word)]
    first = tuple(w for w, _, _ in best)
    scores: dict[tuple[str, ...], float] = {}  # distinct word sequences of the n-best list, best first
    entries = itertools.islice(decoder.nbest(), 10 * settings.alternatives) if settings.alternatives > 1 else ()
    for entry in entries:  # the n-best search runs only when alternatives are wanted
        if entry is None or len(scores.keys() - {first}) >= settings.alternatives - 1:
            break
        scores.setdefault(tuple(_VARIANT.sub("", w) for w in entry.hypstr.split() if not _FILLER.match(w)),
                          _log(entry.score))
    # the best path's score is its n-best entry's where it has one, so that all are on one scale
    hypotheses = [Hypothesis(tuple(WordPron(w, p, c) for w, p, c in best),
                             scores.get(first, _log(decoder.hyp().score)))]
    hypotheses += [Hypothesis(tuple(WordPron(w, _phones(decoder, w), c)
                                    for w, c in zip(words, _agreeing(words, best), strict=True)), score)
                   for words, score in scores.items() if words != first]
    return Stretch(start, end, tuple(h for h in hypotheses if h.words) or (Hypothesis((), 0.0),))


def _phones(decoder, word: str) -> tuple[str, ...]:
    return tuple((decoder.lookup_word(word) or "").split())


def _log(probability: float) -> float:
    return float(np.log(max(probability, 1e-300)))


def _agreeing(words: tuple[str, ...], best: list[tuple[str, tuple[str, ...], float]]) -> list[float]:
    """Each word's confidence in another hypothesis: the best path's where the two agree, else 0."""
    from difflib import SequenceMatcher

    confidences = [0.0] * len(words)
    for block in SequenceMatcher(a=words, b=[w for w, _, _ in best], autojunk=False).get_matching_blocks():
        for k in range(block.size):
            confidences[block.a + k] = best[block.b + k][2]
    return confidences


class PocketsphinxRecogniser:
    """US English with the model, language model and dictionary inside the ``pocketsphinx`` wheel.

    The clip is cut at its pauses and the stretches are decoded in order; ``jobs`` > 1 decodes them in up to that
    many worker processes, even a single stretch (the decoder holds Python's lock, so a thread would stall the
    caller's other threads, e.g. Blender's interface, and would not help).
    """

    def __init__(self, settings: PocketsphinxSettings | None = None, jobs: int = 1) -> None:
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise LipsyncError("pocketsphinx is not installed, so English audio-only mode cannot recognise words; "
                               "reinstall the extension (or pip install pocketsphinx).") from None
        self.settings = settings or PocketsphinxSettings()
        self.jobs = max(1, jobs)
        self.name = f"pocketsphinx {_version('pocketsphinx')} (en-us)"
        self.identity = json.dumps([self.name, asdict(self.settings)])
        self.warnings: list[str] = []

    def recognise(self, audio: Audio, progress: Progress | None = None) -> list[Stretch]:
        spans = speech_spans(audio.samples, audio.sample_rate, max_span=self.settings.max_span)
        pieces = [(audio.samples[int(a * audio.sample_rate): int(b * audio.sample_rate)], a) for a, b in spans]
        total = sum(len(samples) for samples, _ in pieces)
        done = 0
        stretches = []
        for stretch, (samples, _) in zip(self._decode(pieces), pieces, strict=True):
            done += len(samples)
            if progress:
                progress(done / total)
            if stretch.hypotheses[0].words:
                stretches.append(stretch)
        return stretches

    def _decode(self, pieces: list[tuple[np.ndarray, float]]):
        from .spawn import SpawnedExecutor, take_early

        executor = take_early()  # workers started while the caller was importing (start_early)
        # Else a worker even for one stretch: the caller's thread must not hold Python's lock while it decodes.
        if executor is None and (self.jobs == 1 or not pieces):
            return (decode_span(self.settings, samples, start) for samples, start in pieces)
        executor = executor or SpawnedExecutor(min(self.jobs, len(pieces)))
        order = sorted(range(len(pieces)), key=lambda i: -len(pieces[i][0]))  # longest first balances the load
        futures = {i: executor.submit(decode_span, self.settings, *pieces[i]) for i in order}

        def results():
            finished = False
            try:
                for i in range(len(pieces)):
                    yield futures[i].result()
                finished = True
            finally:
                if not finished:  # cancelled or failed: the other stretches are not wanted
                    executor.terminate()
                executor.shutdown(wait=not finished, cancel_futures=True)  # done: they exit as the network runs

        return results()


class VoskRecogniser:
    """Any language, with a Kaldi model folder for Vosk that the user downloaded (alphacephei.com/vosk/models)."""

    def __init__(self, model_dir: Path, language: str) -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise LipsyncError(f"Recogniser model folder not found: {model_dir}. Choose an unpacked Vosk model "
                               "folder (it holds am/ and conf/).")
        if not ((model_dir / "am").is_dir() or (model_dir / "final.mdl").is_file()):
            raise LipsyncError(f"{model_dir.name} is not a Vosk model folder (no am/ inside). Choose the unpacked "
                               "folder of a model from alphacephei.com/vosk/models.")
        self.folder = model_dir
        self.name = f"vosk {_version('vosk')} ({model_dir.name})"
        self.identity = json.dumps([self.name, str(model_dir.resolve())])
        guessed = model_language(model_dir.name)
        self.warnings = []
        if guessed and guessed != language.lower().split("-")[0]:
            self.warnings.append(f"the recogniser model {model_dir.name} looks like language '{guessed}', "
                                 f"not '{language}'; the words may be wrong")

    @functools.cached_property
    def model(self):
        """The loaded model (seconds for a large one: only when words are wanted)."""
        try:
            import vosk
        except ImportError:
            raise LipsyncError("A Vosk model was chosen but vosk is not installed; the extension zip leaves it out: "
                               "pip install vosk==0.3.44 into a folder and set Preferences > Extra Packages to it "
                               "(docs/recognition.md).") from None
        vosk.SetLogLevel(-1)
        try:
            return vosk.Model(str(self.folder))
        except Exception as exc:  # vosk raises a bare Exception for a model it cannot load
            raise LipsyncError(f"Cannot load the Vosk model in {self.folder.name}: {exc}. The folder may be "
                               "incomplete or corrupt; unpack the model again.") from None

    def recognise(self, audio: Audio, progress: Progress | None = None) -> list[Stretch]:
        """Vosk's own end-pointing cuts the stretches; one hypothesis each, words without phones."""
        import vosk

        recogniser = vosk.KaldiRecognizer(self.model, audio.sample_rate)
        recogniser.SetWords(True)
        pcm = _pcm(audio.samples)
        step = audio.sample_rate * 2 * 2  # two seconds of 16-bit samples
        results = []
        for first in range(0, len(pcm), step):
            if recogniser.AcceptWaveform(pcm[first: first + step]):
                results.append(json.loads(recogniser.Result()))
            if progress:
                progress(min(1.0, (first + step) / len(pcm)))
        results.append(json.loads(recogniser.FinalResult()))
        stretches = []
        for result in results:
            words = [w for w in result.get("result", []) if w.get("word")]
            if words:
                pron = tuple(WordPron(w["word"], (), float(w.get("conf", 1.0))) for w in words)
                stretches.append(Stretch(float(words[0]["start"]), float(words[-1]["end"]), (Hypothesis(pron, 0.0),)))
        return stretches


_MODEL_NAME = re.compile(r"^vosk-model-(?:small-)?([a-z]{2,3})(?:[-_]|$)")


def model_language(folder_name: str) -> str | None:
    """The language code in a Vosk model folder's usual name (``vosk-model-small-en-us-0.15`` -> ``en``)."""
    match = _MODEL_NAME.match(folder_name.lower())
    return match.group(1) if match else None


def recogniser_for(language: str, model_dir: Path | None = None, jobs: int = 1) -> Recogniser | None:
    """The recogniser for audio-only ``language``: the user's Vosk model, else pocketsphinx for English, else
    None (the network's phone loop)."""
    if model_dir is not None:
        return _vosk(Path(model_dir), language)
    if is_english(language):
        return PocketsphinxRecogniser(jobs=jobs)
    return None


@functools.cache
def _vosk(model_dir: Path, language: str) -> VoskRecogniser:
    """Vosk models take seconds to load: once per folder and process."""
    return VoskRecogniser(model_dir, language)
