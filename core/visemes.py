"""Phones to visemes: the 15 Meta/Oculus visemes, the de-facto interchange set between rigs."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from .types import SILENCE, Segment

VISEMES = ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U")

_ARPABET = {
    "P": "PP", "B": "PP", "M": "PP",
    "F": "FF", "V": "FF",
    "TH": "TH", "DH": "TH",
    "T": "DD", "D": "DD",
    "K": "kk", "G": "kk", "NG": "kk",
    "CH": "CH", "JH": "CH", "SH": "CH", "ZH": "CH",
    "S": "SS", "Z": "SS",
    "N": "nn", "L": "nn",
    "R": "RR", "ER": "RR",
    "AA": "aa", "AE": "aa", "AH": "aa", "AY": "aa", "AW": "aa",
    "EH": "E", "EY": "E", "HH": "E",
    "IH": "I", "IY": "I", "Y": "I",
    "AO": "O", "OW": "O", "OY": "O",
    "UW": "U", "UH": "U", "W": "U",
}

# IPA: whole affricates first, then the first base letter of the phone.
_IPA_CLUSTERS = {"tʃ": "CH", "dʒ": "CH", "tɕ": "CH", "dʑ": "CH", "ts": "SS", "dz": "SS", "pf": "FF"}
_IPA = {
    **dict.fromkeys("pbmɓ", "PP"),
    **dict.fromkeys("fvɱʋɸβ", "FF"),
    **dict.fromkeys("θð", "TH"),
    **dict.fromkeys("tdʈɖɗcɟʔ", "DD"),
    **dict.fromkeys("kɡgqɢŋxɣχħ", "kk"),
    **dict.fromkeys("ʃʒɕʑçʝʂʐ", "CH"),
    **dict.fromkeys("sz", "SS"),
    **dict.fromkeys("nlɲɳɫʎɭ", "nn"),
    **dict.fromkeys("rɾɹɻʀʁɽ", "RR"),
    **dict.fromkeys("aɑɐæʌɶ", "aa"),
    **dict.fromkeys("eɛəɘɜɞhɦ", "E"),
    **dict.fromkeys("iɪɨjɯ", "I"),
    **dict.fromkeys("oɔɒɤøœ", "O"),
    **dict.fromkeys("uʊʉyʏwɥ", "U"),
}


def phone_viseme(phone: str) -> str:
    """Viseme of an ARPAbet (stress optional) or IPA phone; unknown phones read as a relaxed open mouth."""
    if phone == SILENCE:
        return "sil"
    arpabet = phone.rstrip("012")
    if arpabet in _ARPABET:
        return _ARPABET[arpabet]
    base = "".join(c for c in unicodedata.normalize("NFD", phone) if not unicodedata.combining(c))
    if base[:2] in _IPA_CLUSTERS:
        return _IPA_CLUSTERS[base[:2]]
    for char in base:
        if char in _IPA:
            return _IPA[char]
    return "E"


def relabel(segments: list[Segment], label: Callable[[str], str]) -> list[Segment]:
    """The segments under new labels, neighbours that end up with the same label merged."""
    track: list[Segment] = []
    for seg in segments:
        new = label(seg.label)
        if track and track[-1].label == new:
            track[-1] = Segment(new, track[-1].start, seg.end)
        else:
            track.append(Segment(new, seg.start, seg.end))
    return track


def viseme_track(phonemes: list[Segment]) -> list[Segment]:
    """Visemes of the phones, neighbours with the same viseme merged."""
    return relabel(phonemes, phone_viseme)
