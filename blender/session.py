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
from ..core.transcripts import Words, find_words
from .generate import Request, Result, generate
from .sources import line_source


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


def _gltf(path: str) -> None:
    # Shape-key animation becomes glTF morph-target weights (the targets keep the shape keys' names).
    bpy.ops.export_scene.gltf(filepath=path, export_format="GLB", export_animations=True, export_morph=True,
                              export_morph_animation=True)


def _fbx(path: str) -> None:
    bpy.ops.export_scene.fbx(filepath=path, bake_anim=True, bake_anim_use_all_actions=False)


def _usd(path: str) -> None:
    bpy.ops.wm.usd_export(filepath=path, export_animation=True, export_shapekeys=True)


EXPORTERS = {".glb": _gltf, ".fbx": _fbx, ".usd": _usd, ".usdc": _usd, ".usda": _usd}
"""Engine formats ``lipsync generate --save`` writes through Blender's own exporters, by file extension."""


def check_save_path(path: str) -> None:
    """Refuse, before any work, a ``--save`` that is neither a .blend nor an engine format."""
    suffix = Path(path).suffix.lower()
    if suffix != ".blend" and suffix not in EXPORTERS:
        raise LipsyncError(f"Cannot save as '{suffix or path}': use .blend, or for other tools "
                           f"{', '.join(EXPORTERS)}.")


def save_as(path: str) -> None:
    """Save the open file as a .blend, or export the scene with its animation (through a temporary file, then a
    rename: never half written)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".blend":
        save_blend(path)
        return
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.stem}.tmp{suffix}")
    try:
        with _quiet_blender():
            EXPORTERS[suffix](str(tmp))
    except RuntimeError as exc:
        tmp.unlink(missing_ok=True)
        raise LipsyncError(f"Blender could not export {out.name}: {str(exc).strip()}") from None
    tmp.replace(out)


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


def generate_in_file(blend: str, object_name: str, request: Request, save: str, sound_strip: str = "",
                     given: str | None = None, given_origin: str = "") -> tuple[Result, Words]:
    """Key ``object_name`` of ``blend`` as ``request`` asks and save to ``save`` (a .blend or an engine format of
    ``EXPORTERS``; nothing is saved on an error).

    The line's source is resolved as the panel does: the sound strip ``sound_strip`` (its file and start frame)
    or ``request.audio_path``; the transcript ``given`` (from ``given_origin``), else the audio's ``.txt``, else
    audio-only. Returns the result and the words used, with where they came from."""
    check_save_path(save)
    obj = open_object(blend, object_name)
    scene = bpy.context.scene
    source = line_source(scene, request.audio_path, sound_strip, request.start_frame)
    audio = str(Path(bpy.path.abspath(source.audio)).resolve())
    words = find_words(audio, given, given_origin)
    request = replace(request, audio_path=audio, start_frame=source.start_frame, transcript=words.text,
                      add_sound_strip=request.add_sound_strip and not source.from_strip)
    result = generate(obj, scene, request)
    save_as(save)
    return result, words
