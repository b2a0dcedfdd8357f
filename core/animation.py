"""Viseme track to a keyframe plan: coarticulated curves per shape key, bone channel and 2D sprite, reduced."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from .coarticulation import Shares, dominance_weights, enforce_contacts, pose_frames, simplify_track
from .emotion import EmotionLayer, emotion_curve
from .envelope import low_pass
from .keys import bezier, reduce_keys, step_keys
from .poses import PoseBank, sample_at
from .presets import AXES, PoseRef, RigBinding, VisemePose
from .settings import CONTACT, AnimationSettings
from .types import Segment

__all__ = ["AnimationSettings", "Channel", "Curve", "KeyframePlan", "frame_times", "plan_keyframes"]


@dataclass(frozen=True)
class Channel:
    owner: Literal["shape_keys", "armature", "object"]
    """What is animated: the meshes' shape-key blocks, the armature object, or the selected object (2D)."""
    target: str
    """The shape key, bone or custom property the channel moves."""
    data_path: str
    index: int
    group: str


@dataclass
class Curve:
    channel: Channel
    frames: np.ndarray
    values: np.ndarray
    interpolation: Literal["BEZIER", "CONSTANT"] = "BEZIER"
    scale: float | None = None
    """The channel's full range, of which ``key_tolerance`` is a share (None: a shape-key weight's 1, else the
    curve's own range)."""


@dataclass
class KeyframePlan:
    curves: list[Curve]
    frame_start: int
    frame_end: int
    contact_frames: tuple[int, ...] = ()
    """Frames where a closure closes or F/V touches; every curve keeps a key there."""
    contact_visemes: tuple[str, ...] = ()
    """The contact (``PP`` or ``FF``) of each of ``contact_frames``."""
    dense_keys: int = 0
    """Keys before reduction (one per frame per curve)."""
    fps: float = 24.0

    @property
    def keys(self) -> int:
        return sum(len(c.frames) for c in self.curves)

    def keys_per_second(self) -> list[float]:
        """Keys per second of each animated curve (one whose value changes)."""
        seconds = max(self.frame_end - self.frame_start, 1) / self.fps
        return [len(c.frames) / seconds for c in self.curves if np.ptp(c.values) > 0]

    def key_rate(self) -> str:
        """Keys per second per animated channel, for the result line: the mean and the busiest channel."""
        rates = self.keys_per_second()
        if not rates:
            return "no animated channel"
        return f"{np.mean(rates):.1f} keys/s per animated channel (max {max(rates):.1f})"


def frame_times(duration: float, settings: AnimationSettings) -> tuple[np.ndarray, np.ndarray]:
    """Frame numbers covering the clip and their times in seconds."""
    count = math.ceil(duration * settings.fps) + 1
    frames = settings.start_frame + np.arange(count, dtype=np.float64)
    return frames, np.minimum(np.arange(count) / settings.fps, duration)


def _scales(track: list[Segment], poses: list[VisemePose], settings: AnimationSettings) -> np.ndarray:
    """Per segment: global, preset and per-viseme intensity; contacts always reach their pose."""
    return np.array([
        1.0 if s.label in CONTACT else settings.intensity * p.intensity * settings.viseme_intensity.get(s.label, 1.0)
        for s, p in zip(track, poses, strict=True)
    ])


def plan_keyframes(track: list[Segment], duration: float, binding: RigBinding, settings: AnimationSettings,
                   envelopes: dict[str, np.ndarray] | None = None,
                   emotion: EmotionLayer | None = None) -> KeyframePlan:
    """Curves for the bound mouth channels over the clip (emotion-only targets only with ``emotion``).

    ``envelopes`` holds per-frame ``loudness`` (drives the jaw by ``jaw_balance``) and ``pitch`` (for emotion
    intensity), e.g. from ``core.envelope``; without them the jaw follows the visemes alone.
    """
    envelopes = envelopes or {}
    frames, times = frame_times(duration, settings)
    track = simplify_track(track, settings)
    weights, contacts = enforce_contacts(dominance_weights(track, times, settings), track, times)
    preset = binding.preset
    poses = [preset.visemes[s.label] for s in track]
    is_contact = np.array([s.label in CONTACT for s in track])
    contact = weights @ is_contact
    layer = preset.emotions.get(emotion.name) if emotion else None
    feeling = emotion_curve(emotion, times, envelopes) if emotion else np.zeros(len(times))
    articulation = 1.0 + feeling * ((layer.articulation if layer else 1.0) - 1.0)
    scales = weights.gather(_scales(track, poses, settings))
    mix = weights.scaled(np.where(weights.gather(is_contact), 1.0, articulation[:, None]) * scales)

    opening = mix @ np.array([p.jaw for p in poses])
    if "loudness" in envelopes:
        opening *= (1.0 - settings.jaw_balance) + settings.jaw_balance * envelopes["loudness"]
    smooth = low_pass(opening, settings.fps, settings.jaw_rate)
    opening = np.clip(smooth + contact * np.minimum(opening - smooth, 0.0), 0.0, 1.0)

    curves = []
    mouth = preset.used_shapes()
    for target, name in binding.shape_keys.items():
        if target not in mouth and not (layer and target in layer.shapes):
            continue  # an emotion-only target with no emotion set: the user's own keys there keep playing
        values = mix @ np.array([p.shapes.get(target, 0.0) for p in poses])
        if preset.jaw and preset.jaw.shape == target:
            values = values + opening
        if layer and target in layer.shapes:
            values = values + feeling * layer.shapes[target] * (1.0 - contact)
        channel = Channel("shape_keys", name, f'key_blocks["{name}"].value', 0, "Lipsync")
        curves.append(Curve(channel, frames, np.clip(values, 0.0, 1.0)))
    curves += _full_range(_bone_curves(binding, poses, mix, opening, frames), binding)
    if preset.sprite:
        curves.append(_sprite_curve(preset.sprite, track, poses, weights, frames, settings))
    keyed = pose_frames(weights, track, times, contacts)
    if not settings.stepped:  # drawn through the poses, as an animator keys them: the in-betweens are Blender's
        curves = _unit_quaternions([_through(c, keyed) for c in curves])
    pools = {c.channel.data_path: keyed for c in curves}
    if binding.poses:
        posed = _pose_curves(binding.poses, track, poses, weights, mix, times, frames, settings)
        if not settings.stepped and binding.poses.held():  # drawn through the poses like the other targets
            posed = _unit_quaternions([_through(c, keyed) for c in posed])
            pools |= {c.channel.data_path: keyed for c in posed}
        curves += posed  # a frame range plays through its viseme: keyed wherever it needs
    dense = sum(len(c.frames) for c in curves)
    curves = _reduced(curves, contacts, pools, settings)
    return KeyframePlan(curves, int(frames[0]), int(frames[-1]), tuple(int(frames[f]) for f in contacts),
                        tuple(s.label for s in track if s.label in CONTACT), dense, settings.fps)


def tolerance(curve: Curve, settings: AnimationSettings) -> float:
    """The largest error key reduction may leave on ``curve``: ``key_tolerance`` of the channel's full range (a
    shape-key weight's 0 to 1; a bone channel's span over the poses, in the armature's units or radians)."""
    scale = curve.scale or (1.0 if curve.channel.owner == "shape_keys" else float(np.ptp(curve.values)) or 1.0)
    return settings.key_tolerance * scale


def _full_range(curves: list[Curve], binding: RigBinding) -> list[Curve]:
    """Bone curves with their channel's full range: its span over the rest pose, every viseme's pose and the
    jaw fully open, as a shape key's is its weight's 0 to 1 (so a clip that barely moves a bone does not get a
    hair-thin tolerance)."""
    poses = list(binding.preset.visemes.values())
    rows = len(poses) + 2
    table = Shares(np.eye(rows)[:, :-2], np.zeros(rows, dtype=np.int64))
    opening = np.array([p.jaw for p in poses] + [0.0, 1.0])
    spans: dict[tuple[str, int], float] = {}
    for c in _bone_curves(binding, poses, table, opening, np.arange(rows, dtype=np.float64)) + curves:
        key = (c.channel.data_path, c.channel.index)
        spans[key] = max(spans.get(key, 0.0), float(np.ptp(c.values)))
    return _quaternions_share([replace(c, scale=spans[(c.channel.data_path, c.channel.index)] or None)
                               for c in curves])


def _quaternions_share(curves: list[Curve]) -> list[Curve]:
    """A quaternion's components share the widest scale: an error of e in any of them turns the bone by about 2e
    radians, so w (which barely moves for small angles) gets x's tolerance."""
    widest: dict[str, float] = {}
    for c in curves:
        if c.channel.data_path.endswith("rotation_quaternion"):
            widest[c.channel.data_path] = max(widest.get(c.channel.data_path, 0.0), c.scale or 0.0)
    return [replace(c, scale=widest[c.channel.data_path] or None) if c.channel.data_path in widest else c
            for c in curves]


def _through(curve: Curve, keyed: np.ndarray) -> Curve:
    """A smooth curve as Blender plays it through keys at the pose frames ``keyed`` only (so key reduction
    only drops the poses it does not need)."""
    if curve.interpolation == "CONSTANT":
        return curve
    return replace(curve, values=bezier(keyed, curve.values[keyed], np.arange(len(curve.values))))


def _unit_quaternions(curves: list[Curve]) -> list[Curve]:
    """Quaternion curves drawn through their keys component by component, normalised per frame (as Blender
    normalises them when it plays them)."""
    quats: dict[str, list[int]] = {}
    for i, c in enumerate(curves):
        if c.channel.data_path.endswith("rotation_quaternion"):
            quats.setdefault(c.channel.data_path, []).append(i)
    curves = list(curves)
    for members in (m for m in quats.values() if len(m) == 4):  # a lone component (w only) is no rotation
        norm = np.sqrt(sum(curves[i].values ** 2 for i in members))
        for i in members:
            curves[i] = replace(curves[i], values=curves[i].values / np.maximum(norm, 1e-12))
    return curves


def _reduced(curves: list[Curve], contacts: list[int], pools: dict[str, np.ndarray],
             settings: AnimationSettings) -> list[Curve]:
    """Each curve's needed keys, among the frames ``pools`` gives its property (the pose frames it was drawn
    through; any frame for the others); the components of one property (a quaternion's w, x, y, z) share their
    keys, each still within its tolerance on the shared keys."""
    keep: dict[str, set[int]] = {}
    for c in curves:
        if settings.stepped or c.interpolation == "CONSTANT":
            keep.setdefault(c.channel.data_path, set()).update(step_keys(c.values).tolist())
        elif not settings.reduce_keys:
            keep.setdefault(c.channel.data_path, set()).update(range(len(c.values)))
        else:
            keep.setdefault(c.channel.data_path, set()).update(contacts)
    smooth = [c for c in curves if settings.reduce_keys and not settings.stepped and c.interpolation != "CONSTANT"]
    components = Counter(c.channel.data_path for c in smooth)
    while smooth:  # a key one component needs may move another's curve: again until no component needs more
        again = []
        for c in smooth:
            shared = keep[c.channel.data_path]
            needed = reduce_keys(c.values, tolerance(c, settings), np.array(sorted(shared), dtype=np.int64),
                                 pools.get(c.channel.data_path))
            if len(needed) > len(shared) and components[c.channel.data_path] > 1:
                again += [o for o in smooth if o.channel.data_path == c.channel.data_path and o is not c]
            shared.update(needed.tolist())
        smooth = list({id(c): c for c in again}.values())
    out = []
    for c in curves:
        index = np.array(sorted(keep[c.channel.data_path]), dtype=np.int64)
        stepped = settings.stepped or c.interpolation == "CONSTANT"
        out.append(replace(c, frames=c.frames[index], values=c.values[index],
                           interpolation="CONSTANT" if stepped else "BEZIER"))
    return out


def _held(ids: np.ndarray, track: list[Segment], weights: Shares, settings: AnimationSettings) -> np.ndarray:
    """Per frame, the dominant segment; a run of frames showing the same ``ids`` (one per segment) shorter than
    ``min_hold`` keeps the segment of the frame before (contacts may be shorter)."""
    dominant = weights.argmax()
    held = dominant.copy()
    runs = np.flatnonzero(np.diff(ids[dominant]) != 0) + 1
    starts, ends = np.concatenate([[0], runs]), np.concatenate([runs, [len(held)]])
    for start, end in zip(starts[1:], ends[1:], strict=True):
        if end - start < settings.min_hold and track[dominant[start]].label not in CONTACT:
            held[start:end] = held[start - 1]
    return held


def _sprite_curve(prop: str, track: list[Segment], poses: list[VisemePose], weights: Shares,
                  frames: np.ndarray, settings: AnimationSettings) -> Curve:
    """2D: the dominant viseme's drawing on each frame, held ``min_hold`` frames (contacts may be shorter)."""
    drawings = np.array([p.frame for p in poses], dtype=np.float64)
    channel = Channel("object", prop, f'["{prop}"]', 0, "Lipsync")
    return Curve(channel, frames, drawings[_held(drawings, track, weights, settings)], "CONSTANT")


def _pose_curves(bank: PoseBank, track: list[Segment], poses: list[VisemePose], weights: Shares, mix: Shares,
                 times: np.ndarray, frames: np.ndarray, settings: AnimationSettings) -> list[Curve]:
    """The pose Actions' channels: rest + the mix of each viseme's (pose - rest), a frame range played through
    over its segment; stepped, the held dominant viseme's pose."""
    table, counts = bank.table([s.label for s in track])
    starts, ends = np.array([s.start for s in track]), np.array([s.end for s in track])
    if settings.stepped:
        ids: dict[PoseRef | None, int] = {}
        segment = _held(np.array([ids.setdefault(p.pose, len(ids)) for p in poses]), track, weights, settings)
        t = times
    else:
        segment, t = mix.columns, times[:, None]
    phase = (t - starts[segment]) / np.maximum(ends[segment] - starts[segment], 1e-9)
    curves = []
    for i, (c, rest, span) in enumerate(zip(bank.channels, bank.rest(), bank.spans(), strict=True)):
        posed = sample_at(table[:, :, i], counts, segment, phase)
        values = posed if settings.stepped else rest + np.einsum("fk,fk->f", mix.values, posed - rest)
        channel = Channel(c.owner, c.name, c.data_path, c.index, c.name if c.owner == "armature" else "Lipsync")
        curves.append(Curve(channel, frames, values, "CONSTANT" if settings.stepped else "BEZIER",
                            scale=float(span) or None))
    return _quaternions_share(curves)


def _bone_curves(binding: RigBinding, poses: list[VisemePose], mix: Shares, opening: np.ndarray,
                 frames: np.ndarray) -> list[Curve]:
    """Location and rotation curves per bone: the visemes' offsets blended, the jaw's opening added."""
    n = len(frames)
    motion: dict[str, list[np.ndarray]] = {}
    for target, bone in binding.bones.items():
        loc = mix @ np.array([p.bones[target].location if target in p.bones else (0.0,) * 3 for p in poses])
        rot = mix @ np.radians([p.bones[target].rotation if target in p.bones else (0.0,) * 3 for p in poses])
        motion[bone] = [loc, rot]
    jaw = binding.preset.jaw
    if binding.jaw_bone and jaw:
        loc, rot = motion.setdefault(binding.jaw_bone, [np.zeros((n, 3)), np.zeros((n, 3))])
        rot[:, AXES.index(jaw.axis)] += np.radians(jaw.max_angle) * opening
    curves = []
    for bone, (loc, rot) in motion.items():
        base = f'pose.bones["{bone}"]'

        def curve(prop: str, index: int, values: np.ndarray, bone=bone, base=base) -> Curve:
            return Curve(Channel("armature", bone, f"{base}.{prop}", index, bone), frames, values)

        curves += [curve("location", i, loc[:, i]) for i in range(3) if np.any(loc[:, i] != 0)]
        if not np.any(rot != 0):
            continue
        mode = binding.bone_modes.get(bone, "XYZ")
        if mode == "QUATERNION":
            curves += [curve("rotation_quaternion", i, v) for i, v in enumerate(_quaternion(rot).T)]
        elif mode == "AXIS_ANGLE":
            curves += [curve("rotation_axis_angle", i, v) for i, v in enumerate(_axis_angle(_quaternion(rot)).T)]
        else:
            curves += [curve("rotation_euler", i, rot[:, i]) for i in range(3) if np.any(rot[:, i] != 0)]
    return curves


def _quaternion(euler: np.ndarray) -> np.ndarray:
    """Euler XYZ (X applied first) to unit quaternions (w, x, y, z), one row per frame."""
    half = euler / 2
    c, s = np.cos(half), np.sin(half)
    cx, cy, cz, sx, sy, sz = c[:, 0], c[:, 1], c[:, 2], s[:, 0], s[:, 1], s[:, 2]
    return np.column_stack([
        cx * cy * cz + sx * sy * sz,
        sx * cy * cz - cx * sy * sz,
        cx * sy * cz + sx * cy * sz,
        cx * cy * sz - sx * sy * cz,
    ])


def _axis_angle(quat: np.ndarray) -> np.ndarray:
    """Unit quaternions to (angle, x, y, z); where the angle is ~0 the axis of the largest rotation is kept."""
    angle = 2 * np.arccos(np.clip(quat[:, 0], -1.0, 1.0))
    sin = np.sqrt(np.maximum(1.0 - quat[:, 0] ** 2, 0.0))
    axis = quat[:, 1:] / np.maximum(sin, 1e-9)[:, None]
    fallback = axis[np.argmax(angle)] if angle.max() > 1e-6 else np.array([0.0, 1.0, 0.0])
    axis[sin < 1e-6] = fallback
    return np.column_stack([angle, axis])
