"""The reduced keys, as Blender plays them, stay within the tolerance of the per-frame curve."""

from dataclasses import replace

import numpy as np
import pytest

from conftest import sphere_with_shape_keys
from lipsync_ai.blender.rig import find_character
from lipsync_ai.blender.writer import animated_fcurves, write_plan
from lipsync_ai.core.animation import plan_keyframes, tolerance
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.core.types import Segment
from lipsync_ai.core.visemes import VISEMES


@pytest.mark.parametrize("seed", range(2))
def test_blender_plays_the_reduced_keys_within_tolerance_of_the_dense_curve(seed):
    rng = np.random.default_rng(seed)
    head = sphere_with_shape_keys([f"viseme_{v}" for v in VISEMES[1:]])
    character = find_character(head)
    binding = bind(load_preset("visemes15"), character.rig_info())
    bounds = np.cumsum(np.concatenate([[0.0, 0.3], rng.uniform(0.02, 0.15, 60), [0.3]]))
    labels = ["sil", *rng.choice(VISEMES[1:], size=60), "sil"]
    track = [Segment(str(v), a, b) for v, a, b in zip(labels, bounds, bounds[1:], strict=False)]
    settings = AnimationSettings(fps=24, key_tolerance=0.02)
    plan = plan_keyframes(track, bounds[-1], binding, settings)
    dense = {c.channel.data_path: c for c in plan_keyframes(track, bounds[-1], binding,
                                                            replace(settings, reduce_keys=False)).curves}
    write_plan(plan, character, "clip")
    fcurves = animated_fcurves(head.data.shape_keys.animation_data)
    assert len(fcurves) == len(dense) and sum(len(fc.keyframe_points) for fc in fcurves) == plan.keys
    for fc in fcurves:
        full = dense[fc.data_path]
        played = np.array([fc.evaluate(f) for f in full.frames])
        assert np.abs(played - full.values).max() <= tolerance(full, settings) + 1e-5, fc.data_path
