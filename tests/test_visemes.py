import pytest

from lipsync_ai.core.types import Segment
from lipsync_ai.core.visemes import VISEMES, phone_viseme, viseme_track


@pytest.mark.parametrize(("phone", "viseme"), [
    ("M", "PP"), ("B", "PP"), ("P", "PP"), ("F", "FF"), ("V", "FF"), ("UW1", "U"), ("W", "U"), ("AA", "aa"),
    ("SIL", "sil"), ("m", "PP"), ("ɱ", "FF"), ("tʃ", "CH"), ("tɕ", "CH"), ("ts", "SS"), ("uː", "U"),
    ("ɔ̃", "aa"), ("ʁ", "RR"), ("ä", "aa"), ("o̞", "O"), ("y", "U"),
])
def test_phone_viseme(phone, viseme):
    assert phone_viseme(phone) == viseme


def test_every_arpabet_phone_has_a_known_viseme():
    arpabet = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y "
               "Z ZH").split()
    assert {phone_viseme(p) for p in arpabet} <= set(VISEMES)


def test_track_merges_neighbours_with_one_viseme():
    phones = [Segment("SIL", 0, 0.1), Segment("M", 0.1, 0.2), Segment("B", 0.2, 0.25), Segment("AA", 0.25, 0.4)]
    assert viseme_track(phones) == [Segment("sil", 0, 0.1), Segment("PP", 0.1, 0.25), Segment("aa", 0.25, 0.4)]
