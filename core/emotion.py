"""Emotion layers: an emotion's shapes on top of the visemes, with an intensity that varies over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import LipsyncError
from .presets import EMOTIONS
from .validate import EMOTION_INTENSITY, POINT_TIME

SOURCES = ("loudness", "pitch")


@dataclass(frozen=True)
class EmotionLayer:
    name: str
    """One of ``EMOTIONS``."""
    intensity: float | tuple[tuple[float, float], ...] | str = 1.0
    """A constant, a curve as (seconds, value) points (linear between them, held outside), or ``loudness`` /
    ``pitch`` to follow the audio."""

    def __post_init__(self):
        if self.name not in EMOTIONS:
            raise LipsyncError(f"Unknown emotion '{self.name}'. Use one of {', '.join(EMOTIONS)}.")
        if isinstance(self.intensity, str) and self.intensity not in SOURCES:
            raise LipsyncError(f"Emotion intensity '{self.intensity}' must be a number, points or "
                               f"{' or '.join(SOURCES)}.")


def emotion_curve(layer: EmotionLayer, times: np.ndarray, envelopes: dict[str, np.ndarray]) -> np.ndarray:
    """The layer's intensity on each frame, in [0, 1]; ``envelopes`` holds the audio's ``loudness``/``pitch``."""
    value = layer.intensity
    if isinstance(value, str):
        if value not in envelopes:
            raise LipsyncError(f"Emotion intensity follows the audio's {value}, but no audio was given.")
        curve = envelopes[value]
    elif isinstance(value, tuple):
        points = sorted(value)
        curve = np.interp(times, [p[0] for p in points], [p[1] for p in points])
    else:
        curve = np.full(len(times), float(value))
    return np.clip(curve, 0.0, 1.0)


def parse_intensity(text: str) -> float | tuple[tuple[float, float], ...] | str:
    """``0.6``, ``loudness``, ``pitch`` or points ``0:0,1.5:1,3:0.2`` (seconds:value), as typed in the UI or CLI."""
    text = text.strip()
    if text in SOURCES:
        return text
    try:
        if ":" in text:
            return tuple((POINT_TIME.check("a point's seconds", float(t)),
                          EMOTION_INTENSITY.check("emotion intensity", float(v)))
                         for t, v in (p.split(":") for p in text.split(",") if p.strip()))
        return EMOTION_INTENSITY.check("emotion intensity", float(text))
    except LipsyncError as exc:
        raise LipsyncError(f"{exc}; give a number, loudness, pitch or points like 0:0,1.5:1 (seconds:value).") \
            from None
    except ValueError:
        raise LipsyncError(f"Emotion intensity '{text}' must be a number, loudness, pitch or points "
                           "like 0:0,1.5:1 (seconds:value).") from None
