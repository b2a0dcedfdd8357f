"""Run the operator on a .blend outside the UI (``lipsync generate``): open, key, save."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..core.errors import LipsyncError


def _ensure_registered() -> None:
    if not hasattr(bpy.types, "LIPSYNC_OT_generate"):
        from .. import registration

        registration.register()


def generate_in_file(blend: str, object_name: str, audio: str, transcript: str | None, language: str,
                     preset: str, start_frame: int, save: str) -> str:
    """Key ``object_name`` of ``blend`` through ``lipsync.generate`` and save to ``save``; returns the summary."""
    if not Path(blend).is_file():
        raise LipsyncError(f"Blend file not found: {blend}.")
    try:
        bpy.ops.wm.open_mainfile(filepath=str(Path(blend).resolve()))
    except RuntimeError as exc:
        raise LipsyncError(f"Cannot open {blend}: {str(exc).strip()}") from None
    _ensure_registered()
    obj = bpy.data.objects.get(object_name)
    view_layer = bpy.context.view_layer
    if obj is None or obj.name not in view_layer.objects:
        names = ", ".join(o.name for o in view_layer.objects)
        raise LipsyncError(f"No object '{object_name}' in {Path(blend).name}. Objects: {names}.")
    view_layer.objects.active = obj
    scene = bpy.context.scene
    try:
        bpy.ops.lipsync.generate(audio_path=str(Path(audio).resolve()), transcript=transcript or "",
                                 language=language, preset=preset, start_frame=start_frame)
    except RuntimeError:
        raise LipsyncError(scene.lipsync.last_result.removeprefix("Error: ")) from None
    Path(save).parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(Path(save).resolve()))
    return scene.lipsync.last_result
