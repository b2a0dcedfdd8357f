"""Every export ``lipsync align`` and ``batch-align`` write, listed once: name, file extension, whether the line is
keyed for a preset first, and the writer. Importing this is light (a writer loads its code when called), so the
command's parser can offer the names; docs/batch.md's table is checked against it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import LipsyncError

if TYPE_CHECKING:
    from .animation import KeyframePlan
    from .types import Alignment


EXTENDED_SHAPES = "GHX"
"""Rhubarb's optional mouth shapes (its ``--extendedShapes``, default all three): G F/V, H long L, X idle."""
MOUTH_NAMES = ("preston", "rhubarb")
"""Names of a Moho file's mouths: Preston Blair's (Papagayo, Moho, OpenToonz) or Rhubarb's letters."""


def extended_shapes(text: str) -> str:
    """Validate ``--extended-shapes``: any of G, H and X, or empty for the six basic shapes only."""
    shapes = text.upper()
    if any(s not in EXTENDED_SHAPES for s in shapes):
        raise LipsyncError(f"--extended-shapes '{text}' may only name G, H and X (e.g. GHX, GX, or '' for none).")
    return "".join(s for s in EXTENDED_SHAPES if s in shapes)


@dataclass(frozen=True, kw_only=True)
class Timed:
    """What a writer is given: the line's alignment, its keyframe plan (None unless the format needs a preset),
    the audio file's path (Rhubarb's ``soundFile``), the frame rate, Rhubarb's extended shapes and the names of a
    Moho file's mouths."""

    alignment: Alignment
    plan: KeyframePlan | None
    sound_file: str
    fps: int
    extended_shapes: str = EXTENDED_SHAPES
    mouth_names: str = MOUTH_NAMES[0]


@dataclass(frozen=True, kw_only=True)
class ExportFormat:
    name: str
    extension: str
    write: Callable[[Timed], str]
    needs_preset: bool = False
    """The line is keyed for ``--preset`` at ``--fps`` first (the writer reads ``Timed.plan``)."""


def _json(timed: Timed) -> str:
    from .result import result_json

    return json.dumps(result_json(timed.alignment), indent=1, ensure_ascii=False)


def _rhubarb_tsv(timed: Timed) -> str:
    from .exports import rhubarb_tsv

    return rhubarb_tsv(timed.alignment, timed.extended_shapes)


def _rhubarb_xml(timed: Timed) -> str:
    from .exports import rhubarb_xml

    return rhubarb_xml(timed.alignment, timed.sound_file, timed.extended_shapes)


def _rhubarb_json(timed: Timed) -> str:
    from .exports import rhubarb_json

    return rhubarb_json(timed.alignment, timed.sound_file, timed.extended_shapes)


def _moho(timed: Timed) -> str:
    from .exports import moho_dat

    return moho_dat(timed.alignment, timed.fps, timed.mouth_names, timed.extended_shapes)


def _pgo(timed: Timed) -> str:
    from .papagayo import papagayo_pgo

    return papagayo_pgo(timed.alignment, timed.fps, timed.sound_file)


def _csv(timed: Timed) -> str:
    from .exports import curves_csv

    return curves_csv(timed.plan, timed.fps)


def _arkit_json(timed: Timed) -> str:
    from .exports import arkit_json

    return arkit_json(timed.plan, timed.fps)


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat(name="json", extension=".json", write=_json),
    ExportFormat(name="rhubarb-tsv", extension=".tsv", write=_rhubarb_tsv),
    ExportFormat(name="rhubarb-xml", extension=".xml", write=_rhubarb_xml),
    ExportFormat(name="rhubarb-json", extension=".rhubarb.json", write=_rhubarb_json),
    ExportFormat(name="moho", extension=".dat", write=_moho),
    ExportFormat(name="pgo", extension=".pgo", write=_pgo),
    ExportFormat(name="csv", extension=".csv", write=_csv, needs_preset=True),
    ExportFormat(name="arkit-json", extension=".arkit.json", write=_arkit_json, needs_preset=True),
)}
"""Format name (``--format``) → its export, in the order the help lists them."""
