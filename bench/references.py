"""Reference timings of the evaluation sets under the shared data folder (see its README.md).

Each loader returns ``Utterance`` records: the audio file, the transcript to give the product, and the
reference phones and words as ``Segment`` lists in seconds. Silence and noise markers are left out of the
reference words and the transcript; phone labels are kept as written (``scoring.phone_class`` reads them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from praatio import textgrid

from lipsync_ai.core.types import Segment

TIMIT_RATE = 16000
_MARKER = re.compile(r"<[^>]*>|\[[^\]]*\]")
"""Noise and silence markers in auto-labelled transcripts: ``<sil>``, ``<VOCNOISE>``, ``[adif]``."""


@dataclass(frozen=True)
class Utterance:
    name: str
    audio: Path
    transcript: str
    phones: list[Segment]
    words: list[Segment]


def _clean(text: str) -> str:
    return " ".join(_MARKER.sub(" ", text).split())


def _words(segments: list[Segment]) -> list[Segment]:
    """Reference words without empty intervals and markers."""
    return [s for s in segments if _clean(s.label)]


def _timit_labels(path: Path) -> list[Segment]:
    rows = (line.split(maxsplit=2) for line in path.read_text().splitlines() if line.strip())
    return [Segment(label, int(a) / TIMIT_RATE, int(b) / TIMIT_RATE) for a, b, label in rows]


def load_timit(folder: Path) -> list[Utterance]:
    """``<speaker>/<utt>.wav`` with hand-labelled ``.phn`` and ``.wrd`` (samples at 16 kHz) and ``.txt``."""
    return [
        Utterance(
            f"{wav.parent.name}/{wav.stem}",
            wav,
            wav.with_suffix(".txt").read_text().split(maxsplit=2)[2],
            _timit_labels(wav.with_suffix(".phn")),
            _timit_labels(wav.with_suffix(".wrd")),
        )
        for wav in sorted(folder.glob("*/*.wav"))
    ]


def load_librivox(folder: Path) -> list[Utterance]:
    """``X.wav`` with ``X.txt`` and ``X.phone.json`` (words ``{"b", "d", "t", "w": phones}``, seconds)."""
    utterances = []
    for wav in sorted(folder.glob("*.wav")):
        tree = json.loads(wav.with_suffix(".phone.json").read_text())
        words = [Segment(w["t"], w["b"], w["b"] + w["d"]) for w in tree["w"]]
        phones = [Segment(p["t"], p["b"], p["b"] + p["d"]) for w in tree["w"] for p in w["w"]]
        utterances.append(
            Utterance(wav.stem, wav, _clean(wav.with_suffix(".txt").read_text()), phones, _words(words))
        )
    return utterances


def _tier(grids: list[textgrid.Textgrid], prefix: str) -> list[Segment]:
    """Intervals of the first tier named ``prefix...`` (``phone``/``phones``, ``word``/``words``)."""
    for grid in grids:
        for name in grid.tierNames:
            if name.lower().startswith(prefix):
                return [Segment(e.label, e.start, e.end) for e in grid.getTier(name).entries]
    raise ValueError(f"no '{prefix}' tier")


def load_textgrids(folder: Path) -> list[Utterance]:
    """Audio ``X.wav``/``X.flac``, phone and word tiers in ``X.TextGrid`` or ``X_*.TextGrid``, ``X.lab``.

    The transcript is ``X.lab``, or the words tier where there is none.
    """
    utterances = []
    for audio in sorted(p for p in folder.iterdir() if p.suffix in (".wav", ".flac")):
        grids = [
            textgrid.openTextgrid(str(p), includeEmptyIntervals=True)
            for p in sorted(folder.glob("*.TextGrid"))
            if p.stem == audio.stem or p.stem.startswith(audio.stem + "_")
        ]
        words = _words(_tier(grids, "word"))
        lab = audio.with_suffix(".lab")
        transcript = lab.read_text() if lab.exists() else " ".join(w.label for w in words)
        utterances.append(Utterance(audio.stem, audio, _clean(transcript), _tier(grids, "phone"), words))
    return utterances


TUNING_SPEAKERS = ("dr1-fvmh0", "dr1-mcpm0")
"""The timit-dev speakers that settings are chosen on (with real-auto); the other two are only reported."""


def _speakers(keep) -> Callable[[Path], list[Utterance]]:
    return lambda folder: [u for u in load_timit(folder) if keep(u.name.split("/")[0] in TUNING_SPEAKERS)]


SETS: dict[str, tuple[str, Callable[[Path], list[Utterance]]]] = {
    "timit-dev": ("timit-dev", load_timit),
    "timit-tune": ("timit-dev", _speakers(lambda tuning: tuning)),
    "timit-report": ("timit-dev", _speakers(lambda tuning: not tuning)),
    "librivox": ("real-auto/librivox", load_librivox),
    "mfa": ("real-auto/mfa", load_textgrids),
    "praatio": ("real-auto/praatio", load_textgrids),
}
"""Set name -> (folder under the data root, loader)."""


def load_set(data: Path, name: str) -> list[Utterance]:
    folder, loader = SETS[name]
    return loader(data / folder)
