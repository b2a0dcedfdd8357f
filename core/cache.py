"""A content-addressed store of alignments, so a re-run batch times only the lines whose inputs changed."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .result import alignment_from_json, result_json
from .types import Alignment

VERSION = 2
"""Bumped when an alignment of the same inputs would come out differently (besides the timer and recogniser)."""


def file_digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def alignment_key(audio_digest: str, transcript: str | None, language: str, timer: str,
                  recogniser: str | None = None) -> str:
    """The identity of an alignment: the audio's bytes, the words, the language, the timer's identity (its model's
    weights and decode settings) and, in audio-only mode, what recognised the words (with its settings)."""
    text = json.dumps([VERSION, audio_digest, transcript, language, timer, recogniser])
    return hashlib.sha256(text.encode()).hexdigest()


class AlignmentCache:
    """One JSON file per alignment key under ``folder``; each is written whole (temp file, then rename)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Alignment | None:
        try:
            return alignment_from_json(json.loads(self._path(key).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, alignment: Alignment) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result_json(alignment), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
