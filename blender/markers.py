"""Timeline markers for a clip's words or phonemes (Papagayo-style), replaced when the clip is generated again."""

from __future__ import annotations

import json

import bpy

from ..core.types import SILENCE, Alignment

KEY = "lipsync_ai_markers"
"""Scene property: JSON of, per clip, the (name, frame) of the markers made for it."""


def place_markers(scene: bpy.types.Scene, clip: str, alignment: Alignment, kind: str, start_frame: int,
                  fps: float) -> int:
    """Markers at each word's (``WORDS``) or phoneme's (``PHONEMES``) start; ``NONE`` only removes old ones."""
    made = json.loads(scene.get(KEY, "{}"))
    old = {(name, frame) for name, frame in made.pop(clip, [])}
    for marker in [m for m in scene.timeline_markers if (m.name, m.frame) in old]:
        scene.timeline_markers.remove(marker)
    spans = {"WORDS": alignment.words, "PHONEMES": alignment.phonemes}.get(kind, [])
    new = [(s.label, start_frame + round(s.start * fps)) for s in spans if s.label != SILENCE]
    for name, frame in new:
        scene.timeline_markers.new(name, frame=frame)
    if new:
        made[clip] = [list(pair) for pair in new]
    scene[KEY] = json.dumps(made)
    return len(new)
