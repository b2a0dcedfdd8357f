"""Where a line's words come from, the same for the panel, the operator and every ``lipsync`` command: the
transcript given, else the ``.txt`` with the audio's name beside it (``line.wav`` → ``line.txt``), else audio-only
mode; and the one language check that applies with and without a transcript."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import LipsyncError


@dataclass(frozen=True, kw_only=True)
class Words:
    """A line's transcript (None: audio-only mode) and a phrase that says where it came from, or why there is
    none."""

    text: str | None
    origin: str


def sidecar(audio: str | Path) -> Path:
    """The transcript file that goes with ``audio``: same folder, same name, ``.txt``."""
    return Path(audio).with_suffix(".txt")


def read_text(path: Path) -> str:
    """A transcript file's words, stripped; one clear line if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise LipsyncError(f"{path.name} is not UTF-8 text. Save it as UTF-8.") from None
    except OSError as exc:
        raise LipsyncError(f"Cannot read transcript {path}: {exc.strerror or exc}.") from None


def find_words(audio: str | Path, given: str | None = None, given_origin: str = "") -> Words:
    """The transcript ``given`` (from ``given_origin``), else the audio's sidecar ``.txt``, else audio-only.

    A given transcript that is blank is refused (leave it out for audio-only mode); a blank sidecar is ignored."""
    if given is not None:
        if not given.strip():
            raise LipsyncError(f"The transcript is empty{f' ({given_origin})' if given_origin else ''}. Give the "
                               "spoken words, or leave it out for audio-only mode.")
        return Words(text=given.strip(), origin=given_origin or "the transcript given")
    beside = sidecar(audio)
    if beside.is_file() and (text := read_text(beside)):
        return Words(text=text, origin=f"{beside.name} beside the audio")
    return Words(text=None, origin=f"no transcript given and no {beside.name} beside the audio: audio-only")

