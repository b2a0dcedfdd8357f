"""Language-independent broad phone classes: the timing network's output inventory.

Pure Python (no torch, no bpy). ARPAbet (English, no stress), IPA from espeak-ng (any language) and the phone
names of flite/festival (lower-case ARPAbet with ``pau``) all map onto the same ~27 articulatory classes.
The lip-critical classes stay apart: closed (bilabial stop, bilabial nasal), F/V (labiodental), round (close
back rounded, mid back rounded, labial-velar glide) and rest (silence).
"""

from __future__ import annotations

import unicodedata

CLASSES: tuple[str, ...] = (
    "silence",
    "bilabial_stop",
    "bilabial_nasal",
    "bilabial_fricative",
    "labiodental",
    "dental",
    "alveolar_stop",
    "alveolar_nasal",
    "alveolar_fricative",
    "postalveolar",
    "velar_stop",
    "velar_nasal",
    "dorsal_fricative",
    "glottal",
    "lateral",
    "rhotic",
    "palatal_glide",
    "labial_velar_glide",
    "close_front",
    "mid_front",
    "open_front",
    "central",
    "open_back",
    "mid_back_rounded",
    "close_back_rounded",
    "front_rounded",
)
"""Class names; a class's index is its network output unit."""

CLASS_INDEX = {name: i for i, name in enumerate(CLASSES)}
SILENCE_CLASS = 0
DEFAULT_CLASS = CLASS_INDEX["central"]
"""Class of a symbol nobody knows: an open, neutral mouth."""

_ARPABET_GROUPS = {
    "silence": ("SIL", "PAU", "SP", "SPN", "H#", "EPI", "BRTH", "SIL0"),
    "bilabial_stop": ("P", "B"),
    "bilabial_nasal": ("M", "EM"),
    "labiodental": ("F", "V"),
    "dental": ("TH", "DH"),
    "alveolar_stop": ("T", "D", "DX"),
    "alveolar_nasal": ("N", "EN", "NX"),
    "alveolar_fricative": ("S", "Z"),
    "postalveolar": ("SH", "ZH", "CH", "JH"),
    "velar_stop": ("K", "G"),
    "velar_nasal": ("NG", "ENG"),
    "glottal": ("HH", "HV", "Q"),
    "lateral": ("L", "EL"),
    "rhotic": ("R", "ER", "AXR"),
    "palatal_glide": ("Y",),
    "labial_velar_glide": ("W",),
    "close_front": ("IY", "IH", "IX"),
    "mid_front": ("EH", "EY"),
    "open_front": ("AE", "AY", "AW"),
    "central": ("AH", "AX", "AX-H"),
    "open_back": ("AA", "AO", "OY"),
    "mid_back_rounded": ("OW",),
    "close_back_rounded": ("UW", "UH", "UX"),
}
ARPABET = {phone: CLASS_INDEX[name] for name, phones in _ARPABET_GROUPS.items() for phone in phones}
"""ARPAbet (and TIMIT/flite extras), upper case without stress, to class."""

_IPA_GROUPS = {
    "bilabial_stop": "pbɓ",
    "bilabial_nasal": "m",
    "bilabial_fricative": "ɸβ",
    "labiodental": "fvɱʋ",
    "dental": "θð",
    "alveolar_stop": "tdɗʈɖɾɽ",
    "alveolar_nasal": "nɲɳ",
    "alveolar_fricative": "szʦʣ",
    "postalveolar": "ʃʒɕʑʂʐʧʤ",
    "velar_stop": "kgɡqɢcɟ",
    "velar_nasal": "ŋɴ",
    "dorsal_fricative": "xɣχçħʕ",
    "glottal": "hɦʔ",
    "lateral": "lɫʎɭɬɮʟ",
    "rhotic": "rɹʁʀɻɚɝ",
    "palatal_glide": "j",
    "labial_velar_glide": "wʍɥ",
    "close_front": "iɪɨᵻ",
    "mid_front": "eɛ",
    "open_front": "aæɶ",
    "central": "əɜɐʌɘɵɞ",
    "open_back": "ɑɒɔ",
    "mid_back_rounded": "oɤ",
    "close_back_rounded": "uʊɯʉ",
    "front_rounded": "yʏøœ",
}
IPA = {symbol: CLASS_INDEX[name] for name, symbols in _IPA_GROUPS.items() for symbol in symbols}
"""Base IPA letter to class."""

_AFFRICATES = {
    "tʃ": "postalveolar", "dʒ": "postalveolar", "tɕ": "postalveolar", "dʑ": "postalveolar",
    "ʈʂ": "postalveolar", "ɖʐ": "postalveolar", "ts": "alveolar_fricative", "dz": "alveolar_fricative",
    "pf": "bilabial_stop", "bv": "bilabial_stop",
}
_MODIFIER_GLIDES = {"ʲ": "palatal_glide", "ʷ": "labial_velar_glide", "ʰ": "glottal"}
"""Modifier letters that espeak-ng sometimes reports as phones of their own."""
_MARKS = ("Mn", "Lm", "Sk")
"""Unicode categories dropped from IPA: combining diacritics, modifier letters (ː ʰ ʲ ˈ), modifier symbols."""

REPRESENTATIVE_ARPABET = (
    "SIL", "B", "M", "V", "F", "TH", "T", "N", "S", "SH", "K", "NG", "HH", "HH", "L", "R", "Y", "W",
    "IY", "EH", "AE", "AH", "AA", "OW", "UW", "IY",
)
"""An ARPAbet label per class, for audio-only output in English."""
REPRESENTATIVE_IPA = (
    "SIL", "b", "m", "β", "f", "θ", "t", "n", "s", "ʃ", "k", "ŋ", "x", "h", "l", "r", "j", "w",
    "i", "e", "a", "ə", "ɑ", "o", "u", "y",
)
"""An IPA label per class, for audio-only output in other languages."""


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
        return SILENCE_CLASS if not phone.strip() or phone.strip() in ("_", ":", "||", "|") else DEFAULT_CLASS
    if base[:2] in _AFFRICATES:
        return CLASS_INDEX[_AFFRICATES[base[:2]]]
    return IPA.get(base[0], IPA.get(base[0].lower(), DEFAULT_CLASS))


def arpabet_class(phone: str) -> int:
    """Class of an ARPAbet/TIMIT/flite phone (any case, stress digits allowed); unknown gives the IPA rule."""
    key = phone.strip().upper().rstrip("012")
    if key in ARPABET:
        return ARPABET[key]
    return ipa_class(phone.lower())


def is_arpabet(phone: str) -> bool:
    """Upper-case ASCII labels are ARPAbet (``transcribe`` gives English that way); anything else is IPA."""
    return phone.isascii() and phone.upper() == phone and any(c.isalpha() for c in phone)


def phone_class(phone: str) -> int:
    """Class index of any phone label the product meets; ``SIL`` and blanks are silence; never raises."""
    if phone == "SIL" or not phone.strip():
        return SILENCE_CLASS
    return arpabet_class(phone) if is_arpabet(phone) else ipa_class(phone)


def representative_label(class_id: int, english: bool) -> str:
    """A phone label that stands for ``class_id`` in audio-only output."""
    return (REPRESENTATIVE_ARPABET if english else REPRESENTATIVE_IPA)[class_id]
