"""Numbers and names from users (CLI, manifest, preset files, the server, the panel), checked in one place: finite,
in range, and a message that gives the range."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import LipsyncError

MAXFRAME = 1048574
"""Blender's last frame (and -MAXFRAME its first): keys beyond it cannot be written."""


@dataclass(frozen=True)
class Range:
    """A closed range of whole (``whole``) or real numbers."""

    low: float
    high: float
    whole: bool = False

    def __str__(self) -> str:
        if self.whole:
            return f"{int(self.low)}..{int(self.high)}"
        return f"{self.low:g}..{self.high:g}"

    def check(self, name: str, value) -> float | int:
        """``value`` as a number in range; anything else (NaN, inf, a bool, a string) raises LipsyncError."""
        kind = "a whole number" if self.whole else "a number"
        ok = isinstance(value, int) or (not self.whole and isinstance(value, float))
        if isinstance(value, bool) or not ok or not math.isfinite(value) or not self.low <= value <= self.high:
            raise LipsyncError(f"{name} must be {kind} in {self}, not {value!r}")
        return int(value) if self.whole else float(value)

    def parse(self, name: str, text: str) -> float | int:
        """``text`` (from a command line or a CSV cell) as a number in range."""
        try:
            value = int(text) if self.whole else float(text)
        except ValueError:
            value = text
        return self.check(name, value)

    def arg(self, name: str) -> Callable[[str], float | int]:
        """An argparse ``type=``: the parsed number, or the usage error that gives the range."""

        def parse(text: str) -> float | int:
            try:
                return self.parse(name, text)
            except LipsyncError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None

        parse.__name__ = name  # argparse names the type in its message
        return parse


SETTINGS = {
    "intensity": Range(0.0, 2.0),
    "min_hold": Range(1, 12, whole=True),
    "blend_time": Range(0.005, 0.5),
    "anticipation": Range(0.005, 0.5),
    "max_rate": Range(2.0, 60.0),
    "jaw_balance": Range(0.0, 1.0),
    "jaw_rate": Range(0.0, 30.0),
    "key_tolerance": Range(0.0, 0.2),
    "viseme_intensity": Range(0.0, 2.0),
}
"""Animation settings a user may give (CLI, panel, manifest, a preset's ``[animation]``), as the panel bounds them."""

START_FRAME = Range(-MAXFRAME, MAXFRAME, whole=True)
FPS = Range(1, 240, whole=True)
JOBS = Range(1, 256, whole=True)
PORT = Range(0, 65535, whole=True)
CONNECTIONS = Range(1, 1024, whole=True)
SAMPLE_RATE = Range(4000, 384000, whole=True)
"""Sample rates an audio file or a live stream may have; a header outside this is corrupt or a trick."""
MAX_ANGLE = Range(-180.0, 180.0)
"""A jaw bone's opening in degrees (negative where the rig's axis points the other way)."""
OFFSET = Range(-1000.0, 1000.0)
"""A bone offset's location (metres) or rotation (radians) component."""

MAX_DURATION = 3 * 3600.0
"""Longest clip, in seconds (3 hours), read from the header before any decoding."""
EMOTION_INTENSITY = Range(0.0, 1.0)
POINT_TIME = Range(0.0, MAX_DURATION)
"""Seconds of a point of an emotion-intensity curve."""


def check_frames(start: int, seconds: float, fps: float) -> None:
    """A clip of ``seconds`` from frame ``start`` must end within Blender's frame range."""
    START_FRAME.check("start frame", start)
    end = start + math.ceil(seconds * fps)
    if end > MAXFRAME:
        raise LipsyncError(f"the clip would end at frame {end}, beyond Blender's last frame {MAXFRAME}; "
                           f"start it at frame {MAXFRAME - math.ceil(seconds * fps)} or earlier")


def check_settings(values: Mapping[str, object]) -> None:
    """Every numeric animation setting in ``values`` (booleans and unknown names are left alone)."""
    for name, value in values.items():
        if name in SETTINGS and not isinstance(value, bool | dict):
            SETTINGS[name].check(name.replace("_", " "), value)


ID = re.compile(r"[a-z0-9_-]{1,64}")
"""Preset ids: names, never paths."""


def check_id(preset_id: object, what: str = "preset") -> str:
    if not isinstance(preset_id, str) or not ID.fullmatch(preset_id):
        shown = repr(preset_id)[:70]
        raise LipsyncError(f"{what} id {shown} is not an id: use 1 to 64 of a-z, 0-9, _ and -")
    return preset_id
