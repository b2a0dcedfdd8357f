"""Run the add-on on a .blend outside the UI (``lipsync generate``, ``lipsync preset``): open, act, save."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..core.errors import LipsyncError
from ..core.presets import RigInfo
from .generate import Request


def _ensure_registered() -> None:
    if not hasattr(bpy.types, "LIPSYNC_OT_generate"):
        from .. import registration

        registration.register()


def open_object(blend: str, object_name: str) -> bpy.types.Object:
    """Open ``blend`` and return its object ``object_name`` (made active)."""
    if not Path(blend).is_file():
        raise LipsyncError(f"Blend file not found: {blend}.")
    try:
        bpy.ops.wm.open_mainfile(filepath=str(Path(blend).resolve()))
    except RuntimeError as exc:
        raise LipsyncError(f"Cannot open {blend}: {str(exc).strip()}") from None
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
                                 transcript=request.transcript or "", language=request.language,
                                 preset=request.preset, start_frame=request.start_frame, nla=request.nla,
                                 intensity=request.intensity, emotion=request.emotion,
                                 emotion_intensity=request.emotion_intensity, **request.timing)
    except RuntimeError:
        raise LipsyncError(scene.lipsync.last_result.removeprefix("Error: ")) from None
    Path(save).parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(Path(save).resolve()))
    return scene.lipsync.last_result, scene.lipsync.detection
