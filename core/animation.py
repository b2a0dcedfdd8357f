"""Viseme track to a keyframe plan: coarticulated, smoothed curves per shape key and jaw channel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .presets import AXES, RigBinding
from .types import Segment

LIP_CRITICAL = {"PP": 8.0, "FF": 5.0}
"""Dominance of visemes that must read (closures close, lip-teeth contact touches) over their neighbours."""


@dataclass(frozen=True)
class AnimationSettings:
    fps: float = 24.0
    start_frame: int = 1
    intensity: float = 1.0
    """Scales every shape-key weight and the jaw opening."""
    blend_time: float = 0.04
    """Seconds over which a viseme's influence fades into its neighbours."""


@dataclass(frozen=True)
class Channel:
    owner: Literal["shape_keys", "armature"]
    """Which datablock is animated: the meshes' shape-key block or the armature object."""
    target: str
    """The shape key or bone the channel moves."""
    data_path: str
    index: int
    group: str


@dataclass
class Curve:
    channel: Channel
    frames: np.ndarray
    values: np.ndarray


@dataclass
class KeyframePlan:
    curves: list[Curve]
    frame_start: int
    frame_end: int


def frame_times(duration: float, settings: AnimationSettings) -> tuple[np.ndarray, np.ndarray]:
    """Frame numbers covering the clip and their times in seconds."""
    count = math.ceil(duration * settings.fps) + 1
    frames = settings.start_frame + np.arange(count, dtype=np.float64)
    return frames, np.minimum(np.arange(count) / settings.fps, duration)


def blend_weights(track: list[Segment], times: np.ndarray, blend_time: float) -> np.ndarray:
    """Per frame, each viseme's share of the mouth (rows sum to 1), by dominance blending.

    A viseme fully dominates its own span and fades exponentially outside it; lip-critical visemes dominate
    harder so that a short closure still closes.
    """
    starts = np.array([s.start for s in track])[None, :]
    ends = np.array([s.end for s in track])[None, :]
    strength = np.array([LIP_CRITICAL.get(s.label, 1.0) for s in track])[None, :]
    t = times[:, None]
    distance = np.maximum(0.0, np.maximum(starts - t, t - ends))
    dominance = strength * np.exp(-distance / blend_time)
    return dominance / dominance.sum(axis=1, keepdims=True)


def plan_keyframes(track: list[Segment], duration: float, binding: RigBinding,
                   settings: AnimationSettings) -> KeyframePlan:
    """Key every bound channel on every frame of the clip."""
    frames, times = frame_times(duration, settings)
    weights = blend_weights(track, times, settings.blend_time)
    poses = [binding.preset.visemes[s.label] for s in track]
    curves = []
    for target, name in binding.shape_keys.items():
        pose_weights = np.array([pose.shapes.get(target, 0.0) for pose in poses])
        values = np.clip(weights @ pose_weights * settings.intensity, 0.0, 1.0)
        channel = Channel("shape_keys", name, f'key_blocks["{name}"].value', 0, "Lipsync")
        curves.append(Curve(channel, frames, values))
    if binding.jaw_bone:
        jaw = binding.preset.jaw
        opening = np.clip(weights @ np.array([pose.jaw for pose in poses]) * settings.intensity, 0.0, 1.0)
        angles = np.radians(jaw.max_angle) * opening
        curves += _jaw_curves(binding.jaw_bone, binding.jaw_rotation_mode, AXES.index(jaw.axis), frames, angles)
    return KeyframePlan(curves, int(frames[0]), int(frames[-1]))


def _jaw_curves(bone: str, mode: str, axis: int, frames: np.ndarray, angles: np.ndarray) -> list[Curve]:
    """Rotation curves for the jaw bone in its own rotation mode."""
    base = f'pose.bones["{bone}"]'

    def curve(prop: str, index: int, values: np.ndarray) -> Curve:
        return Curve(Channel("armature", bone, f"{base}.{prop}", index, bone), frames, values)

    if mode == "QUATERNION":
        parts = [np.cos(angles / 2)] + [np.sin(angles / 2) if i == axis else np.zeros_like(angles)
                                        for i in range(3)]
        return [curve("rotation_quaternion", i, v) for i, v in enumerate(parts)]
    if mode == "AXIS_ANGLE":
        parts = [angles] + [np.full_like(angles, float(i == axis)) for i in range(3)]
        return [curve("rotation_axis_angle", i, v) for i, v in enumerate(parts)]
    return [curve("rotation_euler", axis, angles)]
