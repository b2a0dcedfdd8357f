"""Animation settings: pacing, smoothing, intensity and key reduction, with defaults an animator would keep."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

CONTACT = {"PP": 0.95, "FF": 0.9}
"""Visemes that must read, and the share of their pose they reach for at least one frame (M/B/P close, F/V touch)."""


@dataclass(frozen=True)
class AnimationSettings:
    fps: float = 24.0
    start_frame: int = 1
    intensity: float = 1.0
    """Scales every viseme but the contacts (a closure at half strength is not a closure)."""
    viseme_intensity: dict[str, float] = field(default_factory=dict)
    """Per-viseme scale on top of ``intensity`` and the preset's own."""
    blend_time: float = 0.035
    """Seconds over which a viseme's influence fades out into the next one (carry-over)."""
    anticipation: float = 0.06
    """Seconds over which the lips start forming a viseme before its sound."""
    min_hold: int = 1
    """Frames a viseme (or a 2D mouth drawing) is held at least; shorter ones are dropped (contacts never)."""
    max_rate: float = 20.0
    """Visemes per second the mouth can articulate; faster minor ones are dropped instead of flapping."""
    jaw_balance: float = 0.5
    """0: the jaw follows the visemes only; 1: its opening is scaled fully by the audio's loudness (JALI)."""
    jaw_rate: float = 4.0
    """Hz: the jaw's opening is low-passed to the syllable rate a jaw follows (audiovisual speech is modulated at
    2-7 Hz, Chandrasekaran et al. 2009), so it opens once per syllable rather than on every phone; it still
    closes with the lips on M/B/P and F/V. 0: off."""
    stepped: bool = False
    """Constant interpolation (2D, anime-style); 2D sprite channels are always stepped."""
    reduce_keys: bool = True
    key_tolerance: float = 0.02
    """Largest distance between the curve Blender plays through the reduced keys and the per-frame curve: in
    shape-key weight, or as a share of the curve's range for bone channels."""


PRESET_SETTINGS = tuple(f.name for f in fields(AnimationSettings) if f.name not in ("fps", "start_frame"))
"""Settings a preset's ``[animation]`` table may give defaults for."""
TIMING = ("min_hold", "blend_time", "anticipation", "max_rate", "jaw_balance", "jaw_rate", "stepped", "reduce_keys",
          "key_tolerance")
"""Settings the panel, operator and CLI let the user override (else the preset's defaults apply)."""
