import numpy as np
import pytest
import soundfile

from lipsync_ai.core.audio import SAMPLE_RATE, load_audio
from lipsync_ai.core.errors import LipsyncError


def tone(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * 220 * t)


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "OGG", "MP3"])
def test_formats_load_to_mono_at_analysis_rate(tmp_path, fmt):
    stereo = np.stack([tone(1.0, 44100), tone(1.0, 44100)], axis=1)
    path = tmp_path / f"clip.{fmt.lower()}"
    soundfile.write(path, stereo, 44100, format=fmt)
    audio = load_audio(path)
    assert audio.sample_rate == SAMPLE_RATE
    assert audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert abs(audio.duration - 1.0) < 0.06


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"not audio at all", "Cannot read"), (np.zeros(0), "empty"), (np.zeros(16000), "silent")],
)
def test_bad_audio_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        soundfile.write(path, content, 16000)
    with pytest.raises(LipsyncError, match=message):
        load_audio(path)
