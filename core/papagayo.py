"""Papagayo-NG's ``.pgo`` document, written and read the way Papagayo-NG's ``LipsyncDoc.save`` and ``open`` do
(morevnaproject-org/papagayo-ng, ``LipsyncDoc.py``; the same layout as Lost Marble's Papagayo 1.x):

```
lipsync version 1
SOUND PATH
FPS
SOUND DURATION IN FRAMES
VOICE COUNT
\tVOICE NAME
\tVOICE TEXT (lines joined by |)
\tPHRASE COUNT
\t\tPHRASE TEXT
\t\tPHRASE START FRAME
\t\tPHRASE END FRAME
\t\tWORD COUNT
\t\t\tWORD START END PHONEME-COUNT
\t\t\t\tFRAME PHONEME
```

Frames count from 0; a word spans its start to its end frame, both included; each phoneme holds from its frame
to the next phoneme's (the last one to the word's end), and outside words the mouth rests. Phonemes are named
by Papagayo-NG's Preston Blair set (``phonemes/preston_blair.json``: its ARPAbet conversion is ``PRESTON``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import LipsyncError
from .phone_classes import CLASS_INDEX, is_arpabet, phone_class, representative_label
from .types import SILENCE, Alignment, Segment

HEADER = "lipsync version 1"
REST = "rest"
PRESTON: dict[str, str] = {
    **dict.fromkeys(("AA", "AE", "AH", "AY", "IH"), "AI"), **dict.fromkeys(("AO", "AW", "OW"), "O"),
    **dict.fromkeys(("EH", "ER", "EY", "IY"), "E"), **dict.fromkeys(("UH", "UW"), "U"),
    **dict.fromkeys(("OY", "W"), "WQ"), **dict.fromkeys(("B", "M", "P"), "MBP"), "F": "FV", "V": "FV",
    "L": "L", "N": "L", "NG": "L",
    **dict.fromkeys(("CH", "D", "DH", "G", "HH", "JH", "K", "R", "S", "SH", "T", "TH", "Y", "Z", "ZH"), "etc"),
}
"""Papagayo-NG's ARPAbet to Preston Blair mouths (stress digits dropped)."""
MOUTH_CLASS = {"AI": "open_back", "E": "mid_front", "etc": "alveolar_fricative", "FV": "labiodental",
               "L": "lateral", "MBP": "bilabial_nasal", "O": "mid_back_rounded", "U": "close_back_rounded",
               "WQ": "labial_velar_glide", REST: "silence"}
"""Each Preston Blair mouth's phone class (``phone_classes``), whose representative phone shows that mouth and
which ``PRESTON`` maps back to it."""
CLOSING = frozenset(("MBP", "FV"))
"""Mouths that win a frame two phonemes share: the lips must close or touch the teeth."""


def mouth(phone: str) -> str:
    """The Preston Blair mouth Papagayo-NG shows for a phone (ARPAbet, TIMIT or IPA, through its class)."""
    key = phone.upper().rstrip("012")
    if not (is_arpabet(phone) and key in PRESTON):
        key = representative_label(phone_class(phone), english=True)
    return PRESTON.get(key, REST)


def phone_of(name: str, english: bool) -> str:
    """The phone that stands for the Preston Blair mouth ``name``: ARPAbet in English, IPA otherwise."""
    return representative_label(CLASS_INDEX[MOUTH_CLASS[name]], english)


def _frame(seconds: float, fps: int) -> int:
    """The frame nearest ``seconds`` (halves up, so that spans a frame apart never share one)."""
    return math.floor(seconds * fps + 0.5)


def _token(text: str) -> str:
    """A word as one Papagayo token (its words are split at white space)."""
    return "_".join(text.split()) or "_"


def _groups(alignment: Alignment) -> list[tuple[str, float, float, list[Segment]]]:
    """The words with their phonemes, and each run of sounding phonemes outside any word as a word of its own
    (named by its phones, as Papagayo-NG's own auto-detection names them)."""
    eps = 1e-6
    inside = [[p for p in alignment.phonemes if p.start >= w.start - eps and p.end <= w.end + eps]
              for w in alignment.words]
    claimed = {id(p) for group in inside for p in group}
    groups = [(w.label, w.start, w.end, g) for w, g in zip(alignment.words, inside, strict=True)]
    run: list[Segment] = []
    for p in [*alignment.phonemes, None]:
        if p is not None and p.label != SILENCE and id(p) not in claimed:
            run.append(p)
        elif run:
            groups.append(("".join(s.label for s in run).lower(), run[0].start, run[-1].end, run))
            run = []
    return sorted(groups, key=lambda g: g[1])


def papagayo_pgo(alignment: Alignment, fps: int, sound_file: str) -> str:
    """The clip as a Papagayo-NG document of one voice and one phrase: each word at its nearest frames, each
    phoneme at the frame nearest its start as its Preston Blair mouth. Phonemes that would share a frame keep
    the first, unless a later one closes the lips (``CLOSING``)."""
    words, last_end = [], -1
    for label, start, end, phonemes in _groups(alignment):
        first = max(_frame(start, fps), last_end + 1)
        last = max(first, _frame(end, fps) - 1)
        marks: list[list] = []
        for p in phonemes:
            frame, name = min(max(_frame(p.start, fps), first), last), mouth(p.label)
            if marks and frame <= marks[-1][0]:
                if name in CLOSING and marks[-1][1] not in CLOSING:
                    marks[-1][1] = name
                continue
            marks.append([frame, name])
        words.append((_token(label), first, last, marks))
        last_end = last
    text = " ".join(w[0] for w in words)
    lines = [HEADER, sound_file, str(fps), str(math.ceil(round(alignment.duration * fps, 6))), "1",
             "\tVoice 1", f"\t{text}", "\t1" if words else "\t0"]
    if words:
        lines += [f"\t\t{text}", f"\t\t{words[0][1]}", f"\t\t{words[-1][2]}", f"\t\t{len(words)}"]
    for label, first, last, marks in words:
        lines.append(f"\t\t\t{label} {first} {last} {len(marks)}")
        lines += [f"\t\t\t\t{frame} {name}" for frame, name in marks]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Mark:
    """A phoneme of a ``.pgo`` file: its frame, its name as written and the file's line."""

    line: int
    frame: int
    name: str


@dataclass(frozen=True)
class Word:
    line: int
    text: str
    first: int
    last: int
    marks: list[Mark]


@dataclass(frozen=True)
class Voice:
    name: str
    words: list[Word]


class _Lines:
    """A ``.pgo`` file read line by line, with what each line should hold in its error."""

    def __init__(self, text: str, name: str):
        self.lines, self.at, self.name = text.splitlines(), 0, name

    def next(self, what: str) -> tuple[int, str]:
        if self.at >= len(self.lines):
            raise LipsyncError(f"{self.name}: the file ends where {what} should be (line {self.at + 1}); it is cut "
                               "short. Save it again from Papagayo-NG.")
        self.at += 1
        return self.at, self.lines[self.at - 1].strip()

    def number(self, what: str, low: int = 0) -> int:
        line, text = self.next(what)
        if not text.lstrip("-").isdigit() or int(text) < low:
            raise LipsyncError(f"{self.name}:{line}: expected {what} (a whole number from {low}), found '{text}'.")
        return int(text)


def read_pgo(text: str, name: str) -> tuple[int, list[Voice]]:
    """The frame rate and the voices of a ``.pgo`` document, as Papagayo-NG's ``open`` reads it."""
    lines = _Lines(text, name)
    _, header = lines.next("the header")
    if header != HEADER:
        raise LipsyncError(f"{name} is not a Papagayo-NG .pgo file: its first line is '{header[:40]}', not "
                           f"'{HEADER}'.")
    lines.next("the sound file")
    fps = lines.number("the frame rate", 1)
    lines.number("the sound's length in frames")
    voices = []
    for _ in range(lines.number("the number of voices")):
        voice = lines.next("a voice's name")[1]
        lines.next("a voice's text")
        words = []
        for _ in range(lines.number("the number of phrases")):
            lines.next("a phrase's text")
            lines.number("a phrase's start frame")
            lines.number("a phrase's end frame")
            for _ in range(lines.number("the number of words")):
                line, row = lines.next("a word")
                parts = row.split()
                if len(parts) < 4 or not all(p.isdigit() for p in parts[-3:]):
                    raise LipsyncError(f"{name}:{line}: expected a word as 'WORD START-FRAME END-FRAME "
                                       f"PHONEME-COUNT', found '{row[:60]}'.")
                marks = []
                for _ in range(int(parts[-1])):
                    at, mark = lines.next("a phoneme")
                    frame, _, phoneme = mark.partition(" ")
                    if not frame.isdigit() or not phoneme.strip():
                        raise LipsyncError(f"{name}:{at}: expected a phoneme as 'FRAME NAME', found '{mark[:60]}'.")
                    marks.append(Mark(at, int(frame), phoneme.strip()))
                words.append(Word(line, " ".join(parts[:-3]), int(parts[-3]), int(parts[-2]), marks))
        voices.append(Voice(voice, words))
    return fps, voices
