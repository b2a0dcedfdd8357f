"""Run the add-on on a .blend outside the UI (``lipsync generate``, ``lipsync preset``): open, act, save."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from pathlib import Path

import bpy

from ..core.errors import LipsyncError
from ..core.presets import RigInfo
from .generate import Request


def _ensure_registered() -> None:
    """Register the add-on for this process, and unregister it at exit (the bpy 4.2 module crashes on exit with
    panels still registered)."""
    if not hasattr(bpy.types, "LIPSYNC_OT_generate"):
        from .. import registration

        registration.register()
        atexit.register(registration.unregister)


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
        with _quiet_blender():
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


def generate_in_file(blend: str, object_name: str, request: Request, save: str) -> tuple[str, str]:
    """Key ``object_name`` of ``blend`` through ``lipsync.generate`` and save to ``save``.

    Returns the summary and the auto-detection's explanation ("" for a named preset).
    """
    open_object(blend, object_name)
    _ensure_registered()
    scene = bpy.context.scene
    try:
        bpy.ops.lipsync.generate(audio_path=str(Path(request.audio_path).resolve()),
                                 transcript=request.transcript or "", audio_only=request.transcript is None,
                                 language=request.language,
                                 preset=request.preset, start_frame=request.start_frame, nla=request.nla,
                                 intensity=request.intensity, emotion=request.emotion,
                                 emotion_intensity=request.emotion_intensity, **request.timing)
    except RuntimeError:
        raise LipsyncError(scene.lipsync.last_result.removeprefix("Error: ")) from None
    save_blend(save)
    return scene.lipsync.last_result, scene.lipsync.detection
