import numpy as np
import pytest

from lipsync_ai.core.animation import AnimationSettings, frame_times, plan_keyframes, tolerance
from lipsync_ai.core.coarticulation import dominance_weights, enforce_contacts, pose_frames, simplify_track
from lipsync_ai.core.keys import bezier
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import RigInfo, bind, settings_for
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
    full = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24, reduce_keys=False))
    half = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24, intensity=0.5, reduce_keys=False))
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


def test_2d_sprite_is_stepped_integer_drawings_held_at_least_min_hold():
    preset = load_preset("rhubarb_2d")
    sprite_binding = bind(preset, RigInfo(frozenset(), {}))
    fast = [Segment("sil", 0, 0.3), Segment("aa", 0.3, 0.34), Segment("E", 0.34, 0.38), Segment("PP", 0.38, 0.4),
            Segment("O", 0.4, 0.7), Segment("sil", 0.7, 1.0)]
    settings = settings_for(preset, fps=24)
    (sprite,) = plan_keyframes(fast, 1.0, sprite_binding, settings).curves
    assert sprite.interpolation == "CONSTANT" and sprite.channel.data_path == '["mouth"]'
    assert np.all(sprite.values == np.round(sprite.values)) and set(sprite.values) <= set(range(9))
    assert 0 in sprite.values, "the closure's drawing shows even though it is shorter than the hold"
    assert np.all(np.diff(sprite.values[:-1]) != 0), "only changes are keyed (and the clip's last frame)"
    holds = np.diff(sprite.frames)
    drawings = sprite.values[:-1]
    assert np.all((holds >= settings.min_hold) | (drawings == 0))


def test_bone_offsets_and_the_jaw_share_one_rotation_per_bone():
    bones = {"jaw_master": "QUATERNION", "lip.T": "XYZ", "lip.B": "XYZ", "lips.L": "XYZ", "lips.R": "XYZ"}
    rigify = bind(load_preset("rigify"), RigInfo(frozenset(), bones))
    plan = plan_keyframes(TRACK, 1.2, rigify, AnimationSettings(fps=24, reduce_keys=False))
    paths = {(c.channel.data_path, c.channel.index) for c in plan.curves}
    assert {('pose.bones["lips.L"].location', 0), ('pose.bones["lip.B"].location', 2)} <= paths
    assert ('pose.bones["lip.B"].rotation_euler', 0) in paths, "FF rolls the lower lip"
    quat = [c.values for c in plan.curves if c.channel.data_path == 'pose.bones["jaw_master"].rotation_quaternion']
    assert len(quat) == 4 and np.allclose(sum(q ** 2 for q in quat), 1.0)
    corners = next(c for c in plan.curves if c.channel.data_path == 'pose.bones["lips.L"].location')
    o_frame = int(0.82 * 24)
    assert corners.values[o_frame] < 0, "the O narrows the mouth corners"


def test_preset_animation_defaults_apply_and_overrides_win():
    preset = load_preset("rhubarb_2d")
    assert settings_for(preset).stepped and settings_for(preset).min_hold == 2
    assert settings_for(preset, min_hold=3, fps=30.0).min_hold == 3
    assert settings_for(preset, min_hold=None).min_hold == 2


def test_stepped_3d_keys_only_changes():
    plan = plan_keyframes(TRACK, 1.2, binding(), AnimationSettings(fps=24, stepped=True))
    for c in plan.curves:
        assert c.interpolation == "CONSTANT"
        assert np.all(np.diff(c.values[:-1]) != 0)


def test_keys_land_on_the_poses_and_a_held_viseme_stays_still_between_its_two_keys():
    track = [Segment("sil", 0.0, 0.3), Segment("aa", 0.3, 0.8), Segment("PP", 0.8, 0.84), Segment("O", 0.84, 1.0),
             Segment("sil", 1.0, 1.3)]
    settings = AnimationSettings(fps=24)
    plan = plan_keyframes(track, 1.3, binding(), settings)
    _, times = frame_times(1.3, settings)
    planned = simplify_track(track, settings)
    weights, contacts = enforce_contacts(dominance_weights(planned, times, settings), planned, times)
    poses = set((pose_frames(weights, planned, times, contacts) + settings.start_frame).tolist())
    for c in plan.curves:
        assert set(c.frames.tolist()) <= poses, c.channel
    aa = curve(plan, "viseme_aa")
    held = aa.frames[(aa.frames > 0.3 * 24 + 1) & (aa.frames < 0.8 * 24 + 1)]
    assert len(held) == 2
    played = bezier(aa.frames, aa.values, np.arange(held[0], held[1] + 1))
    assert np.ptp(played) <= settings.key_tolerance and played.min() > 0.8


def test_a_bones_tolerance_is_a_share_of_its_full_range_whatever_the_clip_uses():
    quiet = [Segment("sil", 0.0, 0.3), Segment("I", 0.3, 0.6), Segment("sil", 0.6, 0.9)]
    settings = AnimationSettings(fps=24, reduce_keys=False)
    jaw = next(c for c in plan_keyframes(quiet, 0.9, binding(), settings).curves if c.channel.owner == "armature")
    full = np.radians(load_preset("visemes15").jaw.max_angle)
    assert np.ptp(jaw.values) < 0.5 * full
    assert tolerance(jaw, settings) == pytest.approx(settings.key_tolerance * full)


def test_a_quaternions_components_share_one_tolerance():
    plan = plan_keyframes(TRACK, 1.2, binding("QUATERNION"), AnimationSettings(fps=24, reduce_keys=False))
    quat = [c for c in plan.curves if c.channel.data_path.endswith("rotation_quaternion")]
    assert len(quat) == 4 and np.ptp(quat[0].values) < 0.2 * np.ptp(quat[1].values), "w barely moves"
    assert len({tolerance(c, AnimationSettings()) for c in quat}) == 1
