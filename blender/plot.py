"""The picture of a lip-sync clip in the open .blend: its Action's curves as Blender plays them and the words
and phonemes of its stored timing (``core.plot`` draws it)."""

from __future__ import annotations

import re
from pathlib import Path

import bpy
import numpy as np

from ..core.audio import load_audio
from ..core.errors import LipsyncError
from ..core.paths import record_export
from ..core.plot import JAW, PlotCurve, channel_groups, draw
from ..core.presets import RigBinding
from ..core.types import Alignment
from .batch import BatchRun
from .writer import TAG, action_fcurves

_QUOTED = re.compile(r'\["(.+?)"\]')


def _curve(fc: bpy.types.FCurve, frames: np.ndarray, start: float, fps: float, groups: dict[str, str],
           jaw_bone: str | None) -> PlotCurve | None:
    """One F-curve for the picture: shape keys as weights, the jaw bone's angle in degrees, other bone channels
    as a share of their largest offset; None for a curve that never moves, the jaw's other rotation components and
    a quaternion's w."""
    name = _QUOTED.search(fc.data_path).group(1)
    keys = np.array([k.co for k in fc.keyframe_points]).reshape(-1, 2)
    values = np.array([fc.evaluate(f) for f in frames])
    if np.ptp(values) == 0:
        return None  # keyed but still: left out, as the key rates leave it out
    key_values = keys[:, 1]
    prop = fc.data_path.rsplit(".", 1)[-1]
    label, panel = name, "shape-key weight"
    if fc.data_path.startswith("pose.bones"):
        label = f"{name} {prop.replace('rotation_', '')}[{fc.array_index}]"
        angle = prop == "rotation_euler" or (prop != "location" and fc.array_index == 0)
        if name == jaw_bone and angle:
            if prop == "rotation_quaternion":
                values, key_values = (2 * np.arccos(np.clip(np.abs(v), 0, 1)) for v in (values, key_values))
            values, key_values, label, panel = np.degrees(values), np.degrees(key_values), name, "jaw (degrees)"
        elif (name == jaw_bone and prop != "location") or (prop == "rotation_quaternion" and fc.array_index == 0):
            return None  # a rotation's other components, or a quaternion's w (near 1 for the small turns of lips)
        else:
            scale = float(np.abs(values).max()) or 1.0
            values, key_values, panel = values / scale, key_values / scale, "bone offset (share of its largest)"
    group = groups.get(name, JAW if name == jaw_bone else "open")
    if group == JAW and panel == "shape-key weight":
        panel = f"jaw ({name} weight)"
    return PlotCurve(label=label, group=group, panel=panel, keys=(keys[:, 0] - start) / fps,
                     key_values=key_values, times=(frames - start) / fps, values=values)


def draw_clip(actions: list[bpy.types.Action], binding: RigBinding, timing: Alignment, audio_path: str | Path,
              out: Path, fps: float) -> None:
    """Write the picture of a lip-sync clip (its ``actions``: one, or before Blender 4.4 one per datablock, keyed
    for ``binding``) with its ``timing`` over its audio to ``out``."""
    fcurves = [fc for action in actions for fc in action_fcurves(action) if len(fc.keyframe_points)]
    start = min(fc.keyframe_points[0].co[0] for fc in fcurves)
    end = max(fc.keyframe_points[-1].co[0] for fc in fcurves)
    frames = np.arange(start, end + 1, dtype=np.float64)
    groups = channel_groups(binding)
    curves = [c for fc in fcurves if (c := _curve(fc, frames, start, fps, groups, binding.jaw_bone))]
    seconds = max(end - start, 1) / fps
    rates = [len(fc.keyframe_points) / seconds for fc in fcurves if len({round(k.co[1], 6) for k in
                                                                         fc.keyframe_points}) > 1]
    rate = f"{np.mean(rates):.1f} keys/s per animated channel (max {max(rates):.1f})" if rates else "no motion"
    keys = sum(len(fc.keyframe_points) for fc in fcurves)
    draw(out, title=f"{actions[0].name}: {len(timing.words)} words, {keys} keys, {rate}", audio=load_audio(audio_path),
         words=timing.words, phonemes=timing.phonemes, curves=curves)


def draw_batch(run: BatchRun, paths: dict[int, Path], folder: Path) -> list[str]:
    """Draw the picture of every line the finished ``run`` keyed to its path of ``paths`` (by row) in ``folder``;
    returns a line for each picture that could not be written (its line stays keyed). Only ``lipsync batch``
    draws: the add-on never imports this module, nor matplotlib."""
    fps = bpy.context.scene.render.fps / bpy.context.scene.render.fps_base
    problems = []
    for item in run.todo:
        result = (run.result or {}).get(item.line.row)
        actions = [a for a in bpy.data.actions if a.get(TAG) == item.line.action]
        if result is None or not actions or item.line.row not in paths:
            continue
        out = paths[item.line.row]
        try:
            draw_clip(actions, item.job.binding, result.alignment, item.line.audio, out, fps)
            record_export(folder, out)
        except (LipsyncError, OSError) as exc:
            problems.append(f"{run.manifest.name}:{item.line.row}: its picture {out} was not written: "
                            f"{getattr(exc, 'strerror', None) or exc}")
    return problems
