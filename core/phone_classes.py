"""The phone inventory: every phone symbol the product meets, mapped once to its articulatory class.

Pure Python (no torch, no bpy). ARPAbet (English, stress digits allowed), TIMIT's 61 symbols (closures too),
IPA from espeak-ng (any language, diacritics and length marks allowed) and the phone names of flite/festival
(lower-case ARPAbet with ``pau``) all map onto the same 26 classes, the timing network's output units. Everything
else about a phone is a column of its class: its viseme, its mouth class in the bench scoring and the label that
stands for it in audio-only output. So a phone read from a transcript and the same phone recognised from audio
always show the same mouth, and a new language or phone set is a change to this file only.

The lip-critical classes stay apart: closed (bilabial stop, bilabial nasal), F/V (labiodental), round (close
back rounded, mid back rounded, labial-velar glide) and rest (silence).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

CLOSED, FV, ROUND, REST, OPEN = "closed", "F/V", "round", "rest", "open"
MOUTHS = (CLOSED, FV, ROUND, REST, OPEN)
"""Mouth classes of the lip-sync timing metrics (``bench/scoring.py``)."""


@dataclass(frozen=True, kw_only=True)
class PhoneClass:
    """One articulatory class: the symbols that belong to it and what it shows."""

    name: str
    arpabet: tuple[str, ...] = ()
    """ARPAbet, TIMIT and flite symbols, upper case without stress."""
    ipa: str = ""
    """Base IPA letters (diacritics and length marks are stripped before lookup)."""
    viseme: str
    """One of ``core.visemes.VISEMES``."""
    mouth: str = OPEN
    """One of ``MOUTHS``."""
    english: str
    """ARPAbet label for this class in English audio-only output; its viseme is the class's."""
    other: str
    """IPA label for this class in audio-only output in other languages."""


INVENTORY: tuple[PhoneClass, ...] = (
    PhoneClass(name="silence", viseme="sil", mouth=REST, english="SIL", other="SIL",
               arpabet=("SIL", "PAU", "SP", "SPN", "H#", "EPI", "BRTH", "SIL0", "<SIL>")),
    PhoneClass(name="bilabial_stop", arpabet=("P", "B", "PCL", "BCL"), ipa="pbɓ", viseme="PP", mouth=CLOSED,
               english="B", other="b"),
    PhoneClass(name="bilabial_nasal", arpabet=("M", "EM"), ipa="m", viseme="PP", mouth=CLOSED,
               english="M", other="m"),
    PhoneClass(name="bilabial_fricative", ipa="ɸβ", viseme="FF", english="V", other="β"),
    PhoneClass(name="labiodental", arpabet=("F", "V"), ipa="fvɱʋ", viseme="FF", mouth=FV, english="F", other="f"),
    PhoneClass(name="dental", arpabet=("TH", "DH"), ipa="θð", viseme="TH", english="TH", other="θ"),
    PhoneClass(name="alveolar_stop", arpabet=("T", "D", "DX", "TCL", "DCL"), ipa="tdɗʈɖɾɽ", viseme="DD",
               english="T", other="t"),
    PhoneClass(name="alveolar_nasal", arpabet=("N", "EN", "NX"), ipa="nɲɳ", viseme="nn", english="N", other="n"),
    PhoneClass(name="alveolar_fricative", arpabet=("S", "Z"), ipa="szʦʣ", viseme="SS", english="S", other="s"),
    PhoneClass(name="postalveolar", arpabet=("SH", "ZH", "CH", "JH"), ipa="ʃʒɕʑʂʐʧʤ", viseme="CH",
               english="SH", other="ʃ"),
    PhoneClass(name="velar_stop", arpabet=("K", "G", "KCL", "GCL"), ipa="kgɡqɢcɟ", viseme="kk",
               english="K", other="k"),
    PhoneClass(name="velar_nasal", arpabet=("NG", "ENG"), ipa="ŋɴ", viseme="kk", english="NG", other="ŋ"),
    PhoneClass(name="dorsal_fricative", ipa="xɣχçħʕ", viseme="kk", english="K", other="x"),
    PhoneClass(name="glottal", arpabet=("HH", "HV", "Q"), ipa="hɦʔ", viseme="E", english="HH", other="h"),
    PhoneClass(name="lateral", arpabet=("L", "EL"), ipa="lɫʎɭɬɮʟ", viseme="nn", english="L", other="l"),
    PhoneClass(name="rhotic", arpabet=("R", "ER", "AXR"), ipa="rɹʁʀɻɚɝ", viseme="RR", english="R", other="r"),
    PhoneClass(name="palatal_glide", arpabet=("Y",), ipa="j", viseme="I", english="Y", other="j"),
    PhoneClass(name="labial_velar_glide", arpabet=("W",), ipa="wʍɥ", viseme="U", mouth=ROUND,
               english="W", other="w"),
    PhoneClass(name="close_front", arpabet=("IY", "IH", "IX"), ipa="iɪɨᵻ", viseme="I", english="IY", other="i"),
    PhoneClass(name="mid_front", arpabet=("EH", "EY"), ipa="eɛ", viseme="E", english="EH", other="e"),
    PhoneClass(name="open_front", arpabet=("AE", "AY", "AW"), ipa="aæɶ", viseme="aa", english="AE", other="a"),
    PhoneClass(name="central", arpabet=("AH", "AX", "AX-H"), ipa="əɜɐʌɘɵɞ", viseme="aa", english="AH", other="ə"),
    PhoneClass(name="open_back", arpabet=("AA", "AO", "OY"), ipa="ɑɒɔ", viseme="aa", english="AA", other="ɑ"),
    PhoneClass(name="mid_back_rounded", arpabet=("OW",), ipa="oɤ", viseme="O", mouth=ROUND, english="OW", other="o"),
    PhoneClass(name="close_back_rounded", arpabet=("UW", "UH", "UX"), ipa="uʊɯʉ", viseme="U", mouth=ROUND,
               english="UW", other="u"),
    PhoneClass(name="front_rounded", ipa="yʏøœ", viseme="U", english="UW", other="y"),
)
"""The classes in network-output order: a class's index is its output unit (the shipped weights depend on it)."""

CLASSES: tuple[str, ...] = tuple(c.name for c in INVENTORY)
CLASS_INDEX = {name: i for i, name in enumerate(CLASSES)}
SILENCE_CLASS = 0
DEFAULT_CLASS = CLASS_INDEX["central"]
"""Class of a symbol nobody knows: an open, neutral mouth."""

ARPABET = {phone: i for i, c in enumerate(INVENTORY) for phone in c.arpabet}
"""ARPAbet (and TIMIT/flite extras), upper case without stress, to class."""
IPA = {symbol: i for i, c in enumerate(INVENTORY) for symbol in c.ipa}
"""Base IPA letter to class."""

_AFFRICATES = {
    "tʃ": "postalveolar", "dʒ": "postalveolar", "tɕ": "postalveolar", "dʑ": "postalveolar",
    "ʈʂ": "postalveolar", "ɖʐ": "postalveolar", "ts": "alveolar_fricative", "dz": "alveolar_fricative",
    "pf": "bilabial_stop", "bv": "bilabial_stop",
}
_MODIFIER_GLIDES = {"ʲ": "palatal_glide", "ʷ": "labial_velar_glide", "ʰ": "glottal"}
"""Modifier letters that espeak-ng sometimes reports as phones of their own."""
_IPA_SILENCE = ("_", ":", "||", "|")
_MARKS = ("Mn", "Lm", "Sk")
"""Unicode categories dropped from IPA: combining diacritics, modifier letters (ː ʰ ʲ ˈ), modifier symbols."""


def _base_ipa(phone: str) -> str:
    """IPA letters of ``phone`` with diacritics, length and stress marks removed (precomposed letters split)."""
    letters = []
    for char in phone:
        if char in IPA:
            letters.append(char)
        else:
            letters.extend(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) not in _MARKS)
    return "".join(c for c in letters if c.isalpha() or c in IPA)


def ipa_class(phone: str) -> int:
    """Class of an IPA phone: affricate pairs, else the first base letter; unknown gives ``DEFAULT_CLASS``."""
    base = _base_ipa(phone)
    if not base and phone.strip() in _MODIFIER_GLIDES:
        return CLASS_INDEX[_MODIFIER_GLIDES[phone.strip()]]
    if not base:
        return SILENCE_CLASS if not phone.strip() or phone.strip() in _IPA_SILENCE else DEFAULT_CLASS
    if base[:2] in _AFFRICATES:
        return CLASS_INDEX[_AFFRICATES[base[:2]]]
    return IPA.get(base[0], IPA.get(base[0].lower(), DEFAULT_CLASS))


def _arpabet_key(phone: str) -> str:
    return phone.strip().upper().rstrip("012")


def arpabet_class(phone: str) -> int:
    """Class of an ARPAbet/TIMIT/flite phone (any case, stress digits allowed); unknown gives the IPA rule."""
    key = _arpabet_key(phone)
    if key in ARPABET:
        return ARPABET[key]
    return ipa_class(phone.lower())


def is_arpabet(phone: str) -> bool:
    """Upper-case ASCII labels are ARPAbet (``transcribe`` gives English that way), and so are lower-case ASCII
    names of two or more letters that ARPAbet, TIMIT or flite use (``jh``, ``pau``, ``bcl``); anything else is
    IPA, so a lone lower-case letter reads as IPA (``y`` is the rounded vowel, not the glide ``Y``)."""
    if not phone.isascii() or not any(c.isalpha() for c in phone):
        return False
    return phone.upper() == phone or (len(phone.strip()) > 1 and _arpabet_key(phone) in ARPABET)


def phone_class(phone: str) -> int:
    """Class index of any phone label the product meets; ``SIL`` and blanks are silence; never raises."""
    if phone == "SIL" or not phone.strip():
        return SILENCE_CLASS
    return arpabet_class(phone) if is_arpabet(phone) else ipa_class(phone)


def phone_info(phone: str) -> PhoneClass:
    """The class of any phone label, with its viseme, mouth class and representatives."""
    return INVENTORY[phone_class(phone)]


def representative_label(class_id: int, english: bool) -> str:
    """A phone label that stands for ``class_id`` in audio-only output."""
    info = INVENTORY[class_id]
    return info.english if english else info.other
