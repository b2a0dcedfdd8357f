"""Pose targets in the pure layer: a pose Action's numbers mixed with the coarticulation weights, a frame range
played through over the viseme, stepped poses held; detection only where the Actions are."""

from dataclasses import replace

import numpy as np
import pytest

from lipsync_ai.core.animation import AnimationSettings, plan_keyframes
from lipsync_ai.core.detect import detect
from lipsync_ai.core.poses import PoseBank, PoseChannel
from lipsync_ai.core.preset_files import load_all, load_preset
from lipsync_ai.core.presets import RigInfo, bind
from lipsync_ai.core.types import Segment

TRACK = [Segment("sil", 0.0, 0.2), Segment("aa", 0.2, 0.7), Segment("PP", 0.7, 0.76), Segment("E", 0.76, 0.9),
         Segment("sil", 0.9, 1.2)]
LIP = PoseChannel("armature", 'pose.bones["lip"].location', 2, "lip", 0.0)
JAW = PoseChannel("armature", 'pose.bones["jaw"].rotation_quaternion', 0, "jaw", 1.0)
FPS = 100


def bank(aa_jaw=(0.9,)):
    """sil holds the lip at 0.001 and leaves the jaw to its rest (1.0); PP presses the lip; aa opens the jaw
    (over a frame range when ``aa_jaw`` has several values)."""
    nan = np.nan
    return PoseBank((LIP, JAW), {
        "sil": np.array([[0.001, nan]]),
        "PP": np.array([[-0.004, 1.0]]),
        "aa": np.array([[0.0, j] for j in aa_jaw]),
        "E": np.array([[0.002, 0.95]]),
    })


def plan(poses, **settings):
    preset = load_preset("pose_actions")
    binding = replace(bind(preset, RigInfo(frozenset(), {}, actions=frozenset(preset.pose_actions()))), poses=poses)
    return plan_keyframes(TRACK, 1.2, binding, AnimationSettings(**({"fps": FPS, "reduce_keys": False} | settings)))


def values(result, channel):
    return next(c.values for c in result.curves if c.channel.data_path == channel.data_path)


def frame(t):
    return round(t * FPS)


def test_pose_channels_mix_from_the_sil_pose_or_the_rest_and_closures_reach_the_mbp_pose():
    result = plan(bank())
    lip, jaw = values(result, LIP), values(result, JAW)
    assert lip[0] == pytest.approx(0.001, abs=2e-4), "sil's own value is the rest"
    assert jaw[0] == pytest.approx(1.0, abs=5e-3), "sil does not key the jaw: its rest value"
    assert lip[frame(0.7):frame(0.76) + 1].min() <= 0.001 + 0.95 * (-0.004 - 0.001), "M/B/P reach 95 %"
    assert jaw.min() == pytest.approx(0.9, abs=0.01), "aa reaches its pose"
    assert 0.001 > lip[frame(0.68)] > -0.004, "anticipation blends between the poses"
    assert {c.channel.group for c in result.curves} == {"lip", "jaw"}


def test_a_frame_range_plays_through_over_the_visemes_hold():
    opening = values(plan(bank(aa_jaw=(1.0, 0.9, 0.8, 0.7, 0.6))), JAW)
    inside = opening[frame(0.25):frame(0.5)]
    assert np.all(np.diff(inside) < 0), "the range's frames follow one another over the viseme"
    assert inside[0] > 0.9 and inside[-1] < 0.8


def test_stepped_poses_show_the_dominant_visemes_pose_with_constant_keys():
    result = plan(bank(), stepped=True, min_hold=2)
    lip = values(result, LIP)
    assert set(np.round(lip, 6)) <= {0.001, -0.004, 0.0, 0.002}, "no blend between drawings"
    assert -0.004 in np.round(lip, 6)
    assert {c.interpolation for c in result.curves} == {"CONSTANT"}


def test_only_moving_channels_stay_and_the_mouth_channel_list_names_them():
    still = PoseChannel("armature", 'pose.bones["brow"].location', 0, "brow", 0.0)
    poses = PoseBank((LIP, still), {"sil": np.array([[0.0, 0.0]]), "PP": np.array([[-0.004, 0.0]])}).moving()
    assert [c.name for c in poses.channels] == ["lip"] and poses.samples["PP"].shape == (1, 1)
    preset = load_preset("pose_actions")
    binding = replace(bind(preset, RigInfo(frozenset(), {}, actions=frozenset(preset.pose_actions()))), poses=poses)
    assert binding.mouth_channels() == ("lip",)
    assert binding.restricted(["jaw"]).poses.channels == ()


def test_pose_presets_are_detected_only_where_their_actions_animate_the_rig():
    presets = load_all()
    bones = {"jaw": "XYZ", "lip.T": "XYZ", "lip.B": "XYZ", "lips.L": "XYZ", "lips.R": "XYZ", "jaw_master": "XYZ"}
    assert detect(presets, RigInfo(frozenset(), bones)).best.preset.id == "rigify"
    actions = frozenset(load_preset("pose_actions").pose_actions())
    found = detect(presets, RigInfo(frozenset(), bones, actions=actions))
    assert found.best.preset.id == "pose_actions" and "Action Mouth_MBP" in found.explain()
    nothing = detect([load_preset("pose_actions"), load_preset("action_sheet_2d")], RigInfo(frozenset(), bones))
    assert nothing.best is None


def test_single_frame_poses_are_keyed_on_the_pose_frames_and_ranges_anywhere():
    from lipsync_ai.core.animation import frame_times
    from lipsync_ai.core.coarticulation import dominance_weights, enforce_contacts, pose_frames, simplify_track

    settings = AnimationSettings(fps=FPS)
    _, times = frame_times(1.2, settings)
    planned = simplify_track(TRACK, settings)
    weights, contacts = enforce_contacts(dominance_weights(planned, times, settings), planned, times)
    poses = set((pose_frames(weights, planned, times, contacts) + settings.start_frame).tolist())
    held = plan(bank(), reduce_keys=True)
    assert all(set(c.frames.tolist()) <= poses for c in held.curves)
    ranged = plan(bank(aa_jaw=tuple(np.linspace(0.9, 1.0, 8))), reduce_keys=True)
    jaw = next(c for c in ranged.curves if c.channel.data_path == JAW.data_path)
    assert not set(jaw.frames.tolist()) <= poses, "a frame range plays between the pose frames"
