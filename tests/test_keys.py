"""Key reduction: the curve Blender plays through the kept keys stays within tolerance; contacts keep their key."""

from dataclasses import replace

import numpy as np
import pytest

from lipsync_ai.core.animation import plan_keyframes, tolerance
from lipsync_ai.core.keys import bezier, reduce_keys, step_keys
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import RigInfo, bind, own_rig
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.core.types import Segment
from lipsync_ai.core.visemes import VISEMES


def played_error(values, kept):
    """Largest distance between the curve Blender plays through the kept keys and the dense values."""
    return np.abs(bezier(kept, values[kept], np.arange(len(values))) - values).max()


def smooth_curve(rng, n, width):
    return np.clip(np.convolve(rng.uniform(-0.3, 1.2, n), np.ones(width) / width, mode="same"), 0, 1)


@pytest.mark.parametrize("seed", range(12))
def test_the_played_curve_stays_within_tolerance_and_keeps_the_ends_and_forced_keys(seed):
    rng = np.random.default_rng(seed)
    values = smooth_curve(rng, int(rng.integers(3, 400)), int(rng.integers(1, 9)))
    tolerance = float(rng.choice([0.001, 0.01, 0.02, 0.05, 0.2]))
    forced = rng.choice(len(values), size=min(5, len(values)), replace=False)
    kept = reduce_keys(values, tolerance, forced)
    assert kept[0] == 0 and kept[-1] == len(values) - 1 and set(forced) <= set(kept.tolist())
    assert np.all(np.diff(kept) > 0)
    assert played_error(values, kept) <= tolerance + 1e-9


def test_reduction_keeps_fewer_keys_the_looser_the_tolerance():
    values = smooth_curve(np.random.default_rng(0), 300, 6)
    counts = [len(reduce_keys(values, t)) for t in (0.001, 0.01, 0.05)]
    assert counts[0] > counts[1] > counts[2] and counts[0] < len(values)


def test_a_curve_blender_would_play_through_a_few_keys_needs_only_those():
    assert list(reduce_keys(np.zeros(50), 1e-9)) == [0, 49]
    frames = np.array([0, 20, 31, 50])
    values = bezier(frames, np.array([0.0, 1.0, 0.6, 0.8]), np.arange(51))
    assert list(reduce_keys(values, 1e-6)) == list(frames)


def test_the_bezier_model_has_blenders_auto_clamped_handles():
    frames, keys = np.array([0.0, 4, 6, 12]), np.array([0.0, 0.5, 1.0, 0.2])
    played = bezier(frames, keys, np.arange(13))
    assert np.allclose(played[frames.astype(int)], keys), "it passes through its keys"
    assert played[:4].max() <= 0.5 and np.all(np.diff(played[:7]) >= 0), "no overshoot between rising keys"
    assert played[5] > 0.75 and played[7] < 1.0 and played.max() == 1.0, "flat at the extreme"


def test_keys_are_chosen_among_the_candidates_a_curve_was_drawn_through():
    rng = np.random.default_rng(3)
    candidates = np.unique(np.concatenate([[0, 199], rng.choice(200, 40, replace=False)]))
    values = bezier(candidates, rng.uniform(0, 1, len(candidates)), np.arange(200))
    for tol in (0.001, 0.02, 0.1):
        kept = reduce_keys(values, tol, np.array([57]), candidates)
        assert set(kept.tolist()) <= set(candidates.tolist()) | {57}
        assert 57 in kept and played_error(values, kept) <= tol + 1e-9


def test_forced_keys_survive_even_on_a_flat_curve():
    kept = reduce_keys(np.zeros(50), 0.1, np.array([17, 33]))
    assert {17, 33} <= set(kept.tolist())


def test_stepped_curves_keep_every_change():
    values = np.array([8, 8, 0, 0, 0, 3, 3, 8, 8, 8], dtype=float)
    assert list(step_keys(values)) == [0, 2, 5, 7, 9]


def test_a_generous_tolerance_never_removes_a_closure():
    track = [Segment("sil", 0, 0.2), Segment("aa", 0.2, 0.4), Segment("PP", 0.4, 0.45), Segment("O", 0.45, 0.7),
             Segment("PP", 0.7, 0.72), Segment("aa", 0.72, 0.9), Segment("sil", 0.9, 1.2)]
    binding = bind(load_preset("visemes15"), RigInfo(frozenset({"viseme_PP", "viseme_aa", "viseme_O"}), {}))
    dense = plan_keyframes(track, 1.2, binding, AnimationSettings(reduce_keys=False))
    sparse = plan_keyframes(track, 1.2, binding, AnimationSettings(key_tolerance=0.5))
    assert sparse.keys < dense.keys == dense.dense_keys
    pp = next(c for c in sparse.curves if c.channel.target == "viseme_PP")
    at = dict(zip(pp.frames, pp.values, strict=True))
    assert len(sparse.contact_frames) == 2 and all(at[f] >= 0.95 for f in sparse.contact_frames)


def random_track(rng, count):
    """Silence, ``count`` random visemes of 10 to 150 ms, silence."""
    bounds = np.cumsum(np.concatenate([[0.0, 0.3], rng.uniform(0.01, 0.15, count), [0.3]]))
    labels = ["sil", *rng.choice(VISEMES[1:], size=count), "sil"]
    return [Segment(str(label), a, b) for label, a, b in zip(labels, bounds, bounds[1:], strict=False)], bounds[-1]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("preset_id", ["arkit", "rigify"])
def test_every_planned_curve_stays_within_tolerance_and_every_closure_holds(seed, preset_id):
    preset = load_preset(preset_id)
    rig = own_rig(preset)
    binding = bind(preset, RigInfo(rig.shape_keys, dict.fromkeys(rig.bones, "QUATERNION")))
    track, duration = random_track(np.random.default_rng(seed), 80)
    settings = AnimationSettings(fps=24, key_tolerance=0.02)
    dense = plan_keyframes(track, duration, binding, replace(settings, reduce_keys=False))
    sparse = plan_keyframes(track, duration, binding, settings)
    assert sparse.keys < dense.keys
    for full, reduced in zip(dense.curves, sparse.curves, strict=True):
        played = bezier(reduced.frames, reduced.values, full.frames)
        assert np.abs(played - full.values).max() <= tolerance(full, settings) + 1e-9, full.channel
    pose = preset.visemes["PP"].shapes
    closures = [f for f, v in zip(sparse.contact_frames, sparse.contact_visemes, strict=True) if v == "PP"]
    assert closures
    for curve in sparse.curves:
        target = next((t for t, n in binding.shape_keys.items() if n == curve.channel.target), None)
        for frame in closures:
            if pose.get(target, 0) > 0:
                assert bezier(curve.frames, curve.values, [frame])[0] >= 0.95 * pose[target]


def test_keys_per_second_counts_each_animated_curve():
    track = [Segment("sil", 0, 0.5), Segment("aa", 0.5, 1.0), Segment("sil", 1.0, 2.0)]
    binding = bind(load_preset("visemes15"), RigInfo(frozenset({"viseme_aa", "viseme_O"}), {}))
    plan = plan_keyframes(track, 2.0, binding, AnimationSettings(fps=24))
    aa = next(c for c in plan.curves if c.channel.target == "viseme_aa")
    assert plan.keys_per_second() == [len(aa.frames) / 2.0], "the O curve never moves and is not counted"
