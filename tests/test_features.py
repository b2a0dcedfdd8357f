"""Log-mel features in numpy: the Slaney mel filter bank and the STFT equal librosa's."""

import numpy as np
import pytest

from conftest import DEMO_AUDIO
from lipsync_ai.core.audio import load_audio
from lipsync_ai.inference.features import FeatureConfig, hz_to_mel, mel_basis, mel_to_hz, raw_log_mel

CONFIGS = [FeatureConfig(), FeatureConfig(sample_rate=22050, n_fft=1024, n_mels=80, fmin=0.0, fmax=11025.0),
           FeatureConfig(n_fft=512, n_mels=40, fmin=300.0, fmax=4000.0)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.sample_rate}-{c.n_fft}-{c.n_mels}")
def test_mel_filter_bank_equals_librosas(config):
    librosa = pytest.importorskip("librosa")
    reference = librosa.filters.mel(sr=config.sample_rate, n_fft=config.n_fft, n_mels=config.n_mels,
                                    fmin=config.fmin, fmax=config.fmax)
    ours = mel_basis(config)
    assert ours.shape == reference.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_mel_scale_is_linear_below_1_khz_and_inverts():
    hz = np.array([0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0])
    assert hz_to_mel(200.0) == pytest.approx(3.0)
    assert hz_to_mel(1000.0) == pytest.approx(15.0)
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(hz)), hz, atol=1e-9)


def test_log_mel_equals_librosas_melspectrogram():
    librosa = pytest.importorskip("librosa")
    config = FeatureConfig()
    samples = load_audio(DEMO_AUDIO).samples[:48000]
    power = librosa.feature.melspectrogram(
        y=samples, sr=config.sample_rate, n_fft=config.n_fft, hop_length=config.hop, window="hann", center=True,
        pad_mode="constant", power=2.0, n_mels=config.n_mels, fmin=config.fmin, fmax=config.fmax)
    np.testing.assert_allclose(raw_log_mel(samples, config), np.log(power.T + 1e-6), atol=1e-3)
