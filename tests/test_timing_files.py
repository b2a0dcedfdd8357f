"""Timing round-trips with outside editors: a Papagayo-NG .pgo, a Moho .dat or a Rhubarb JSON that lipsync writes
reads back as the same mouths at the same times (within a frame), and a bad file is refused with one line that
says where. The .pgo is read here as Papagayo-NG's LipsyncDoc.open reads it (line by line)."""

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.exports import PRESTON_BLAIR, moho_dat, rhubarb_cues, rhubarb_json
from lipsync_ai.core.papagayo import MOUTH_CLASS, mouth, papagayo_pgo, phone_of
from lipsync_ai.core.phone_classes import CLOSED, FV, REST, ROUND, phone_info
from lipsync_ai.core.timing_files import read_timing
from lipsync_ai.core.types import Alignment, Segment

LETTER_OF = {name: letter for letter, name in PRESTON_BLAIR.items()}
PHONES = ("M", "B", "P", "F", "V", "AA", "IY", "UW", "OW", "L", "S", "T", "W", "EH", "AO", "K", "N", "OY", "DX", "AX")


def mall():
    """ "mall ... foo": silence, M AO L, a pause, F UW."""
    return Alignment(1.0, "en-us", [Segment("mall", 0.1, 0.6), Segment("foo", 0.8, 1.0)], [
        Segment("SIL", 0.0, 0.1), Segment("M", 0.1, 0.2), Segment("AO", 0.2, 0.45), Segment("L", 0.45, 0.6),
        Segment("SIL", 0.6, 0.8), Segment("F", 0.8, 0.9), Segment("UW", 0.9, 1.0)])


def load(tmp_path, name, text, clip=None, fps=24):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_timing(path, clip or mall(), fps)


def papagayo_open(text):
    """Papagayo-NG's LipsyncDoc.open: header, sound, fps, duration, voices; then per frame the mouth its
    get_phoneme_at_frame shows (the word's last phoneme at or before the frame, else rest)."""
    lines = iter(text.splitlines())
    assert next(lines) == "lipsync version 1"
    sound, fps, duration, voices = next(lines), int(next(lines)), int(next(lines)), int(next(lines))
    assert voices == 1
    next(lines), next(lines)
    words = []
    for _ in range(int(next(lines))):
        next(lines), int(next(lines)), int(next(lines))
        for _ in range(int(next(lines))):
            text, start, end, count = next(lines).split()
            words.append((text, int(start), int(end), [next(lines).split() for _ in range(int(count))]))
    assert next(lines, None) is None
    shown = []
    for frame in range(duration):
        word = next((w for w in words if w[1] <= frame <= w[2]), None)
        marks = [name for at, name in (word[3] if word else []) if int(at) <= frame]
        shown.append(marks[-1] if marks else "rest")
    return sound, fps, words, shown


def test_pgo_is_laid_out_as_papagayo_ng_saves_it():
    text = papagayo_pgo(mall(), 24, "/takes/mall.wav")
    sound, fps, words, shown = papagayo_open(text)
    assert sound == "/takes/mall.wav" and fps == 24 and [w[0] for w in words] == ["mall", "foo"]
    assert words[0][1:3] == (2, 13) and words[1][1:3] == (19, 23), "frames nearest the word's start and end"
    # Frame by frame, Papagayo-NG shows each phone's Preston Blair mouth from its conversion table.
    expected = ["rest"] * 2 + ["MBP"] * 3 + ["O"] * 6 + ["L"] * 3 + ["rest"] * 5 + ["FV"] * 3 + ["U"] * 2
    assert shown == expected


PAPAGAYO_DOC = """lipsync version 1
hello.wav
24
40
1
\tVoice 1
\tHello there, world.
\t1
\t\tHello there, world.
\t\t2
\t\t38
\t\t3
\t\t\tHello 2 9 4
\t\t\t\t2 etc
\t\t\t\t4 E
\t\t\t\t6 L
\t\t\t\t8 O
\t\t\tthere, 11 18 3
\t\t\t\t11 etc
\t\t\t\t14 E
\t\t\t\t17 etc
\t\t\tworld. 21 36 4
\t\t\t\t21 WQ
\t\t\t\t25 E
\t\t\t\t29 L
\t\t\t\t33 etc
"""
"""A document as Papagayo-NG saves one after a breakdown (punctuation stays on the words, the phrase may end after
its last word)."""


def test_a_papagayo_ng_document_imports_with_its_words_and_saves_back_the_same(tmp_path):
    clip = Alignment(40 / 24, "en-us", [Segment("hello", 0.0, 1.0)], [Segment("SIL", 0.0, 40 / 24)])
    back = load(tmp_path, "hello.pgo", PAPAGAYO_DOC, clip, fps=30)
    assert [(w.label, w.start, w.end) for w in back.words] == [
        ("Hello", 2 / 24, 10 / 24), ("there,", 11 / 24, 19 / 24), ("world.", 21 / 24, 37 / 24)]
    assert [(p.label, p.start) for p in back.phonemes[:6]] == [
        ("SIL", 0.0), ("S", 2 / 24), ("EH", 4 / 24), ("L", 6 / 24), ("OW", 8 / 24), ("SIL", 10 / 24)]
    assert back.phonemes[-1] == Segment("SIL", 37 / 24, 40 / 24), "the mouth rests after the last word"
    expected = PAPAGAYO_DOC.replace("\t\t38\n", "\t\t36\n")  # the phrase ends with its last word
    assert papagayo_pgo(back, 24, "hello.wav") == expected


def test_phones_outside_words_and_other_phone_sets_get_papagayos_mouths():
    # Audio-only timing may have sounding phones outside any word: they become a word named by its phones.
    ipa = Alignment(0.5, "fr-fr", [], [Segment("SIL", 0, 0.1), Segment("b", 0.1, 0.2), Segment("u", 0.2, 0.4),
                                       Segment("SIL", 0.4, 0.5)])
    _, _, words, _ = papagayo_open(papagayo_pgo(ipa, 30, "a.wav"))
    assert words == [("bu", 3, 11, [["3", "MBP"], ["6", "U"]])]
    assert [mouth(p) for p in ("DX", "AX", "aa", "IY1", "pau", "SIL", "f")] == ["etc", "AI", "AI", "E", "rest",
                                                                                  "rest", "FV"]


def test_closures_win_a_frame_two_phonemes_share():
    # At 24 fps the 20 ms M after AA shares a frame with it: the lips still close.
    short = Alignment(0.5, "en-us", [Segment("am", 0.0, 0.5)], [Segment("AA", 0.0, 0.01), Segment("M", 0.01, 0.03),
                                                                 Segment("AA", 0.03, 0.5)])
    _, _, words, _ = papagayo_open(papagayo_pgo(short, 24, "a.wav"))
    assert words[0][3] == [["0", "MBP"], ["1", "AI"]]


@pytest.mark.parametrize("english", [True, False])
def test_each_mouth_reads_back_as_a_phone_that_shows_it(english):
    # Through the phone inventory: the closed mouth is a closure, F/V touches the teeth, U, WQ and O round, rest
    # rests; and Papagayo-NG's table gives each phone its mouth back, in English (ARPAbet) and other languages.
    def shows(name):
        return phone_info(phone_of(name, english)).mouth

    assert shows("MBP") == CLOSED and shows("FV") == FV and shows("rest") == REST
    assert {shows(name) for name in ("U", "WQ", "O")} == {ROUND}
    assert all(mouth(phone_of(name, english)) == name for name in MOUTH_CLASS)
    assert phone_of("MBP", english) == ("M" if english else "m")


@st.composite
def alignments(draw, min_frames=0.0, fps=24):
    """Phones of random lengths (at least ``min_frames`` frames), each run between pauses a word or (at random)
    phones outside any word."""
    length = st.floats(min_frames + 0.02, 8.0)
    spans = draw(st.lists(st.tuples(st.sampled_from(("SIL", *PHONES)), length), max_size=25))
    spans.insert(draw(st.integers(0, len(spans))), (draw(st.sampled_from(PHONES)), draw(length)))
    phonemes, t = [], 0.0
    for phone, frames in spans:
        phonemes.append(Segment(phone, t, t + frames / fps))
        t += frames / fps
    words, run = [], []
    for p in [*phonemes, None]:
        if p is not None and p.label != "SIL":
            run.append(p)
        elif run:
            if draw(st.booleans()):
                words.append(Segment(f"word{len(words)}", run[0].start, run[-1].end))
            run = []
    return Alignment(t, "en-us", words, phonemes)


def sounding(alignment):
    return [p for p in alignment.phonemes if p.label != "SIL"]


@pytest.mark.parametrize("fps", [12, 24, 30, 60])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_pgo_round_trip_keeps_words_mouths_and_times_within_half_a_frame(tmp_path_factory, fps, data):
    original = data.draw(alignments(min_frames=1.0, fps=fps))
    text = papagayo_pgo(original, fps, "clip.wav")
    back = load(tmp_path_factory.mktemp("pgo"), "clip.pgo", text, original, fps)
    assert [w.label for w in back.words if re.fullmatch(r"word\d+", w.label)] == [w.label for w in original.words]
    assert [mouth(p.label) for p in sounding(back)] == [mouth(p.label) for p in sounding(original)]
    for p, q in zip(sounding(back), sounding(original), strict=True):
        assert abs(p.start - q.start) <= 0.5 / fps + 1e-9
    assert papagayo_pgo(back, fps, "clip.wav") == text, "the file Papagayo-NG sees comes back unchanged"


@pytest.mark.parametrize(("fps", "names"), [(24, "preston"), (30, "rhubarb"), (25, "preston"), (60, "rhubarb")])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_moho_round_trip_gives_the_same_mouths_at_the_same_frames(tmp_path_factory, fps, names, data):
    original = data.draw(alignments(fps=fps))
    text = moho_dat(original, fps, names)
    rows = [(int(frame), name) for frame, name in (row.split() for row in text.splitlines()[1:])]
    back = load(tmp_path_factory.mktemp("dat"), "clip.dat", text, original, fps)
    def read(phone):
        return mouth(phone) if names == "preston" else LETTER_OF[mouth(phone)]

    assert [(round(p.start * fps) + 1, read(p.label)) for p in back.phonemes] == [
        (frame, name) for frame, name in rows if (frame - 1) / fps < original.duration - 1e-6]
    assert back.words == original.words, "a cue file has no words: the clip's are kept"
    cues = rhubarb_cues(original)
    rename = PRESTON_BLAIR.get if names == "preston" else str
    for p in back.phonemes[:-1]:
        assert any(rename(c.label) == read(p.label) and 0 <= c.start - p.start < 1 / fps + 1e-9 for c in cues)


@settings(max_examples=60, deadline=None)
@given(original=alignments())
def test_rhubarb_json_round_trip_gives_the_same_cues(tmp_path_factory, original):
    text = rhubarb_json(original, "/takes/clip.wav")
    back = load(tmp_path_factory.mktemp("json"), "clip.rhubarb.json", text, original)
    cues = json.loads(text)["mouthCues"]
    kept = [c for c in cues if c["start"] < original.duration - 1e-6]
    assert [(p.start, LETTER_OF[mouth(p.label)]) for p in back.phonemes] == [(c["start"], c["value"]) for c in kept]


def test_cues_of_a_clip_in_another_language_read_back_as_its_phones(tmp_path):
    french = Alignment(1.0, "fr-fr", [Segment("bu", 0.1, 0.5)], [Segment("SIL", 0, 0.1), Segment("b", 0.1, 0.2),
                                                                  Segment("u", 0.2, 0.5), Segment("SIL", 0.5, 1.0)])
    back = load(tmp_path, "bu.rhubarb.json", rhubarb_json(french, "bu.wav"), french)
    assert [p.label for p in back.phonemes] == ["SIL", "m", "u", "SIL"] and back.language == "fr-fr"
    assert back.words == french.words and back.warnings == ["timing imported from bu.rhubarb.json"]


def test_a_result_json_of_lipsync_reads_back_as_it_is(tmp_path):
    from lipsync_ai.core.result import result_json

    edited = mall()
    edited.phonemes[2] = Segment("OW", 0.2, 0.45)
    back = load(tmp_path, "mall.json", json.dumps(result_json(edited)))
    assert back.phonemes == edited.phonemes and back.words == edited.words


PGO_HEAD = "lipsync version 1\nclip.wav\n24\n24\n1\n\tVoice 1\n\thi\n\t1\n\t\thi\n\t\t2\n\t\t10\n"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("a.pgo", "", "a.pgo is empty"),
    ("a.dat", "  \n", "a.dat is empty"),
    ("a.txt", "1 rest", "timing files end in .pgo, .dat, .json"),
    ("a.pgo", '{"version": 2}', "not a Papagayo-NG .pgo file: its first line is"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi 2 10 2\n\t\t\t\t2 MBP\n", "the file ends where a phoneme should be"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi 2 10 2\n\t\t\t\t2 MBP\n\t\t\t\t9 XX\n", "a.pgo:15: unknown phoneme 'XX'"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi 2 10 2\n\t\t\t\t5 MBP\n\t\t\t\t4 AI\n",
     "a.pgo:15: the phoneme 'AI' at frame 4 comes after frame 5"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi 2 10 1\n\t\t\t\t12 MBP\n",
     "a.pgo:14: the phoneme 'MBP' at frame 12 is outside"),
    ("a.pgo", PGO_HEAD + "\t\t2\n\t\t\thi 2 10 1\n\t\t\t\t2 AI\n\t\t\tho 8 12 1\n\t\t\t\t8 O\n",
     "a.pgo:15: the word 'ho' starts at frame 8, inside the word before it"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi 2 80 1\n\t\t\t\t2 AI\n", "runs to 3.375 s, past the end of the clip"),
    ("a.pgo", PGO_HEAD + "\t\t1\n\t\t\thi two 10 1\n", "a.pgo:13: expected a word as 'WORD START-FRAME"),
    ("a.dat", "1 rest\n5 MBP\n", "not a Moho switch file: its first line must be 'MohoSwitch1'"),
    ("a.dat", "MohoSwitch1\n1 rest\n5 MBP\n9 QQ\n", "a.dat:4: unknown mouth 'QQ'"),
    ("a.dat", "MohoSwitch1\n1 rest\n5 MBP\n9 A\n", "a.dat:4: unknown mouth 'A'"),
    ("a.dat", "MohoSwitch1\n1 rest\n5 MBP\n3 AI\n", "a.dat:4: frame 3 comes after frame 5"),
    ("a.dat", "MohoSwitch1\n1 rest\n5 MBP\n90 AI\n", "a.dat:3: 'MBP' at 0.167 s runs to 3.708 s, past the end"),
    ("a.dat", "MohoSwitch1\n0 rest\n5 MBP\n", "a.dat:2: frame 0: Moho frames count from 1"),
    ("a.dat", "MohoSwitch1\n1 rest\n5 MBP x\n", "a.dat:3: expected 'FRAME MOUTH'"),
    ("a.dat", "MohoSwitch1\n", "holds no phoneme or mouth cue inside the clip"),
    ("a.json", "{not json", "a.json is not JSON"),
    ("a.json", '{"metadata": {}}', "a.json is not Rhubarb's JSON: it has no 'mouthCues' list"),
    ("a.json", '{"mouthCues": [\n{"start": 0, "end": 0.5, "value": "A"},\n{"start": 0.4, "end": 0.6, "value": "B"}]}',
     "a.json:3: 'B' at 0.400 s overlaps the one before it, which ends at 0.500 s"),
    ("a.json", '{"mouthCues": [\n{"start": 0.5, "end": 0.2, "value": "A"}]}',
     "a.json:2: 'A' at 0.500 s runs backwards"),
    ("a.json", '{"mouthCues": [\n{"start": 0, "end": 0.5, "value": "A"},\n{"start": 0.5, "end": 0.6, "value": "Q"}]}',
     "a.json:3: unknown mouth 'Q'"),
    ("a.json", '{"mouthCues": [{"start": 0.2, "end": 4.0, "value": "D"}]}', "past the end of the clip"),
    ("a.json", '{"mouthCues": [{"start": "0", "end": 1, "value": "D"}]}', "needs a numeric 'start' and 'end'"),
    ("a.json", '{"phonemes": [], "words": []}', "a.json is not a RESULT.json lipsync wrote: its 'duration' is missing"),
])
def test_bad_files_are_refused_in_one_line_that_says_where(tmp_path, name, text, message):
    with pytest.raises(LipsyncError, match=re.escape(message)):
        load(tmp_path, name, text)


def test_not_utf8_and_missing_files_are_refused(tmp_path):
    (tmp_path / "a.dat").write_bytes(b"MohoSwitch1\n1 r\xe9st\n")
    with pytest.raises(LipsyncError, match="a.dat is not UTF-8 text"):
        read_timing(tmp_path / "a.dat", mall(), 24)
    with pytest.raises(LipsyncError, match="Cannot read"):
        read_timing(tmp_path / "gone.pgo", mall(), 24)


def test_a_pgo_with_several_voices_imports_the_first_that_speaks(tmp_path):
    one = papagayo_pgo(mall(), 24, "mall.wav").splitlines()
    empty = ["\tNobody", "\t", "\t0"]
    text = "\n".join([*one[:4], "2", *empty, *one[5:]]) + "\n"
    back = load(tmp_path, "two.pgo", text)
    assert [w.label for w in back.words] == ["mall", "foo"]
    assert back.warnings[1] == "two.pgo has 2 voices: voice 'Voice 1' was imported"
    assert math.isclose(back.duration, 1.0)
