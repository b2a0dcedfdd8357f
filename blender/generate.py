"""The one generation path behind the operator and ``lipsync generate``: context in, keyframes out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import bpy

from ..core.animation import AnimationSettings, plan_keyframes
from ..core.presets import bind, load_preset
from ..core.visemes import viseme_track
from ..inference.engine import align_file
from .rig import find_character
from .writer import write_plan


@dataclass(frozen=True)
class Request:
    audio_path: str
    transcript: str | None
    """None is audio-only mode."""
    language: str
    preset: str
    start_frame: int


def generate(obj: bpy.types.Object | None, scene: bpy.types.Scene, request: Request) -> str:
    """Key lip sync for the character of ``obj``; returns a one-line summary. Raises LipsyncError."""
    started = time.perf_counter()
    character = find_character(obj)
    binding = bind(load_preset(request.preset), character.rig_info())
    audio_path = bpy.path.abspath(request.audio_path)
    alignment = align_file(audio_path, request.transcript, request.language)
    settings = AnimationSettings(fps=scene.render.fps / scene.render.fps_base, start_frame=request.start_frame)
    plan = plan_keyframes(viseme_track(alignment.phonemes), alignment.duration, binding, settings)
    action = write_plan(plan, character, Path(audio_path).stem)
    phones = sum(1 for p in alignment.phonemes if p.label != "SIL")
    summary = (
        f"{action.name}: {len(alignment.words)} words, {phones} phonemes, {alignment.duration:.1f} s, "
        f"frames {plan.frame_start}-{plan.frame_end}, preset {binding.preset.id}, "
        f"{time.perf_counter() - started:.1f} s"
    )
    if binding.missing:
        summary += f"; not on this rig: {', '.join(binding.missing)}"
    return "; ".join([summary, *alignment.warnings])
