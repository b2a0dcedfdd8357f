"""Editing a clip's stored timing (words and phonemes), checked before anything is re-planned from it."""

from __future__ import annotations

from dataclasses import replace

from .errors import LipsyncError
from .types import SILENCE, Alignment, Segment

EPS = 1e-6


def checked(alignment: Alignment) -> Alignment:
    """The alignment if its timing can be planned: phonemes in order, each with a length, inside the clip (a gap
    between two is filled with silence); words in order. Raises LipsyncError naming the first bad span."""
    phonemes: list[Segment] = []
    end = 0.0
    for p in alignment.phonemes:
        if p.end <= p.start + EPS:
            raise LipsyncError(f"Phoneme '{p.label}' at {p.start:.3f} s runs backwards (it ends at {p.end:.3f} s). "
                               "Move it back after its start.")
        if p.start < end - EPS:
            raise LipsyncError(f"Phoneme '{p.label}' at {p.start:.3f} s overlaps the one before it, which ends at "
                               f"{end:.3f} s. Move one of them.")
        if p.start > end + EPS:
            phonemes.append(Segment(SILENCE, end, p.start))
        phonemes.append(p)
        end = p.end
    if end > alignment.duration + EPS:
        raise LipsyncError(f"The timing runs to {end:.3f} s, past the end of the clip ({alignment.duration:.3f} s). "
                           "Move the last phonemes back.")
    if end < alignment.duration - EPS:
        phonemes.append(Segment(SILENCE, end, alignment.duration))
    for before, word in zip([None, *alignment.words], alignment.words, strict=False):
        if word.end <= word.start + EPS:
            raise LipsyncError(f"Word '{word.label}' at {word.start:.3f} s runs backwards. Move it back.")
        if before is not None and word.start < before.end - EPS:
            raise LipsyncError(f"Word '{word.label}' at {word.start:.3f} s overlaps '{before.label}', which ends at "
                               f"{before.end:.3f} s. Move one of them.")
    return replace(alignment, phonemes=phonemes)


def move_word(alignment: Alignment, index: int, start: float) -> Alignment:
    """Word ``index`` and its phonemes moved to begin at ``start``; the phonemes around it stretch or shrink."""
    word = alignment.words[index]
    delta = start - word.start
    phonemes = list(alignment.phonemes)
    inside = [i for i, p in enumerate(phonemes) if p.start >= word.start - EPS and p.end <= word.end + EPS]
    # The phonemes just before and after the word must keep some length; with none, the clip's ends bound it.
    before = inside[0] - 1 if inside and inside[0] > 0 else None
    after = inside[-1] + 1 if inside and inside[-1] + 1 < len(phonemes) else None
    low = phonemes[before].start + EPS if before is not None else -EPS
    high = (phonemes[after].end - EPS if after is not None else alignment.duration + EPS) - (word.end - word.start)
    if not low < start < high:
        raise LipsyncError(f"Word '{word.label}' moved to {start:.3f} s would overlap its neighbours: keep its start "
                           f"between {low:.3f} s and {high:.3f} s.")
    for i in inside:
        phonemes[i] = Segment(phonemes[i].label, phonemes[i].start + delta, phonemes[i].end + delta)
    if inside and inside[0] > 0:
        p = phonemes[inside[0] - 1]
        phonemes[inside[0] - 1] = Segment(p.label, p.start, p.end + delta)
    if inside and inside[-1] + 1 < len(phonemes):
        p = phonemes[inside[-1] + 1]
        phonemes[inside[-1] + 1] = Segment(p.label, p.start + delta, p.end)
    words = list(alignment.words)
    words[index] = Segment(word.label, word.start + delta, word.end + delta)
    return checked(replace(alignment, words=words, phonemes=phonemes))


def move_phoneme(alignment: Alignment, index: int, start: float) -> Alignment:
    """Phoneme ``index`` made to begin at ``start``: the boundary with the one before moves (and a word's edge
    with it)."""
    phonemes = list(alignment.phonemes)
    p = phonemes[index]
    if index == 0 or not phonemes[index - 1].start + EPS < start < p.end - EPS:
        low = phonemes[index - 1].start if index else 0.0
        raise LipsyncError(f"Phoneme '{p.label}' moved to {start:.3f} s would overlap its neighbours: keep it "
                           f"between {low:.3f} s and {p.end:.3f} s.")
    before = phonemes[index - 1]
    phonemes[index - 1] = Segment(before.label, before.start, start)
    phonemes[index] = Segment(p.label, start, p.end)
    words = [Segment(w.label, start if abs(w.start - p.start) < EPS else w.start,
                     start if abs(w.end - p.start) < EPS else w.end) for w in alignment.words]
    return checked(replace(alignment, words=words, phonemes=phonemes))


def apply_moves(alignment: Alignment, kind: str, moves: list[tuple[int, float]]) -> Alignment:
    """``moves`` (a word's or a non-silent phoneme's position among them, its new start) applied in an order
    that lets neighbours move together: the latest first when moving later, the earliest first when earlier."""
    if kind == "WORDS":
        targets, move = list(range(len(alignment.words))), move_word
        starts = [w.start for w in alignment.words]
    else:
        targets = [i for i, p in enumerate(alignment.phonemes) if p.label != SILENCE]
        move, starts = move_phoneme, [alignment.phonemes[i].start for i in targets]
    later = sorted((m for m in moves if m[1] > starts[m[0]]), reverse=True)
    earlier = sorted(m for m in moves if m[1] <= starts[m[0]])
    for position, start in [*later, *earlier]:
        alignment = move(alignment, targets[position], start)
    return alignment
