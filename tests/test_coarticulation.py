"""Coarticulation rules, without Blender: anticipation, contacts that always read, no flapping at high rates."""

import numpy as np
import pytest

from lipsync_ai.core.animation import frame_times, plan_keyframes
from lipsync_ai.core.coarticulation import (
    ANTICIPATION,
    DOMINANCE,
    dominance_weights,
    enforce_contacts,
    pose_frames,
    simplify_track,
)
from lipsync_ai.core.emotion import EmotionLayer
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import RigInfo, bind
from lipsync_ai.core.settings import CONTACT, AnimationSettings
from lipsync_ai.core.types import Segment
from lipsync_ai.core.visemes import VISEMES

SHAPES = frozenset(f"viseme_{v}" for v in VISEMES[1:]) | {"mouthSmileLeft", "mouthSmileRight"}


def binding():
    return bind(load_preset("visemes15"), RigInfo(SHAPES, {"jaw": "XYZ"}))


def track_of(labels, durations, start=0.3):
    """A track: silence, then ``labels`` with ``durations`` (seconds), then silence."""
    segments, t = [Segment("sil", 0.0, start)], start
    for label, d in zip(labels, durations, strict=True):
        segments.append(Segment(label, t, t + d))
        t += d
    segments.append(Segment("sil", t, t + 0.3))
    return segments, t + 0.3


def values(plan, viseme):
    c = next(c for c in plan.curves if c.channel.target == f"viseme_{viseme}")
    return c.frames, c.values


def random_track(rng, count, low, high):
    labels = list(rng.choice(VISEMES[1:], size=count))
    return track_of(labels, list(rng.uniform(low, high, size=count)))


def dense(track, times, settings) -> np.ndarray:
    """The frames x segments matrix of ``dominance_weights``."""
    return dominance_weights(track, times, settings) @ np.eye(len(track))


def dense_reference(track, times, settings) -> np.ndarray:
    """Every frame against every segment, as the shares are defined."""
    starts, ends = np.array([[s.start for s in track]]), np.array([[s.end for s in track]])
    strength = np.array([[DOMINANCE.get(s.label, 1.0) for s in track]])
    ahead = np.array([[settings.anticipation * ANTICIPATION.get(s.label, 1.0) for s in track]])
    t = times[:, None]
    dominance = strength * np.exp(-(np.maximum(0.0, starts - t) / ahead + np.maximum(0.0, t - ends)
                                    / settings.blend_time))
    return dominance / dominance.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(8))
def test_banded_shares_equal_every_frame_against_every_segment(seed):
    rng = np.random.default_rng(seed)
    track, duration = random_track(rng, int(rng.integers(1, 120)), 0.005, rng.uniform(0.02, 0.6))
    settings = AnimationSettings(fps=int(rng.choice([24, 30, 60])), anticipation=rng.uniform(0.01, 0.3),
                                 blend_time=rng.uniform(0.01, 0.2))
    _, times = frame_times(duration, settings)
    weights = dominance_weights(track, times, settings)
    assert weights.values.shape[1] <= len(track)
    np.testing.assert_allclose(weights @ np.eye(len(track)), dense_reference(track, times, settings), rtol=0,
                               atol=1e-9)


def test_a_long_clip_keeps_a_narrow_band():
    track, duration = random_track(np.random.default_rng(0), 3000, 0.03, 0.15)
    settings = AnimationSettings()
    _, times = frame_times(duration, settings)
    assert dominance_weights(track, times, settings).values.shape[1] < 150


def test_lips_anticipate_the_next_viseme_more_than_they_carry_over():
    track, duration = track_of(["aa", "U", "aa"], [0.3, 0.2, 0.3])
    settings = AnimationSettings(fps=100)
    _, times = frame_times(duration, settings)
    weights = dense(track, times, settings)
    u = weights[:, 2]
    onset, offset = 0.6, 0.8
    before = u[np.searchsorted(times, onset - 0.05)]
    after = u[np.searchsorted(times, offset + 0.05)]
    assert before > 0.2, "rounding has started 50 ms before the U sounds"
    assert before > after, "anticipation reaches further than carry-over"
    assert np.allclose(weights.sum(axis=1), 1.0)


def test_rounding_anticipates_earlier_than_spreading():
    rounded, duration = track_of(["aa", "U"], [0.3, 0.3])
    spread, _ = track_of(["aa", "I"], [0.3, 0.3])
    settings = AnimationSettings(fps=100)
    _, times = frame_times(duration, settings)
    at = np.searchsorted(times, 0.6 - 0.08)
    assert dense(rounded, times, settings)[at, 2] > dense(spread, times, settings)[at, 2]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("fps", "low", "high"), [(24, 0.02, 0.12), (30, 0.01, 0.06), (60, 0.03, 0.2)])
def test_every_closure_closes_and_every_f_v_touches(seed, fps, low, high):
    track, duration = random_track(np.random.default_rng(seed), 40, low, high)
    settings = AnimationSettings(fps=fps, intensity=0.4)
    plan = plan_keyframes(track, duration, binding(), settings, emotion=EmotionLayer("happy", 1.0))
    kept = simplify_track(track, settings)
    for viseme, share in (("PP", 0.95), ("FF", 0.9)):
        frames, vals = values(plan, viseme)
        key_at = dict(zip(frames, vals, strict=True))
        contacts = [s for s in kept if s.label == viseme]
        for seg in (s for s in track if s.label == viseme):
            assert any(c.start <= seg.start and seg.end <= c.end for c in contacts), "contacts are never dropped"
        for seg in contacts:
            window = [f for f in key_at if seg.start * fps - 1.5 <= f - 1 <= seg.end * fps + 1.5]
            assert max(key_at[f] for f in window) >= share, (viseme, seg)


def test_contact_frames_have_keys_at_full_closure_after_reduction():
    track, duration = track_of(["aa", "PP", "O", "PP", "aa", "FF", "I"], [0.15, 0.03, 0.1, 0.05, 0.12, 0.04, 0.2])
    plan = plan_keyframes(track, duration, binding(), AnimationSettings(fps=24, key_tolerance=0.2))
    frames, vals = values(plan, "PP")
    assert len(plan.contact_frames) == 3
    for frame in plan.contact_frames[:2]:
        assert frame in frames and vals[list(frames).index(frame)] >= 0.95
    jaw = next(c for c in plan.curves if c.channel.owner == "armature")
    for frame in plan.contact_frames[:2]:
        assert jaw.values[list(jaw.frames).index(frame)] < 0.1 * jaw.values.max()


def test_enforce_contacts_only_touches_the_contact_frame():
    track, duration = track_of(["aa", "PP", "aa"], [0.2, 0.02, 0.2])
    settings = AnimationSettings(fps=24)
    _, times = frame_times(duration, settings)
    weights = dominance_weights(track, times, settings)
    banded, frames = enforce_contacts(weights, track, times)
    fixed, weights = banded @ np.eye(len(track)), weights @ np.eye(len(track))
    (frame,) = frames
    assert fixed[frame, 2] >= 0.95 and np.isclose(fixed[frame].sum(), 1.0)
    others = np.delete(np.arange(len(times)), frame)
    assert np.array_equal(fixed[others], weights[others])


def test_fast_minor_visemes_are_dropped_instead_of_flapping():
    labels = ["aa", "kk", "E", "nn", "aa", "DD", "I", "kk", "O", "PP", "aa"] * 3
    track, duration = track_of(labels, [0.035] * len(labels))
    settings = AnimationSettings(fps=24)
    kept = simplify_track(track, settings)
    assert len(kept) < len(track) * 0.75
    assert sum(s.label == "PP" for s in kept) == 3
    assert {"kk", "nn"}.isdisjoint(s.label for s in kept)
    assert kept[0].start == 0 and kept[-1].end == pytest.approx(duration)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(kept, kept[1:], strict=False))
    slow = simplify_track(track_of(labels, [0.12] * len(labels))[0], settings)
    assert len(slow) == len(track), "at a normal rate nothing is dropped"


def test_min_hold_and_max_rate_control_what_is_dropped():
    track, _ = track_of(["aa", "E", "O", "I", "U"], [0.06] * 5)
    assert len(simplify_track(track, AnimationSettings(max_rate=10))) < len(track)
    assert len(simplify_track(track, AnimationSettings(max_rate=20, min_hold=1))) == len(track)
    assert len(simplify_track(track, AnimationSettings(min_hold=4, fps=24))) < len(track)


def test_loudness_drives_the_jaw_by_the_balance():
    track, duration = track_of(["aa", "O", "aa"], [0.2, 0.2, 0.2])
    settings = AnimationSettings(fps=24, reduce_keys=False)
    frames, _ = frame_times(duration, settings)

    def jaw(balance, loud):
        plan = plan_keyframes(track, duration, binding(), AnimationSettings(fps=24, reduce_keys=False,
                                                                            jaw_balance=balance),
                              {"loudness": np.full(len(frames), loud)})
        return next(c for c in plan.curves if c.channel.owner == "armature").values

    assert np.allclose(jaw(0.0, 0.2), jaw(0.0, 1.0))
    assert np.all(jaw(1.0, 0.3) <= jaw(1.0, 1.0)) and jaw(1.0, 0.3).max() < 0.5 * jaw(1.0, 1.0).max()


def test_per_viseme_intensity_scales_one_viseme_and_never_a_contact():
    track, duration = track_of(["aa", "PP", "O"], [0.2, 0.06, 0.2])
    base = AnimationSettings(fps=24, reduce_keys=False)
    soft = AnimationSettings(fps=24, reduce_keys=False, viseme_intensity={"aa": 0.5, "PP": 0.1})
    full, half = plan_keyframes(track, duration, binding(), base), plan_keyframes(track, duration, binding(), soft)
    assert np.allclose(values(half, "aa")[1], values(full, "aa")[1] * 0.5)
    assert np.allclose(values(half, "PP")[1], values(full, "PP")[1])
    assert np.allclose(values(half, "O")[1], values(full, "O")[1])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("fps", [24, 30, 60])
def test_no_cue_is_shorter_than_a_frame_and_short_contacts_are_widened_not_dropped(seed, fps):
    track, duration = random_track(np.random.default_rng(seed), 60, 0.004, 0.07)
    kept = simplify_track(track, AnimationSettings(fps=fps))
    frame = 1 / fps
    assert kept[0].start == 0 and kept[-1].end == pytest.approx(duration)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(kept, kept[1:], strict=False))
    for seg in (s for s in track if s.label in CONTACT):
        assert any(c.label == seg.label and c.start <= seg.start + 1e-9 and seg.end - 1e-9 <= c.end for c in kept)
    for i, seg in enumerate(kept):
        if seg.end - seg.start < frame - 1e-9:
            assert seg.label in CONTACT, seg
            spare = [n.end - n.start - frame for n in kept[max(i - 1, 0):i] + kept[i + 1:i + 2]
                     if n.label not in CONTACT]
            assert sum(max(s, 0) for s in spare) < 1e-9, "it took what its neighbours could give"


def test_the_pose_frames_are_each_visemes_apex_a_holds_two_ends_and_every_contact():
    track, duration = track_of(["aa", "PP", "O", "E"], [0.4, 0.03, 0.08, 0.1])
    settings = AnimationSettings(fps=24)
    _, times = frame_times(duration, settings)
    weights, contacts = enforce_contacts(dominance_weights(track, times, settings), track, times)
    keyed = pose_frames(weights, track, times, contacts)
    assert keyed[0] == 0 and keyed[-1] == len(times) - 1 and set(contacts) <= set(keyed.tolist())
    for seg in track[1:-1]:
        inside = [f for f in keyed if seg.start <= times[f] <= seg.end]
        assert len(inside) == (2 if seg.label == "aa" else 1), seg
    aa = [f for f in keyed if 0.3 <= times[f] <= 0.7]
    assert aa[1] - aa[0] > 2, "the held vowel is keyed where its hold starts and where it ends"
