"""Plot the lip-sync curves keyed in a .blend over the clip's waveform.

Usage: python scripts/plot_curves.py RESULT.blend AUDIO OUT.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import bpy
import matplotlib
import numpy as np

from lipsync_ai.blender.writer import TAG, action_fcurves
from lipsync_ai.core.audio import load_audio

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(blend: Path, audio_path: Path, out: Path) -> None:
    bpy.ops.wm.open_mainfile(filepath=str(blend.resolve()))
    fps = bpy.context.scene.render.fps / bpy.context.scene.render.fps_base
    action = next(a for a in bpy.data.actions if TAG in a)
    start = action.frame_range[0]
    audio = load_audio(audio_path)
    fig, (wave_ax, shape_ax, jaw_ax) = plt.subplots(3, 1, figsize=(14, 8), sharex=True,
                                                     gridspec_kw={"height_ratios": [1, 3, 1]})
    wave_ax.plot(np.arange(len(audio.samples)) / audio.sample_rate, audio.samples, lw=0.4, color="0.3")
    wave_ax.set_ylabel("audio")
    wave_ax.set_title(f"{action.name}: lip-sync curves")
    colors = plt.get_cmap("tab20")
    shapes = [fc for fc in action_fcurves(action) if fc.data_path.startswith("key_blocks")]
    for i, fc in enumerate(shapes):
        co = np.array([k.co for k in fc.keyframe_points])
        t = (co[:, 0] - start) / fps
        shape_ax.plot(t, co[:, 1], lw=1.2, color=colors(i % 20), label=fc.data_path.split('"')[1])
    shape_ax.set_ylabel("shape-key weight")
    shape_ax.legend(ncol=7, fontsize=7, loc="upper right")
    for fc in action_fcurves(action):
        if fc.data_path.startswith("pose.bones"):
            co = np.array([k.co for k in fc.keyframe_points])
            jaw_ax.plot((co[:, 0] - start) / fps, np.degrees(co[:, 1]), color="tab:red")
    jaw_ax.set_ylabel("jaw (deg)")
    jaw_ax.set_xlabel("seconds")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)


if __name__ == "__main__":
    plot(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
