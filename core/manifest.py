"""Batch manifests: a CSV with one dialogue line per row, every bad row named before any work starts."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .emotion import parse_intensity
from .errors import LipsyncError
from .phonemes import check_language
from .presets import EMOTIONS
from .validate import SETTINGS, START_FRAME, Range, check_id

COLUMNS = ("audio", "object", "transcript", "language", "preset", "start_frame", "action", "emotion",
           "emotion_intensity", "intensity")


@dataclass(frozen=True)
class Line:
    row: int
    """Line number in the CSV file (the header is line 1)."""
    audio: Path
    object: str
    transcript: str | None
    """None is audio-only mode."""
    language: str
    preset: str
    start_frame: int | None
    """None: frame 1, or with NLA strips right after the character's previous line."""
    action: str
    emotion: str = "none"
    emotion_intensity: str = "1.0"
    intensity: float = 1.0


Status = Literal["keyed", "cached", "unchanged", "failed"]
"""Timed by the network, timed from the alignment cache, left as the .blend had it, or failed."""


@dataclass
class Outcome:
    line: Line
    status: Status
    detail: str
    """What was written (an Action, a file), or why the line failed."""
    seconds: float = 0.0
    duration: float = 0.0
    """Seconds of audio in the line."""


@dataclass
class Manifest:
    path: Path
    lines: list[Line]
    """The good rows, in file order."""
    problems: list[str] = field(default_factory=list)
    """``file:row: reason`` for every bad row (those rows are left out of ``lines``)."""


def read_manifest(path: Path, object_names: set[str] | None = None, default_language: str = "en-us",
                  require_object: bool = True) -> Manifest:
    """Parse and check every row. A manifest that cannot be read at all raises LipsyncError; bad rows are
    listed in ``problems`` and left out, so the good ones can still run."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise LipsyncError(f"Manifest not found: {path}.") from None
    except UnicodeDecodeError as exc:
        raise LipsyncError(f"{path.name}: not UTF-8 text (byte {exc.start}). Save it as UTF-8.") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    required = ("audio", "object") if require_object else ("audio",)
    missing = [c for c in required if c not in header]
    if missing:
        raise LipsyncError(f"{path.name}: the header lacks column(s) {', '.join(missing)}; "
                           f"required: {', '.join(required)}.")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise LipsyncError(f"{path.name}:1: unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}.")
    manifest = Manifest(path, [])
    actions: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            manifest.problems.append(f"{path.name}:{number}: more fields than the header has columns")
            continue
        row = {k.strip(): (v or "").strip() for k, v in raw.items()}
        line, errors = _parse_row(path, number, row, object_names, default_language, require_object)
        if line and line.action in actions:
            errors.append(f"action '{line.action}' is also written by line {actions[line.action]}")
        manifest.problems += [f"{path.name}:{number}: {e}" for e in errors]
        if line and not errors:
            actions[line.action] = number
            manifest.lines.append(line)
    if not manifest.lines and not manifest.problems:
        raise LipsyncError(f"{path.name}: no lines to lip-sync.")
    return manifest


def _parse_row(manifest: Path, number: int, row: dict[str, str], object_names: set[str] | None,
               default_language: str, require_object: bool) -> tuple[Line | None, list[str]]:
    errors = []
    audio = manifest.parent / row.get("audio", "")
    if not row.get("audio"):
        errors.append("audio is empty")
    elif not audio.is_file():
        errors.append(f"audio file not found: {row['audio']}")
    obj = row.get("object", "")
    if require_object and not obj:
        errors.append("object is empty")
    elif obj and object_names is not None and obj not in object_names:
        errors.append(f"no object '{obj}' in the .blend")
    transcript = _transcript(manifest, row.get("transcript", ""), errors)
    language = row.get("language") or default_language
    try:
        check_language(language)
    except LipsyncError as exc:
        errors.append(str(exc))
    start_frame = _number(row.get("start_frame", ""), START_FRAME, "start_frame", errors)
    intensity = _number(row.get("intensity", ""), SETTINGS["intensity"], "intensity", errors)
    preset = row.get("preset") or "auto"
    try:
        check_id(preset)
    except LipsyncError as exc:
        errors.append(str(exc))
    emotion = row.get("emotion") or "none"
    if emotion not in ("none", *EMOTIONS):
        errors.append(f"unknown emotion '{emotion}'; use none, {', '.join(EMOTIONS)}")
    emotion_intensity = row.get("emotion_intensity") or "1.0"
    try:
        parse_intensity(emotion_intensity)
    except LipsyncError as exc:
        errors.append(str(exc))
    if errors:
        return None, errors
    action = row.get("action") or f"Lipsync {Path(row['audio']).stem}"
    return Line(number, audio, obj, transcript, language, preset, start_frame, action,
                emotion, emotion_intensity, 1.0 if intensity is None else intensity), []


def _transcript(manifest: Path, text: str, errors: list[str]) -> str | None:
    """The transcript text, read from a ``.txt`` beside the manifest when the cell names one; None if empty."""
    if not text.lower().endswith(".txt"):
        return text or None
    try:
        return (manifest.parent / text).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        errors.append(f"transcript file not found: {text}")
    except UnicodeDecodeError:
        errors.append(f"transcript file is not UTF-8: {text}")
    return None


def _number(text: str, allowed: Range, column: str, errors: list[str]):
    """``text`` as a number in ``allowed``; None when empty or bad (a bad one is added to ``errors``)."""
    if not text:
        return None
    try:
        return allowed.parse(column, text)
    except LipsyncError as exc:
        errors.append(str(exc))
        return None
