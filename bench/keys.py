"""Keys per second per animated channel, the played curve's largest error and the weakest closure.

    .venv/bin/python bench/keys.py [--tolerance 0.02] [--fps 24] [--presets visemes15 arkit ...] [--channels N]

On the demo line (demo/dialogue.wav with its transcript) and a 60 s clip made by tiling it. For each preset,
bound to a rig that has all its targets: keys per second of every animated curve (mean and max), the largest
distance between the curve Blender plays through the reduced keys and the dense per-frame curve (as a share of
each curve's tolerance scale), and the weakest closure: the lowest share of its pose an M/B/P reaches on its
contact frame, over all the contact's shapes. ``--channels N`` also names each preset's N busiest channels.
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


def measure(preset_id: str, audio: Audio, alignment, fps: float, key_tolerance: float, channels: int = 0) -> str:
    preset = load_preset(preset_id)
    binding = bind(preset, own_rig(preset))
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
    parser.add_argument("--presets", nargs="+", default=["visemes15", "arkit", "cc4", "mpfb", "rigify"])
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
