"""Phones to visemes: the 15 Meta/Oculus visemes, the de-facto interchange set between rigs."""

from __future__ import annotations

from collections.abc import Callable

from .phone_classes import phone_info
from .types import Segment

VISEMES = ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U")


def phone_viseme(phone: str) -> str:
    """Viseme of any phone label (ARPAbet, TIMIT, flite or IPA): its class's, from ``core.phone_classes``."""
    return phone_info(phone).viseme


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
