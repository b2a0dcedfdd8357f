"""Audio envelopes in numpy: loudness and relative pitch, the same however the frames are split into blocks."""

import numpy as np
import pytest

from lipsync_ai.core import envelope
from lipsync_ai.core.types import Audio

RATE = 16000


def tone(hz: np.ndarray, amplitude: float = 0.5) -> np.ndarray:
    """A sawtooth-rich tone whose frequency follows ``hz`` (one value per sample)."""
    phase = 2 * np.pi * np.cumsum(hz) / RATE
    return amplitude * (np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase))


def test_pitch_follows_a_rising_tone_and_holds_through_silence():
    glide = tone(np.geomspace(110.0, 330.0, 2 * RATE))
    audio = Audio(np.concatenate([glide, np.zeros(RATE // 2)]).astype(np.float32), RATE)
    times = np.arange(0, 2.5, 1 / 24)
    relative = envelope.pitch(audio, times)
    voiced = relative[(times > 0.1) & (times < 1.9)]
    assert np.all(np.diff(voiced) >= -1e-9), "a rising tone never reads as falling"
    assert voiced[0] < 0.1 and voiced[-1] > 0.9
    assert np.all(relative[times > 2.1] == relative[times <= 2.0][-1]), "silence holds the last voiced value"


@pytest.mark.parametrize("hz", [100.0, 200.0, 350.0])
def test_pitch_lag_of_a_steady_tone(hz):
    audio = Audio(tone(np.full(RATE, hz)).astype(np.float32), RATE)
    lag, peak, _ = envelope._autocorrelation(audio, np.array([0.5]), int(RATE / 400), int(RATE / 70))
    assert RATE / lag[0] == pytest.approx(hz, rel=0.02) and peak[0] > 0.4, "voiced"


def test_blocks_do_not_change_the_envelopes(monkeypatch):
    rng = np.random.default_rng(0)
    samples = tone(np.repeat(rng.uniform(90, 300, 20), RATE // 10)) * np.repeat(rng.uniform(0, 1, 20), RATE // 10)
    audio = Audio(samples.astype(np.float32), RATE)
    times = np.arange(0, 2.0, 1 / 30)
    whole = envelope.loudness(audio, times), envelope.pitch(audio, times)
    monkeypatch.setattr(envelope, "BLOCK", 7)
    np.testing.assert_array_equal(envelope.loudness(audio, times), whole[0])
    np.testing.assert_array_equal(envelope.pitch(audio, times), whole[1])


def test_the_low_pass_calms_fast_wiggles_keeps_slow_motion_and_never_overshoots():
    from lipsync_ai.core.envelope import low_pass

    frames = np.arange(240) / 24
    slow, fast = 0.5 + 0.4 * np.sin(2 * np.pi * 1.0 * frames), 0.1 * np.sin(2 * np.pi * 10.0 * frames)
    out = low_pass(slow + fast, 24, 4.0)
    assert np.abs(out - slow)[24:-24].max() < 0.025, "the 10 Hz flutter is gone, the 1 Hz motion stays"
    step = np.r_[np.zeros(30), np.ones(30)]
    smoothed = low_pass(step, 24, 4.0)
    assert smoothed.min() >= 0 and smoothed.max() <= 1 + 1e-12 and np.all(np.diff(smoothed) >= -1e-12)
    assert np.array_equal(low_pass(step, 24, 0.0), step)
