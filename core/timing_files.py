"""Timing files of outside editors read back as a clip's timing: Papagayo-NG ``.pgo`` (words and phonemes),
Moho switch ``.dat`` (Preston Blair names or Rhubarb's letters) and Rhubarb's JSON (``mouthCues``), and the
project's own RESULT.json. Every time is checked against the clip with the file's line in the message.

Mouths (a ``.dat``, Rhubarb's cues, a ``.pgo``'s Preston Blair phonemes) are not phones: each becomes the
representative phone of the class that shows it (``papagayo.MOUTH_CLASS``, through the phone inventory; ARPAbet
for English clips, IPA for others), so the imported mouth looks the same after Rebake. Rhubarb's letters are read
as the Preston Blair mouths Rhubarb itself names them by (``exports.PRESTON_BLAIR``: its E is Preston's O)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import LipsyncError
from .exports import PRESTON_BLAIR
from .languages import is_english
from .papagayo import MOUTH_CLASS, phone_of, read_pgo
from .phone_classes import ARPABET, is_arpabet
from .result import alignment_from_json
from .timing_edit import EPS, checked
from .types import Alignment, Segment

IMPORTS = (".pgo", ".dat", ".json")
"""The file name endings an import reads: Papagayo-NG, Moho, Rhubarb JSON or RESULT.json."""
MOHO_HEADER = "MohoSwitch1"
RHUBARB_SLACK = 0.01
"""Rhubarb's 10 ms grid: a cue may end this far past the clip (it is cut at the clip's end)."""


@dataclass(frozen=True)
class _Cue:
    """A phone read from a file, with its line there (0: not known)."""

    line: int
    written: str
    """The mouth or phone as the file names it."""
    phone: str
    start: float
    end: float


def read_timing(path: str | Path, clip: Alignment, fps: float) -> Alignment:
    """The timing in the file at ``path`` (its kind from its name's ending) for ``clip``, the clip's stored
    timing: the new one has its duration and language, and keeps its words when the file has none. ``fps`` is
    the frame rate of a ``.dat`` (a ``.pgo`` has its own). Raises LipsyncError with one line."""
    path = Path(path)
    name = path.name
    kind = next((k for k in IMPORTS if name.lower().endswith(k)), None)
    if kind is None:
        raise LipsyncError(f"Cannot import {name}: timing files end in {', '.join(IMPORTS)} (Papagayo-NG, Moho, "
                           "Rhubarb JSON or RESULT.json).")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LipsyncError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise LipsyncError(f"{name} is not UTF-8 text: is it a timing file? Save it as UTF-8.") from None
    if not text.strip():
        raise LipsyncError(f"{name} is empty: it holds no timing.")
    if kind == ".pgo":
        return _pgo(text, name, clip)
    if kind == ".dat":
        return _moho(text, name, clip, fps)
    return _json(text, name, clip)


def _timed(cues: list[_Cue], words: list[Segment], clip: Alignment, name: str, slack: float,
           notes: tuple[str, ...] = ()) -> Alignment:
    """``cues`` as the clip's phonemes, checked in file order: each with a length, none before the one before
    ends, none past the clip (by more than ``slack``: the rest is cut); gaps become silence."""
    phonemes: list[Segment] = []
    end = 0.0
    for cue in cues:
        where = f"{name}{f':{cue.line}' if cue.line else ''}: '{cue.written}' at {cue.start:.3f} s"
        if cue.end <= cue.start + EPS:
            raise LipsyncError(f"{where} runs backwards (it ends at {cue.end:.3f} s). Fix its times.")
        if cue.start < end - EPS:
            raise LipsyncError(f"{where} overlaps the one before it, which ends at {end:.3f} s. Fix their times.")
        if cue.end > clip.duration + slack + EPS:
            raise LipsyncError(f"{where} runs to {cue.end:.3f} s, past the end of the clip ({clip.duration:.3f} s): "
                               "is the file the timing of another clip?")
        if cue.start < clip.duration - EPS:
            phonemes.append(Segment(cue.phone, cue.start, min(cue.end, clip.duration)))
        end = cue.end
    if not phonemes:
        raise LipsyncError(f"{name} holds no phoneme or mouth cue inside the clip: nothing to import.")
    words = [Segment(w.label, w.start, min(w.end, clip.duration), w.confidence) for w in words]
    return checked(replace(clip, words=words, phonemes=phonemes, warnings=[f"timing imported from {name}",
                                                                           *notes]))


def _frames(text: str, name: str, line: int, what: str) -> int:
    if not text.isdigit():
        raise LipsyncError(f"{name}:{line}: {what} '{text}' is not a frame (a whole number from 0).")
    return int(text)


def _pgo(text: str, name: str, clip: Alignment) -> Alignment:
    """A Papagayo-NG document's first voice with words; its words are kept."""
    fps, voices = read_pgo(text, name)
    spoken = [v for v in voices if v.words]
    if not spoken:
        raise LipsyncError(f"{name} has no words with phonemes: break the text down in Papagayo-NG first.")
    voice = spoken[0]
    notes = (f"{name} has {len(voices)} voices: voice '{voice.name}' was imported",) if len(voices) > 1 else ()
    words, cues, last = [], [], -1
    for word in voice.words:
        if word.last < word.first:
            raise LipsyncError(f"{name}:{word.line}: the word '{word.text}' ends (frame {word.last}) before it "
                               f"starts (frame {word.first}).")
        if word.first <= last:
            raise LipsyncError(f"{name}:{word.line}: the word '{word.text}' starts at frame {word.first}, inside the "
                               f"word before it (which ends at frame {last}). Move one of them.")
        last = word.last
        words.append(Segment(word.text, word.first / fps, (word.last + 1) / fps))
        frames = [m.frame for m in word.marks] + [word.last + 1]
        for before, mark, end in zip([None, *word.marks], word.marks, frames[1:], strict=False):
            if not word.first <= mark.frame <= word.last:
                raise LipsyncError(f"{name}:{mark.line}: the phoneme '{mark.name}' at frame {mark.frame} is outside "
                                   f"its word '{word.text}' (frames {word.first}-{word.last}).")
            if before and mark.frame <= before.frame:
                raise LipsyncError(f"{name}:{mark.line}: the phoneme '{mark.name}' at frame {mark.frame} comes after "
                                   f"frame {before.frame}: put a word's phonemes in order, one per frame.")
            phone = _phone(mark.name, name, mark.line, clip)
            cues.append(_Cue(mark.line, mark.name, phone, mark.frame / fps, end / fps))
    return _timed(cues, words, clip, name, 1 / fps, notes)


def _phone(mouth: str, name: str, line: int, clip: Alignment) -> str:
    """A ``.pgo`` phoneme: a Preston Blair mouth, or an ARPAbet phone (Papagayo-NG's CMU 39 set)."""
    if mouth in MOUTH_CLASS:
        return phone_of(mouth, is_english(clip.language))
    if is_arpabet(mouth) and mouth.upper().rstrip("012") in ARPABET:
        return mouth.upper()
    raise LipsyncError(f"{name}:{line}: unknown phoneme '{mouth}': Papagayo-NG's Preston Blair set has "
                       f"{' '.join(MOUTH_CLASS)}, or use ARPAbet phones (its CMU 39 set).")


def _moho(text: str, name: str, clip: Alignment, fps: float) -> Alignment:
    """A Moho switch file at ``fps``: each line's mouth holds from its frame (counted from 1) to the next."""
    lines = [(i, row.split()) for i, row in enumerate(text.splitlines(), 1) if row.strip()]
    if not lines or lines[0][1] != [MOHO_HEADER]:
        raise LipsyncError(f"{name} is not a Moho switch file: its first line must be '{MOHO_HEADER}'.")
    rows = lines[1:]
    for line, parts in rows:
        if len(parts) != 2:
            raise LipsyncError(f"{name}:{line}: expected 'FRAME MOUTH', found '{' '.join(parts)[:60]}'.")
    names = {parts[1] for _, parts in rows}
    letters = names <= set(PRESTON_BLAIR) and not names <= set(MOUTH_CLASS)
    table = PRESTON_BLAIR if letters else {m: m for m in MOUTH_CLASS}
    english = is_english(clip.language)
    cues: list[_Cue] = []
    for (line, (frame, mouth)), after in zip(rows, [*rows[1:], None], strict=False):
        if mouth not in table:
            raise LipsyncError(f"{name}:{line}: unknown mouth '{mouth}': Moho files name them as Preston Blair did "
                               f"({' '.join(MOUTH_CLASS)}) or by Rhubarb's letters ({' '.join(PRESTON_BLAIR)}).")
        start = _frames(frame, name, line, "the frame")
        if start < 1:
            raise LipsyncError(f"{name}:{line}: frame 0: Moho frames count from 1.")
        end = _frames(after[1][0], name, after[0], "the frame") if after else None
        if end is not None and end <= start:
            raise LipsyncError(f"{name}:{after[0]}: frame {end} comes after frame {start}: the frames must increase "
                               "(the mouths run backwards).")
        seconds = (start - 1) / fps
        # The last mouth holds to the end of the clip, as Moho holds it.
        last = max(clip.duration, seconds + 1 / fps)
        cues.append(_Cue(line, mouth, phone_of(table[mouth], english), seconds, (end - 1) / fps if end else last))
    return _timed(cues, clip.words, clip, name, 2 / fps)


def _json(text: str, name: str, clip: Alignment) -> Alignment:
    """Rhubarb's JSON (``mouthCues``), or a RESULT.json of this project (``phonemes``)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LipsyncError(f"{name} is not JSON ({exc}): is it Rhubarb's JSON export?") from None
    if isinstance(data, dict) and "phonemes" in data and "mouthCues" not in data:
        try:
            mine = alignment_from_json(data)
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"its '{exc.args[0]}' is missing" if isinstance(exc, KeyError) else str(exc)
            raise LipsyncError(f"{name} is not a RESULT.json lipsync wrote: {detail}.") from None
        cues = [_Cue(0, p.label, p.label, p.start, p.end) for p in mine.phonemes]
        return _timed(cues, mine.words, clip, name, 1e-3)
    if not isinstance(data, dict) or not isinstance(data.get("mouthCues"), list):
        raise LipsyncError(f"{name} is not Rhubarb's JSON: it has no 'mouthCues' list.")
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r'"value"\s*:', text)]
    if len(lines) != len(data["mouthCues"]):
        lines = [0] * len(data["mouthCues"])
    cues = []
    for line, (number, cue) in zip(lines, enumerate(data["mouthCues"], 1), strict=True):
        at = f"{name}:{line}" if line else f"{name}, cue {number}"
        if not isinstance(cue, dict) or not all(isinstance(cue.get(k), int | float) for k in ("start", "end")):
            raise LipsyncError(f"{at}: a mouth cue needs a numeric 'start' and 'end' (seconds), found {cue!r:.60}.")
        if cue.get("value") not in PRESTON_BLAIR:
            raise LipsyncError(f"{at}: unknown mouth {cue.get('value')!r}: Rhubarb's mouths are "
                               f"{' '.join(PRESTON_BLAIR)}.")
        if cue["start"] < 0:
            raise LipsyncError(f"{at}: the cue starts at {cue['start']} s, before the clip.")
        phone = phone_of(PRESTON_BLAIR[cue["value"]], is_english(clip.language))
        cues.append(_Cue(line, cue["value"], phone, float(cue["start"]), float(cue["end"])))
    if cues and clip.duration - cues[-1].end < RHUBARB_SLACK:
        cues[-1] = replace(cues[-1], end=max(cues[-1].end, clip.duration))  # Rhubarb cuts the end to 10 ms
    return _timed(cues, clip.words, clip, name, RHUBARB_SLACK)
