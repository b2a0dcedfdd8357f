"""The stable RESULT.json schema written by ``lipsync align`` (documented in README.md)."""

from __future__ import annotations

from .types import Alignment, Segment
from .visemes import viseme_track


def _spans(segments: list[Segment], key: str) -> list[dict]:
    return [{key: s.label, "start": round(s.start, 4), "end": round(s.end, 4)}
            | ({} if s.confidence is None else {"confidence": round(s.confidence, 3)}) for s in segments]


def result_json(alignment: Alignment) -> dict:
    return {
        "duration": round(alignment.duration, 4),
        "language": alignment.language,
        "recogniser": alignment.recogniser,
        "words": _spans(alignment.words, "word"),
        "phonemes": _spans(alignment.phonemes, "phone"),
        "visemes": _spans(viseme_track(alignment.phonemes), "viseme"),
        "warnings": list(alignment.warnings),
    }


def alignment_from_json(data: dict) -> Alignment:
    """The Alignment ``result_json`` wrote (its visemes are derived, so they are not read back)."""

    def segments(key: str, label: str) -> list[Segment]:
        return [Segment(s[label], s["start"], s["end"], s.get("confidence")) for s in data[key]]

    return Alignment(data["duration"], data["language"], segments("words", "word"), segments("phonemes", "phone"),
                     list(data["warnings"]), data.get("recogniser"))
