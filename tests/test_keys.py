"""Key reduction keeps only keys that change the pose, within tolerance, and never a contact's key."""

import numpy as np
import pytest

from lipsync_ai.core.animation import plan_keyframes
from lipsync_ai.core.keys import reduce_keys, step_keys
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import RigInfo, bind
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.core.types import Segment


def linear_error(values, kept):
    return np.abs(np.interp(np.arange(len(values)), kept, values[kept]) - values).max()


@pytest.mark.parametrize("tolerance", [0.001, 0.01, 0.05])
def test_reduction_stays_within_tolerance_and_keeps_the_ends(tolerance):
    rng = np.random.default_rng(0)
    values = np.convolve(rng.uniform(0, 1, 300), np.ones(6) / 6, mode="same")
    kept = reduce_keys(values, tolerance)
    assert kept[0] == 0 and kept[-1] == len(values) - 1
    assert linear_error(values, kept) <= tolerance + 1e-12
    assert len(kept) < len(values)


def test_flat_and_linear_stretches_need_no_keys():
    values = np.concatenate([np.zeros(20), np.linspace(0, 1, 11), np.ones(20)])
    assert list(reduce_keys(values, 1e-6)) == [0, 20, 30, 50]


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
