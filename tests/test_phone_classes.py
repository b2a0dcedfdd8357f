"""The phone inventory: ARPAbet, TIMIT, flite and IPA from several languages land in the right class, and a phone
shows the same mouth whether it comes from a transcript or is recognised from audio."""

import pytest

from lipsync_ai.core import phone_classes as inventory
from lipsync_ai.core.phone_classes import (
    CLASS_INDEX,
    CLASSES,
    DEFAULT_CLASS,
    INVENTORY,
    MOUTHS,
    SILENCE_CLASS,
    arpabet_class,
    phone_class,
    representative_label,
)
from lipsync_ai.core.visemes import VISEMES, phone_viseme

ARPABET = {
    "P": "bilabial_stop", "B": "bilabial_stop", "M": "bilabial_nasal", "F": "labiodental", "V": "labiodental",
    "TH": "dental", "DH": "dental", "S": "alveolar_fricative", "SH": "postalveolar", "CH": "postalveolar",
    "JH": "postalveolar", "K": "velar_stop", "NG": "velar_nasal", "HH": "glottal", "L": "lateral", "R": "rhotic",
    "ER": "rhotic", "Y": "palatal_glide", "W": "labial_velar_glide", "IY": "close_front", "EH": "mid_front",
    "AE": "open_front", "AH": "central", "AA": "open_back", "AO": "open_back", "OW": "mid_back_rounded",
    "UW": "close_back_rounded", "UH": "close_back_rounded", "SIL": "silence",
}
IPA = {
    "b": "bilabial_stop", "ɔ̃": "open_back", "ʒ": "postalveolar", "u": "close_back_rounded", "ʁ": "rhotic",
    "ɡ": "velar_stop", "uː": "close_back_rounded", "tɕ": "postalveolar", "o̞": "mid_back_rounded",
    "β": "bilabial_fricative", "x": "dorsal_fricative", "ç": "dorsal_fricative", "y": "front_rounded",
    "øː": "front_rounded", "ɲ": "alveolar_nasal", "ʎ": "lateral", "ɾ": "alveolar_stop", "ts": "alveolar_fricative",
    "tʃ": "postalveolar", "dʒ": "postalveolar", "pf": "bilabial_stop", "ɯᵝ": "close_back_rounded",
    "aɪ": "open_front", "eː": "mid_front", "ɛ̃": "mid_front", "ə-": "central", "mː": "bilabial_nasal",
    "pʰ": "bilabial_stop", "ɱ": "labiodental", "ʔ": "glottal", "ʲ": "palatal_glide", "w": "labial_velar_glide",
}


@pytest.mark.parametrize(("phone", "name"), ARPABET.items())
def test_arpabet(phone, name):
    assert CLASSES[phone_class(phone)] == name


@pytest.mark.parametrize(("phone", "name"), IPA.items())
def test_ipa(phone, name):
    assert CLASSES[phone_class(phone)] == name


def test_flite_names_and_stress():
    assert arpabet_class("pau") == SILENCE_CLASS
    assert arpabet_class("hh") == CLASS_INDEX["glottal"]
    assert phone_class("AH0") == phone_class("AH1") == CLASS_INDEX["central"]


@pytest.mark.parametrize("phone", ["?", "(en)", "☃", "1", "Ж", "qq̃ː"])
def test_unknown_symbols_never_crash(phone):
    assert 0 <= phone_class(phone) < len(CLASSES)
    assert phone_class("☃") == DEFAULT_CLASS


def test_lip_critical_classes_are_distinct():
    groups = [{"M", "B", "P"}, {"F", "V"}, {"UW", "UH", "W", "OW"}, {"SIL"}]
    classes = [{phone_class(p) for p in g} for g in groups]
    for i, a in enumerate(classes):
        for b in classes[i + 1:]:
            assert not a & b
    others = {phone_class(p) for p in ARPABET if not any(p in g for g in groups)}
    assert not others & set().union(*classes)


def test_every_symbol_is_in_one_class_with_known_columns():
    assert len(inventory.ARPABET) == sum(len(c.arpabet) for c in INVENTORY)
    assert len(inventory.IPA) == sum(len(c.ipa) for c in INVENTORY)
    assert {c.viseme for c in INVENTORY} <= set(VISEMES)
    assert {c.mouth for c in INVENTORY} <= set(MOUTHS)


def _all_symbols() -> list[str]:
    """Every symbol of the inventory as the product meets it: ARPAbet with stress, flite/TIMIT lower case, IPA
    letters bare, long, nasal, aspirated and palatalised, affricates and modifier letters."""
    arpabet = inventory.ARPABET
    symbols = [*arpabet, *(p.lower() for p in arpabet), *(p + "1" for p in arpabet if p[0] in "AEIOU")]
    for letter in (*inventory.IPA, *inventory._AFFRICATES):
        symbols += [letter, letter + "ː", letter + "\u0303", letter + "ʰ", letter + "ʲ", "ˈ" + letter]
    return symbols + list(inventory._MODIFIER_GLIDES)


@pytest.mark.parametrize("english", [True, False])
def test_transcript_and_recognised_paths_give_one_viseme(english):
    """Transcript path: phone -> viseme. Recognised path: phone -> class -> representative label -> viseme."""
    differ = {
        phone: (phone_viseme(phone), phone_viseme(representative_label(phone_class(phone), english)))
        for phone in _all_symbols()
    }
    assert {phone: pair for phone, pair in differ.items() if pair[0] != pair[1]} == {}


def test_representatives_round_trip():
    for c in range(len(CLASSES)):
        assert phone_class(representative_label(c, english=False)) == c
        assert phone_viseme(representative_label(c, english=True)) == INVENTORY[c].viseme
