"""Editing a clip's stored timing: moved words and phonemes, and bad edits refused with one clear line."""

import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.timing_edit import apply_moves, checked, move_phoneme, move_word
from lipsync_ai.core.types import Alignment, Segment


def alignment():
    """ "Hi Bob": SIL HH AY SIL B AA B SIL."""
    phones = [("SIL", 0.0, 0.2), ("HH", 0.2, 0.3), ("AY", 0.3, 0.5), ("SIL", 0.5, 0.7), ("B", 0.7, 0.8),
              ("AA", 0.8, 1.0), ("B", 1.0, 1.1), ("SIL", 1.1, 1.5)]
    words = [Segment("Hi", 0.2, 0.5), Segment("Bob", 0.7, 1.1)]
    return Alignment(1.5, "en-us", words, [Segment(*p) for p in phones])


def covers(a):
    ends = [p.end for p in a.phonemes]
    starts = [p.start for p in a.phonemes]
    joined = all(e == pytest.approx(s) for e, s in zip(ends[:-1], starts[1:], strict=True))
    return starts[0] == 0 and ends[-1] == a.duration and joined


def test_moving_a_word_moves_its_phonemes_and_the_pauses_around_it_give_way():
    moved = move_word(alignment(), 1, 0.6)
    assert moved.words[1].start == pytest.approx(0.6) and moved.words[1].end == pytest.approx(1.0)
    b = [p for p in moved.phonemes if p.label == "B"]
    assert b[0].start == pytest.approx(0.6) and b[1].end == pytest.approx(1.0)
    assert moved.phonemes[3].end == pytest.approx(0.6) and moved.phonemes[-1].start == pytest.approx(1.0)
    assert covers(moved)


def test_moving_a_phoneme_moves_its_boundary_and_the_words_edge():
    moved = move_phoneme(alignment(), 4, 0.65)
    assert moved.phonemes[3].end == moved.phonemes[4].start == pytest.approx(0.65)
    assert moved.words[1].start == pytest.approx(0.65) and covers(moved)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda a: move_word(a, 1, 0.3), "overlap its neighbours: keep its start between 0.500 s and 1.100 s"),
    (lambda a: move_word(a, 0, -0.3), "keep its start between 0.000 s and"),
    (lambda a: move_word(a, 1, 1.45), "keep its start between 0.500 s and 1.100 s"),
    (lambda a: move_phoneme(a, 5, 1.05), "keep it between 0.700 s and 1.000 s"),
    (lambda a: move_phoneme(a, 5, 0.65), "overlap its neighbours"),
])
def test_bad_edits_say_what_to_do(edit, message):
    with pytest.raises(LipsyncError, match=message):
        edit(alignment())


def test_neighbours_moved_together_do_not_collide_and_gaps_become_silence():
    moved = apply_moves(alignment(), "WORDS", [(0, 0.35), (1, 0.85)])
    assert [w.start for w in moved.words] == [pytest.approx(0.35), pytest.approx(0.85)]
    phones = apply_moves(alignment(), "PHONEMES", [(0, 0.25), (1, 0.35)])
    assert phones.phonemes[1].start == pytest.approx(0.25) and phones.phonemes[2].start == pytest.approx(0.35)
    gap = alignment()
    del gap.phonemes[3]
    filled = checked(gap)
    assert filled.phonemes[3] == Segment("SIL", 0.5, 0.7) and covers(filled)
