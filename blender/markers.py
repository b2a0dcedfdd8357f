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



def marker_moves(scene: bpy.types.Scene, clip: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The names of the markers made for ``clip``, in order, and (position, frame) of those the animator moved.

    A moved marker is matched by name to the one made for it: the nearest one of that name not made by a run.
    """
    placed = [tuple(pair) for pair in json.loads(scene.get(KEY, "{}")).get(clip, [])]
    unclaimed = [(m.name, m.frame) for m in scene.timeline_markers]
    moved = []
    for position, pair in enumerate(placed):
        if pair in unclaimed:
            unclaimed.remove(pair)
        else:
            moved.append(position)
    moves = []
    for position in moved:
        name, frame = placed[position]
        candidates = [m for m in unclaimed if m[0] == name and m not in placed]
        if candidates:
            found = min(candidates, key=lambda m: abs(m[1] - frame))
            unclaimed.remove(found)
            moves.append((position, found[1]))
    return [name for name, _ in placed], moves


def adopt_moves(scene: bpy.types.Scene, clip: str, moves: list[tuple[int, int]]) -> None:
    """Record the moved markers at their new frames, so the next placement replaces them like the others."""
    made = json.loads(scene.get(KEY, "{}"))
    for position, frame in moves:
        made[clip][position][1] = frame
    scene[KEY] = json.dumps(made)
