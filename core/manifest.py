"""Batch manifests: a CSV with one dialogue line per row, checked whole before any work starts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .errors import LipsyncError

REQUIRED = ("audio", "object")
OPTIONAL = ("transcript", "language", "preset", "start_frame", "action", "emotion", "intensity")


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
    start_frame: int
    action: str
    emotion: str
    intensity: float


def read_manifest(path: Path, object_names: set[str] | None = None, default_language: str = "en-us") -> list[Line]:
    """Parse and check every row; one LipsyncError lists all problems, each with its row number."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LipsyncError(f"Manifest not found: {path}.") from None
    except UnicodeDecodeError as exc:
        raise LipsyncError(f"{path.name}: not UTF-8 text (byte {exc.start}). Save it as UTF-8.") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LipsyncError(f"{path.name}: the header lacks column(s) {', '.join(missing)}; required: audio, object.")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    problems = [f"{path.name}:1: unknown column(s) {', '.join(unknown)}"] if unknown else []
    lines: list[Line] = []
    actions: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        line, errors = _parse_row(path, number, row, object_names, default_language)
        if line and line.action in actions:
            errors.append(f"action '{line.action}' is also written by line {actions[line.action]}")
        problems += [f"{path.name}:{number}: {e}" for e in errors]
        if line and not errors:
            actions[line.action] = number
            lines.append(line)
    if problems:
        raise LipsyncError("\n".join(problems))
    if not lines:
        raise LipsyncError(f"{path.name}: no lines to lip-sync.")
    return lines


def _parse_row(manifest: Path, number: int, row: dict[str, str], object_names: set[str] | None,
               default_language: str) -> tuple[Line | None, list[str]]:
    errors = []
    audio = manifest.parent / row.get("audio", "")
    if not row.get("audio"):
        errors.append("audio is empty")
    elif not audio.is_file():
        errors.append(f"audio file not found: {row['audio']}")
    obj = row.get("object", "")
    if not obj:
        errors.append("object is empty")
    elif object_names is not None and obj not in object_names:
        errors.append(f"no object '{obj}' in the .blend")
    transcript = row.get("transcript") or None
    if transcript and transcript.lower().endswith(".txt"):
        text_path = manifest.parent / transcript
        try:
            transcript = text_path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            errors.append(f"transcript file not found: {row['transcript']}")
        except UnicodeDecodeError:
            errors.append(f"transcript file is not UTF-8: {row['transcript']}")
    start_frame = _number(row.get("start_frame") or "1", int, "start_frame", errors)
    intensity = _number(row.get("intensity") or "1", float, "intensity", errors)
    if intensity is not None and not 0 <= intensity <= 2:
        errors.append(f"intensity {intensity} is outside 0..2")
    if errors:
        return None, errors
    action = row.get("action") or f"Lipsync {Path(row['audio']).stem}"
    return Line(number, audio, obj, transcript, row.get("language") or default_language,
                row.get("preset") or "auto", start_frame, action, row.get("emotion") or "neutral", intensity), []


def _number(text: str, kind: type, column: str, errors: list[str]):
    try:
        return kind(text)
    except ValueError:
        errors.append(f"{column} '{text}' is not a{'n integer' if kind is int else ' number'}")
        return None
