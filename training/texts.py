"""Training text without downloads: Python docstrings and Faker locale providers."""

from __future__ import annotations

import random
import re

from faker import Faker

FAKER_LOCALES = {
    "en-us": ("en_US",), "en-gb": ("en_GB",), "es": ("es_ES", "es_MX"), "fr-fr": ("fr_FR",), "de": ("de_DE",),
    "it": ("it_IT",), "pt": ("pt_PT", "pt_BR"), "ja": ("ja_JP",),
}
_LOREM = {"en_US", "es_ES", "es_MX", "fr_FR", "de_DE", "it_IT", "ja_JP"}
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
_SENTENCE = re.compile(r"[A-Z][a-z][a-zA-Z ,;'-]{15,140}[.?!]")


def docstring_sentences() -> list[str]:
    """Plain English sentences from the docstrings of the standard library modules already importable."""
    import collections
    import email
    import http.client
    import json
    import logging
    import pathlib
    import subprocess
    import typing
    import unittest

    found = set()
    for module in (collections, email, http.client, json, logging, pathlib, subprocess, typing, unittest, re, random):
        for name in dir(module):
            doc = getattr(getattr(module, name, None), "__doc__", None)
            if not isinstance(doc, str):
                continue
            found.update(m.group(0) for m in _SENTENCE.finditer(" ".join(doc.split())))
    return sorted(found)


class TextSource:
    """Random sentences per language."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {loc: Faker(loc) for locs in FAKER_LOCALES.values() for loc in locs}
        for i, fake in enumerate(self.fakers.values()):
            fake.seed_instance(seed * 100 + i)
        self.english = docstring_sentences()

    def _phrase(self, fake: Faker, locale: str) -> str:
        kind = self.rng.random()
        if locale in _LOREM and kind < 0.55:
            return fake.sentence(nb_words=self.rng.randint(4, 12))
        if kind < 0.7:
            return fake.name() + "."
        if kind < 0.85:
            return fake.address().replace("\n", ", ") + "."
        return f"{fake.job()}, {fake.city()}."

    def sentence(self, language: str) -> str:
        if language.startswith("en") and self.rng.random() < 0.5:
            return self.rng.choice(self.english)
        locale = self.rng.choice(FAKER_LOCALES[language])
        fake = self.fakers[locale]
        if language == "ja":
            words = _KANA.findall(fake.sentence(nb_words=12)) + [fake.kana_name()]
            self.rng.shuffle(words)
            return "、".join(words[: self.rng.randint(2, 6)]) + "。"
        return self._phrase(fake, locale)

    def text(self, language: str, sentences: int) -> str:
        return " ".join(self.sentence(language) for _ in range(sentences))
