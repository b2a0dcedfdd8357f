"""Keys per second per animated channel, the played curve's largest error and the weakest closure.

    .venv/bin/python bench/keys.py [--tolerance 0.02] [--fps 24] [--presets visemes15 arkit ...] [--channels N]

On the demo line (demo/dialogue.wav with its transcript) and a 60 s clip made by tiling it. For each preset,
bound to a rig that has all its targets: keys per second of every animated curve (mean and max), the largest
distance between the curve Blender plays through the reduced keys and the dense per-frame curve (as a share of
each curve's tolerance scale), and the weakest closure: the lowest share of its pose an M/B/P reaches on its
contact frame, over all the contact's shapes (for ``pose_actions``, posed on the bone mouth of
tests/test_blender_poses.py: over the lip bones the MBP pose moves). ``--channels N`` also names each preset's N
busiest channels.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from lipsync_ai.core.animation import frame_times, plan_keyframes, tolerance
from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.coarticulation import simplify_track
from lipsync_ai.core.envelope import loudness, pitch
from lipsync_ai.core.keys import bezier
from lipsync_ai.core.poses import PoseBank, PoseChannel
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind, own_rig, settings_for
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.core.types import Audio
from lipsync_ai.core.visemes import viseme_track
from lipsync_ai.inference.engine import align

DEMO = Path(__file__).resolve().parents[1] / "demo"


def clips() -> list[tuple[str, Audio, str]]:
    audio = load_audio(DEMO / "dialogue.wav")
    text = (DEMO / "dialogue.txt").read_text(encoding="utf-8").strip()
    copies = math.ceil(60 / audio.duration)
    tiled = Audio(np.tile(audio.samples, copies), audio.sample_rate)
    return [("demo", audio, text), (f"{tiled.duration:.0f} s", tiled, " ".join([text] * copies))]


JAW_OPEN = {"Mouth_rest": 0, "Mouth_MBP": 0, "Mouth_FV": 3, "Mouth_L": 8, "Mouth_etc": 8, "Mouth_WQ": 6,
            "Mouth_AI": 20, "Mouth_E": 10, "Mouth_O": 15, "Mouth_U": 5}
LIPS = {"Mouth_MBP": {"lip_upper": (0.0, 0.0, -0.004), "lip_lower": (0.0, 0.0, 0.005)},
        "Mouth_FV": {"lip_lower": (0.0, 0.004, 0.004)},
        "Mouth_U": {"corner.L": (-0.007, 0.0, 0.0), "corner.R": (0.007, 0.0, 0.0)}}
"""The bone mouth of tests/test_blender_poses.py, as its pose Actions read: each Action's jaw opening (degrees
about X, a quaternion jaw) and lip offsets (metres)."""


def pose_bank(preset) -> PoseBank:
    """The pose Actions of ``pose_actions`` on that bone mouth, as ``blender/poses.py`` reads them."""
    jaw = [PoseChannel("armature", 'pose.bones["jaw"].rotation_quaternion', i, "jaw", float(i == 0))
           for i in range(4)]
    lips = [PoseChannel("armature", f'pose.bones["{bone}"].location', i, bone, 0.0)
            for bone in ("lip_upper", "lip_lower", "corner.L", "corner.R") for i in range(3)]
    samples = {}
    for viseme, pose in preset.visemes.items():
        half = math.radians(JAW_OPEN[pose.pose.action]) / 2
        offsets = LIPS.get(pose.pose.action, {})
        samples[viseme] = np.array([[math.cos(half), math.sin(half), 0.0, 0.0,
                                     *(v for c in lips[::3] for v in offsets.get(c.name, (0.0,) * 3))]])
    return PoseBank((*jaw, *lips), samples)


def measure(preset_id: str, audio: Audio, alignment, fps: float, key_tolerance: float, channels: int = 0) -> str:
    preset = load_preset(preset_id)
    binding = bind(preset, own_rig(preset))
    if preset.pose_actions():
        binding = replace(binding, poses=pose_bank(preset).moving())
    settings = settings_for(preset, fps=fps, key_tolerance=key_tolerance, stepped=False)
    _, times = frame_times(alignment.duration, settings)
    envelopes = {"loudness": loudness(audio, times), "pitch": pitch(audio, times)}
    track = viseme_track(alignment.phonemes)
    started = time.perf_counter()
    plan = plan_keyframes(track, alignment.duration, binding, settings, envelopes)
    seconds = time.perf_counter() - started
    dense = plan_keyframes(track, alignment.duration, binding, replace(settings, reduce_keys=False), envelopes)
    rates = plan.keys_per_second()
    worst = 0.0
    for sparse, full in zip(plan.curves, dense.curves, strict=True):
        played = bezier(sparse.frames, sparse.values, full.frames)
        worst = max(worst, float(np.abs(played - full.values).max()) / (tolerance(full, settings) or 1.0))
    closure = 1.0
    by_name = {binding.shape_keys[t]: t for t in binding.shape_keys}
    for frame, viseme in zip(plan.contact_frames, plan.contact_visemes, strict=True):
        if viseme != "PP":
            continue
        pose = preset.visemes["PP"].shapes
        for curve in plan.curves:
            weight = pose.get(by_name.get(curve.channel.target, ""), 0.0)
            if weight > 0:
                closure = min(closure, float(bezier(curve.frames, curve.values, [frame])[0]) / weight)
    if binding.poses:  # the lips' share of the MBP pose on each M/B/P contact frame
        bank = binding.poses
        for frame, viseme in zip(plan.contact_frames, plan.contact_visemes, strict=True):
            for curve, rest, posed in zip(plan.curves, bank.rest(), bank.samples["PP"][0], strict=True):
                if viseme == "PP" and abs(posed - rest) > 1e-3 and curve.channel.data_path.endswith("location"):
                    share = (float(bezier(curve.frames, curve.values, [frame])[0]) - rest) / (posed - rest)
                    closure = min(closure, share)
    seconds_long = max(plan.frame_end - plan.frame_start, 1) / plan.fps
    busiest = sorted(((len(c.frames) / seconds_long, f"{c.channel.target}[{c.channel.index}]") for c in plan.curves
                      if np.ptp(c.values) > 0), reverse=True)[:channels]
    return (f"{preset_id:10s} {len(rates):3d} animated curves  keys/s per curve: mean {np.mean(rates):5.2f} "
            f"max {max(rates):5.2f}  keys {plan.keys:6d} of {plan.dense_keys:6d}  played error <= "
            f"{worst:.2f} x tolerance  weakest closure {closure:.3f}  ({seconds * 1000:.0f} ms)"
            + "".join(f"\n      {rate:5.2f} keys/s  {name}" for rate, name in busiest))


def short(cues, fps: float) -> int:
    return sum(1 for c in cues if c.end - c.start < 1 / fps - 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.02)
    parser.add_argument("--fps", type=float, default=24.0)
    parser.add_argument("--presets", nargs="+", default=["visemes15", "arkit", "cc4", "mpfb", "rigify", "pose_actions"])
    parser.add_argument("--channels", type=int, default=0, metavar="N", help="also name the N busiest channels")
    args = parser.parse_args()
    print(f"tolerance {args.tolerance}, {args.fps:g} fps")
    for name, audio, text in clips():
        alignment = align(audio, text, "en-us")
        cues = viseme_track(alignment.phonemes)
        planned = simplify_track(cues, AnimationSettings(fps=args.fps))
        print(f"{name}: {alignment.duration:.1f} s, {len(cues)} viseme cues ({short(cues, args.fps)} shorter than a "
              f"frame), {len(planned)} planned ({short(planned, args.fps)} shorter)")
        for preset_id in args.presets:
            print("  " + measure(preset_id, audio, alignment, args.fps, args.tolerance, args.channels))


if __name__ == "__main__":
    main()
