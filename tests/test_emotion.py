"""Emotion layers and audio envelopes: intensity over time, shapes on top, closures still close."""

import numpy as np
import pytest
from families import ARKIT

from lipsync_ai.core.animation import frame_times, plan_keyframes
from lipsync_ai.core.emotion import EmotionLayer, emotion_curve, parse_intensity
from lipsync_ai.core.envelope import loudness, pitch
from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import RigInfo, bind
from lipsync_ai.core.settings import AnimationSettings
from lipsync_ai.core.types import Audio, Segment

TRACK = [Segment("sil", 0, 0.3), Segment("aa", 0.3, 0.6), Segment("PP", 0.6, 0.66), Segment("E", 0.66, 1.0),
         Segment("sil", 1.0, 1.4)]
SETTINGS = AnimationSettings(fps=24, reduce_keys=False)


def binding(preset="arkit"):
    return bind(load_preset(preset), RigInfo(frozenset(ARKIT), {}))


def curve(plan, name):
    return next(c for c in plan.curves if c.channel.target == name).values


def test_intensity_forms():
    times = np.linspace(0, 2, 5)
    assert np.allclose(emotion_curve(EmotionLayer("sad", 0.4), times, {}), 0.4)
    ramp = EmotionLayer("happy", ((0.0, 0.0), (2.0, 1.0)))
    assert np.allclose(emotion_curve(ramp, times, {}), [0, 0.25, 0.5, 0.75, 1])
    loud = np.array([0.0, 0.5, 1.5, 0.2, 0.0])
    assert np.allclose(emotion_curve(EmotionLayer("angry", "loudness"), times, {"loudness": loud}),
                       np.clip(loud, 0, 1))
    assert parse_intensity("0:0, 1.5:1") == ((0.0, 0.0), (1.5, 1.0)) and parse_intensity("pitch") == "pitch"
    with pytest.raises(LipsyncError):
        parse_intensity("very")
    with pytest.raises(LipsyncError):
        EmotionLayer("bored")


def test_happy_smiles_yet_closures_close():
    plain = plan_keyframes(TRACK, 1.4, binding(), SETTINGS)
    happy = plan_keyframes(TRACK, 1.4, binding(), SETTINGS, emotion=EmotionLayer("happy", 1.0))
    smile, plain_smile = curve(happy, "mouthSmileLeft"), curve(plain, "mouthSmileLeft")
    assert smile[2] > 0.5 and plain_smile[2] < 0.01
    (contact,) = happy.contact_frames
    f = contact - happy.frame_start
    pose = load_preset("arkit").visemes["PP"].shapes
    for target, weight in pose.items():
        assert curve(happy, binding().shape_keys[target])[f] >= 0.95 * weight
    assert smile[f] < 0.1, "the smile gives way while the lips press"
    assert curve(happy, "jawOpen")[f] < 0.05


def test_emotion_scales_articulation_but_not_contacts():
    plain = plan_keyframes(TRACK, 1.4, binding(), SETTINGS)
    sad = plan_keyframes(TRACK, 1.4, binding(), SETTINGS, emotion=EmotionLayer("sad", 1.0))
    assert curve(sad, "jawOpen").max() < curve(plain, "jawOpen").max()
    assert curve(sad, "mouthPressLeft").max() == pytest.approx(curve(plain, "mouthPressLeft").max())


def test_loudness_follows_the_signal_and_pitch_follows_a_chirp():
    rate = 16000
    t = np.arange(2 * rate) / rate
    burst = np.where((t > 0.5) & (t < 1.0), 0.5, 0.05) * np.sin(2 * np.pi * 150 * t)
    times = np.linspace(0, 2, 41)
    loud = loudness(Audio(burst.astype(np.float32), rate), times)
    assert loud[15] > 0.9 and loud[30] < 0.2
    chirp = 0.5 * np.sin(2 * np.pi * (100 * t + 50 * t ** 2))
    rel = pitch(Audio(chirp.astype(np.float32), rate), times)
    assert rel[5] < rel[20] < rel[35] and 0 <= rel.min() and rel.max() <= 1


def test_every_builtin_emotion_layer_names_shapes_its_preset_defines():
    for preset_id in ("arkit", "visemes15", "cc4", "vroid"):
        preset = load_preset(preset_id)
        assert set(preset.emotions) == {"neutral", "happy", "sad", "angry", "surprised"}


def test_emotion_from_audio_without_audio_is_an_error():
    frames, _ = frame_times(1.4, SETTINGS)
    with pytest.raises(LipsyncError, match="no audio"):
        plan_keyframes(TRACK, 1.4, binding(), SETTINGS, emotion=EmotionLayer("happy", "pitch"))
    plan = plan_keyframes(TRACK, 1.4, binding(), SETTINGS, {"pitch": np.ones(len(frames))},
                          EmotionLayer("happy", "pitch"))
    assert curve(plan, "mouthSmileLeft").max() > 0.5
