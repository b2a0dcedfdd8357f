"""Editable timing: each clip's word and phoneme timing is stored with its Action, and Rebake re-plans the keys
from it (with the markers the animator moved) without running the network again."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import bpy

from ..core.audio import load_audio
from ..core.errors import LipsyncError
from ..core.result import alignment_from_json
from ..core.timing_edit import apply_moves, checked
from ..core.types import SILENCE, Alignment
from ..inference.pipeline import LineResult, plan_line
from .generate import Prepared, Request, apply, line_job
from .markers import adopt_moves, marker_moves
from .rig import find_character
from .timing import REQUEST, TIMING
from .writer import TAG


def clip_of(obj: bpy.types.Object | None) -> str | None:
    """The clip whose Action the character of ``obj`` plays (active first, then its NLA strips), if any."""
    character = find_character(obj)
    owners = [*(m.data.shape_keys for m in character.meshes), character.armature, character.root]
    for data in (o.animation_data for o in owners if o is not None and o.animation_data):
        actions = [data.action, *(s.action for t in data.nla_tracks for s in t.strips)]
        for action in actions:
            if action is not None and TIMING in action:
                return action[TAG]
    return None


def _edited(scene: bpy.types.Scene, clip: str, alignment: Alignment, start_frame: int, fps: float) -> Alignment:
    """The stored timing with the moves of the clip's word or phoneme markers applied, checked."""
    names, moves = marker_moves(scene, clip)
    if moves and names == [w.label for w in alignment.words]:
        kind = "WORDS"
    elif moves and names == [p.label for p in alignment.phonemes if p.label != SILENCE]:
        kind = "PHONEMES"
    else:
        return checked(alignment)
    edited = apply_moves(alignment, kind, [(i, (frame - start_frame) / fps) for i, frame in moves])
    adopt_moves(scene, clip, moves)
    return edited


def stored_timing(clip: str) -> tuple[Alignment, Request]:
    """The timing stored with ``clip``'s Action and what Generate was asked; LipsyncError if there is none or it
    cannot be read."""
    stored = next((a for a in bpy.data.actions if a.get(TAG) == clip and TIMING in a), None)
    if stored is None:
        raise LipsyncError(f"No stored timing for the clip '{clip}': Generate it first (its Action keeps the "
                           "timing Rebake works from).")
    try:
        return (alignment_from_json(json.loads(stored[TIMING])),
                replace(Request(**json.loads(stored[REQUEST])), add_sound_strip=False))
    except (ValueError, KeyError, TypeError) as exc:
        raise LipsyncError(f"The stored timing of '{stored.name}' ({TIMING}) cannot be read: {exc}. Fix it to "
                           "RESULT.json's form, or Generate the clip again.") from None


def rebake(obj: bpy.types.Object | None, scene: bpy.types.Scene, clip: str, timing: Alignment | None = None) -> str:
    """Re-plan ``clip``'s keys from its stored (and edited) timing, or from ``timing`` (checked, e.g. imported)
    which replaces it, and return the summary; on bad timing it raises LipsyncError and the last good Action
    stays."""
    alignment, request = stored_timing(clip)
    if timing is None:
        timing = _edited(scene, clip, alignment, request.start_frame, scene.render.fps / scene.render.fps_base)
    character = find_character(obj)
    job, _ = line_job(character, scene, request)
    audio = load_audio(job.audio_path) if Path(job.audio_path).is_file() else None
    plan = plan_line(job, timing, audio)
    done = apply(Prepared(character=character, job=job, detection=None, request=request),
                 LineResult(timing, plan, True, 0.0), scene)
    gone = f"; {job.audio_path} is gone, so the jaw follows the visemes only (not the loudness)"
    return done.summary + (gone if audio is None else "")
