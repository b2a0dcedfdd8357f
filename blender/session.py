"""Run the engine on a .blend outside the UI (``lipsync generate``, ``batch``, ``preset``): open, act, save."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import replace
from pathlib import Path

import bpy

from ..core.errors import LipsyncError
from ..core.interrupts import deferred_interrupts
from ..core.presets import RigInfo
from .generate import Request, Result, generate


@contextlib.contextmanager
def _quiet_blender():
    """Blender reports reading and saving files on stdout: keep stdout for the command's own output."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def open_blend(blend: str) -> None:
    if not Path(blend).is_file():
        raise LipsyncError(f"Blend file not found: {blend}.")
    try:
        with deferred_interrupts(), _quiet_blender():
            bpy.ops.wm.open_mainfile(filepath=str(Path(blend).resolve()))
    except RuntimeError as exc:
        raise LipsyncError(f"Cannot open {blend}: {str(exc).strip()}") from None


def save_blend(path: str) -> None:
    """Save the open file as ``path`` (Blender writes a temporary file and renames it: never half written)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _quiet_blender():
        bpy.ops.wm.save_as_mainfile(filepath=str(Path(path).resolve()))


def open_object(blend: str, object_name: str) -> bpy.types.Object:
    """Open ``blend`` and return its object ``object_name`` (made active)."""
    open_blend(blend)
    obj = bpy.data.objects.get(object_name)
    view_layer = bpy.context.view_layer
    if obj is None or obj.name not in view_layer.objects:
        names = ", ".join(o.name for o in view_layer.objects)
        raise LipsyncError(f"No object '{object_name}' in {Path(blend).name}. Objects: {names}.")
    view_layer.objects.active = obj
    return obj


def rig_info_in_file(blend: str, object_name: str) -> RigInfo:
    """What the character of ``object_name`` offers to a preset."""
    from .rig import find_character

    return find_character(open_object(blend, object_name)).rig_info()


def generate_in_file(blend: str, object_name: str, request: Request, save: str) -> Result:
    """Key ``object_name`` of ``blend`` as ``request`` asks and save to ``save`` (nothing is saved on an error)."""
    obj = open_object(blend, object_name)
    result = generate(obj, bpy.context.scene, replace(request, audio_path=str(Path(request.audio_path).resolve())))
    save_blend(save)
    return result
