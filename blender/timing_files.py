"""Import and export of a clip's stored timing as the files outside editors use (Papagayo-NG, Moho, Rhubarb)."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..core.errors import LipsyncError
from ..core.export_formats import FORMATS, ExportFormat, Timed
from ..core.paths import output_file, write_whole
from ..core.timing_edit import checked
from ..core.timing_files import read_timing
from .rebake import clip_of, rebake, stored_timing

EXPORTS = tuple(f for f in FORMATS.values() if not f.needs_preset)
"""The exports of timing alone (the others key a preset first)."""
FRAMED = ("moho", "pgo")
"""Exports that count whole frames."""


def _clip(obj: bpy.types.Object | None) -> str:
    clip = clip_of(obj)
    if not clip:
        raise LipsyncError(f"'{obj.name}' plays no generated clip with stored timing: Generate first.")
    return clip


def import_timing(obj: bpy.types.Object | None, scene: bpy.types.Scene, path: str) -> str:
    """Replace the timing of the clip ``obj``'s character plays with the file's and rebake; the summary line.
    A bad file raises LipsyncError before anything changes."""
    clip = _clip(obj)
    alignment, _ = stored_timing(clip)
    fps = scene.render.fps / scene.render.fps_base
    timing = read_timing(Path(bpy.path.abspath(path)), alignment, fps)
    return rebake(obj, scene, clip, timing)


def export_format(path: str | Path) -> ExportFormat:
    """The timing export a file name asks for, by its ending (the longest that matches: ``.rhubarb.json``)."""
    name = Path(path).name.lower()
    found = [f for f in EXPORTS if name.endswith(f.extension)]
    if not found:
        raise LipsyncError(f"Cannot tell the format of {Path(path).name}: end the file name in "
                           f"{', '.join(f.extension for f in EXPORTS)}.")
    return max(found, key=lambda f: len(f.extension))


def export_timing(obj: bpy.types.Object | None, scene: bpy.types.Scene, path: str) -> str:
    """Write the stored (edited) timing of the clip ``obj``'s character plays to ``path``, in the format its
    name ends with, at the scene's frame rate; the line to show. The path is checked first (never the audio)."""
    clip = _clip(obj)
    alignment, request = stored_timing(clip)
    audio = bpy.path.abspath(request.audio_path)
    out = output_file(bpy.path.abspath(path), [audio], "the timing")
    kind = export_format(out)
    fps = scene.render.fps / scene.render.fps_base
    if kind.name in FRAMED and fps != round(fps):
        raise LipsyncError(f"A {kind.name} file counts whole frames, and the scene runs at {fps:.3f} fps: set a "
                           "whole frame rate (Output Properties) to export it.")
    write_whole(out, kind.write(Timed(alignment=checked(alignment), plan=None, sound_file=str(Path(audio).resolve()),
                                      fps=round(fps))))
    return f"{clip}: timing written to {out} ({kind.name}, {len(alignment.words)} words)"
