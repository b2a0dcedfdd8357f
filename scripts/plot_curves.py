"""Draw the picture of a lip-sync clip keyed in a .blend (``blender.plot``): words and phonemes under the
waveform, the mouth curves coloured by mouth group with their keys, closures shaded, and the jaw.

Usage: python scripts/plot_curves.py RESULT.blend OBJECT AUDIO OUT.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import bpy

from lipsync_ai.blender.generate import resolve_preset
from lipsync_ai.blender.plot import draw_clip
from lipsync_ai.blender.rebake import stored_timing
from lipsync_ai.blender.rig import find_character
from lipsync_ai.blender.timing import REQUEST
from lipsync_ai.blender.writer import TAG


def main(blend: Path, name: str, audio: Path, out: Path) -> None:
    bpy.ops.wm.open_mainfile(filepath=str(blend.resolve()))
    scene = bpy.context.scene
    action = next(a for a in bpy.data.actions if TAG in a and REQUEST in a)
    character = find_character(bpy.data.objects[name])
    timing, request = stored_timing(action[TAG])
    binding, _ = resolve_preset(character, request.preset)
    clip = [a for a in bpy.data.actions if a.get(TAG) == action[TAG]]
    draw_clip(clip, character.own(binding), timing, audio, out, scene.render.fps / scene.render.fps_base)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
