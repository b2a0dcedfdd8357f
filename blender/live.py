"""Live mode: the streaming engine drives the character's shape keys and jaw from the scene's sound strip as it
plays, or from the microphone.

From a strip it follows the frame (a ``frame_change_post`` handler), so it works during playback, when scrubbing
(going back restarts the stream) and under ``blender -b`` with ``frame_set``. From the microphone (the optional
``sounddevice`` package) a timer shows what the input callback queued. Stopping puts back every value it touched
and, when recording a strip, bakes what was performed into an Action through the usual writer.
"""

from __future__ import annotations

import math
import queue
from dataclasses import dataclass, field

import bpy
import numpy as np
from mathutils import Euler

from ..core.animation import Channel, Curve, KeyframePlan
from ..core.audio import load_audio
from ..core.errors import LipsyncError
from ..core.presets import AXES, RigBinding
from ..inference.streaming import Stream, load_stream_model
from .rig import Character
from .sources import strip_source
from .writer import write_plan


@dataclass
class LiveSession:
    character: Character
    binding: RigBinding
    strip: str
    samples: np.ndarray
    """The strip's audio at the stream's rate."""
    start_frame: int
    fps: float
    record: bool
    stream: Stream | None = None
    pushed: int = 0
    weights: dict[str, float] = field(default_factory=dict)
    saved: dict[tuple, object] = field(default_factory=dict)
    """(datablock, path) → the value it had before live mode."""
    recorded: dict[int, dict[str, float]] = field(default_factory=dict)
    """Frame → the weights shown on it."""
    microphone: object | None = None
    """The open ``sounddevice.InputStream`` when following the microphone."""
    heard: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)
    """Microphone blocks waiting for the main thread."""


_session: LiveSession | None = None


def running() -> bool:
    return _session is not None


def start(character: Character, binding: RigBinding, scene: bpy.types.Scene, strip: str, record: bool) -> None:
    """Follow ``strip`` on ``character`` from now on. Raises LipsyncError."""
    global _session
    if _session is not None:
        raise LipsyncError("Live mode is already running; stop it first.")
    path, start_frame = strip_source(scene, strip)
    model = load_stream_model()
    audio = load_audio(path, model.features.sample_rate)
    session = LiveSession(character, binding, strip, audio.samples, start_frame,
                          scene.render.fps / scene.render.fps_base, record)
    _save(session)
    _session = session
    bpy.app.handlers.frame_change_post.append(_on_frame)
    _on_frame(scene)


def start_microphone(character: Character, binding: RigBinding) -> None:
    """Follow the default input device. Raises LipsyncError (also when ``sounddevice`` is not installed)."""
    global _session
    if _session is not None:
        raise LipsyncError("Live mode is already running; stop it first.")
    try:
        import sounddevice
    except ImportError:
        raise LipsyncError("Live from the microphone needs the sounddevice package in Blender's Python "
                           "(python -m pip install sounddevice); following a sound strip works without it.") from None
    rate = load_stream_model().features.sample_rate
    session = LiveSession(character, binding, "microphone", np.zeros(0, np.float32), 0, 1.0, False)
    session.stream = Stream(rate, binding=binding)
    _save(session)
    try:
        session.microphone = sounddevice.InputStream(
            samplerate=rate, channels=1, dtype="float32", blocksize=rate // 100,
            callback=lambda data, frames, time, status: session.heard.put(data[:, 0].copy()))
        session.microphone.start()
    except Exception as exc:  # PortAudio reports a missing or busy device in its own exception types
        raise LipsyncError(f"Cannot open the microphone: {exc}") from None
    _session = session
    bpy.app.timers.register(_on_timer)


def _on_timer() -> float | None:
    """Show what the microphone brought since the last tick; None ends the timer once live mode stops."""
    session = _session
    if session is None or session.microphone is None:
        return None
    while not session.heard.empty():
        for _, weights in session.stream.push(session.heard.get()):
            session.weights = weights
    if session.weights:
        _show(session, session.weights)
    return 1 / 60


def stop(scene: bpy.types.Scene) -> str:
    """Leave live mode: values restored; with recording, the performance as an Action. Returns a summary."""
    global _session
    session, _session = _session, None
    if _on_frame in bpy.app.handlers.frame_change_post:
        bpy.app.handlers.frame_change_post.remove(_on_frame)
    if session is None:
        return "Live mode was not running"
    if session.microphone is not None:
        session.microphone.stop()
        session.microphone.close()
    if bpy.app.timers.is_registered(_on_timer):
        bpy.app.timers.unregister(_on_timer)
    for (owner, prop), value in session.saved.items():
        setattr(owner, prop, value)
    if not (session.record and session.recorded):
        return "Live mode stopped; the rig is as it was"
    action, _ = write_plan(_recording(session), session.character, f"live {session.strip}")
    return f"Live mode stopped; recorded {len(session.recorded)} frames into {action.name}"


def _save(session: LiveSession) -> None:
    """Remember every value live mode may change, to put it back on stop."""
    for mesh in session.character.meshes:
        for block in mesh.data.shape_keys.key_blocks:
            if block.name in session.binding.shape_keys.values():
                session.saved[(block, "value")] = block.value
    jaw = _jaw_bone(session)
    if jaw is not None:
        for prop in ("rotation_euler", "rotation_quaternion", "rotation_axis_angle"):
            session.saved[(jaw, prop)] = tuple(getattr(jaw, prop))


def _jaw_bone(session: LiveSession):
    armature = session.character.armature
    if armature is None or not session.binding.jaw_bone:
        return None
    return armature.pose.bones.get(session.binding.jaw_bone)


def _on_frame(scene: bpy.types.Scene, depsgraph=None) -> None:
    session = _session
    if session is None:
        return
    model = load_stream_model()
    rate = model.features.sample_rate
    seconds = (scene.frame_current - session.start_frame) / session.fps
    if session.stream is None or seconds * rate < session.pushed - 2 * model.latency * rate:
        session.stream, session.pushed = Stream(rate, binding=session.binding), 0  # (re)start, e.g. scrubbed back
        session.weights = {}
    wanted = int(np.clip((seconds + model.latency) * rate, 0, len(session.samples)))
    if wanted > session.pushed:
        for t, weights in session.stream.push(session.samples[session.pushed:wanted]):
            if t <= seconds + 1e-6:
                session.weights = weights
        session.pushed = wanted
    if 0 <= seconds and session.weights:
        _show(session, session.weights)
        if session.record:
            session.recorded[scene.frame_current] = dict(session.weights)


def _show(session: LiveSession, weights: dict[str, float]) -> None:
    for mesh in session.character.meshes:
        blocks = mesh.data.shape_keys.key_blocks
        for name, value in weights.items():
            if name in blocks:
                blocks[name].value = value
    jaw = _jaw_bone(session)
    preset_jaw = session.binding.preset.jaw
    if jaw is not None and preset_jaw is not None:
        angles = [0.0, 0.0, 0.0]
        angles[AXES.index(preset_jaw.axis)] = math.radians(preset_jaw.max_angle) * weights.get("jaw", 0.0)
        if jaw.rotation_mode == "QUATERNION":
            jaw.rotation_quaternion = Euler(angles).to_quaternion()
        elif jaw.rotation_mode == "AXIS_ANGLE":
            axis, angle = Euler(angles).to_quaternion().to_axis_angle()
            jaw.rotation_axis_angle = (angle, *axis)
        else:
            jaw.rotation_euler = angles


def _recording(session: LiveSession) -> KeyframePlan:
    """The recorded frames as a keyframe plan: one curve per shape key, the jaw as its bone's rotation."""
    frames = np.array(sorted(session.recorded), dtype=np.float64)
    rows = [session.recorded[int(f)] for f in frames]
    curves = [Curve(Channel("shape_keys", name, f'key_blocks["{name}"].value', 0, "Lipsync"), frames,
                    np.array([row.get(name, 0.0) for row in rows]))
              for name in session.binding.shape_keys.values()]
    jaw, preset_jaw = _jaw_bone(session), session.binding.preset.jaw
    if jaw is not None and preset_jaw is not None and jaw.rotation_mode not in ("QUATERNION", "AXIS_ANGLE"):
        axis = AXES.index(preset_jaw.axis)
        opening = np.array([row.get("jaw", 0.0) for row in rows]) * math.radians(preset_jaw.max_angle)
        curves.append(Curve(Channel("armature", jaw.name, f'pose.bones["{jaw.name}"].rotation_euler', axis,
                                    jaw.name), frames, opening))
    return KeyframePlan(curves, int(frames[0]), int(frames[-1]))
