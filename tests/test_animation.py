import numpy as np
import pytest

from lipsync_ai.core.animation import AnimationSettings, plan_keyframes
from lipsync_ai.core.presets import RigInfo, bind, load_preset
from lipsync_ai.core.types import Segment

NAMES = frozenset(f"viseme_{v}" for v in ("PP", "FF", "aa", "O"))


def binding(mode="XYZ"):
    return bind(load_preset("visemes15"), RigInfo(NAMES, {"jaw": mode}))


def curve(plan, target):
    return next(c for c in plan.curves if c.channel.target == target and c.channel.owner == "shape_keys")


TRACK = [Segment("sil", 0.0, 0.3), Segment("aa", 0.3, 0.5), Segment("PP", 0.5, 0.54), Segment("aa", 0.54, 0.7),
         Segment("FF", 0.7, 0.75), Segment("O", 0.75, 0.9), Segment("sil", 0.9, 1.2)]


def test_plan_keys_every_frame_of_the_clip_from_the_start_frame():
    plan = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=25, start_frame=101))
    assert (plan.frame_start, plan.frame_end) == (101, 131)
    for c in plan.curves:
        assert c.frames[0] == 101 and c.frames[-1] == 131
        assert np.all((c.values >= 0) & (c.values <= 1)) or c.channel.owner == "armature"


def test_short_closures_still_close_and_lips_touch():
    plan = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24))
    assert curve(plan, "viseme_PP").values.max() > 0.8
    assert curve(plan, "viseme_FF").values.max() > 0.7
    jaw = next(c for c in plan.curves if c.channel.owner == "armature")
    frame_at = np.argmin(np.abs(jaw.frames - 1 - 0.52 * 24))
    assert jaw.values[frame_at] < 0.5 * jaw.values.max()


def test_silence_rests_and_intensity_scales():
    full = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24))
    half = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24, intensity=0.5))
    aa_full, aa_half = curve(full, "viseme_aa").values, curve(half, "viseme_aa").values
    assert aa_full[0] < 0.01 and aa_full[-1] < 0.01
    assert np.allclose(aa_half, aa_full * 0.5)


@pytest.mark.parametrize(("mode", "count"), [("XYZ", 1), ("QUATERNION", 4), ("AXIS_ANGLE", 4)])
def test_jaw_follows_the_bone_rotation_mode(mode, count):
    plan = plan_keyframes(TRACK, 1.2, binding(mode), AnimationSettings(fps=24))
    jaw = [c for c in plan.curves if c.channel.owner == "armature"]
    assert len(jaw) == count
    if mode == "QUATERNION":
        norm = sum(c.values ** 2 for c in jaw)
        assert np.allclose(norm, 1.0)
    assert max(c.values.max() for c in jaw if c.channel.index in (0, 1)) > 0.1
