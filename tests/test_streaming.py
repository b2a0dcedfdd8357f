"""The streaming engine: the same network frame by frame, any chunk size, converging to the offline result."""

import numpy as np
import pytest

from conftest import DEMO_AUDIO
from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind, own_rig
from lipsync_ai.core.visemes import VISEMES
from lipsync_ai.inference.features import FeatureConfig, RunningNorm, log_mel, normalise, raw_log_mel
from lipsync_ai.inference.model import load, log_posteriors
from lipsync_ai.inference.network import NetState
from lipsync_ai.inference.streaming import SHARPNESS, STREAM_WEIGHTS, Stream, load_stream_model


@pytest.fixture(scope="module")
def speech():
    return load_audio(DEMO_AUDIO).samples  # 16 kHz


def run(stream: Stream, samples: np.ndarray, chunk: int) -> list[tuple[float, dict[str, float]]]:
    out = []
    for start in range(0, len(samples), chunk):
        out += stream.push(samples[start:start + chunk])
    return out


def matrix(out) -> np.ndarray:
    return np.array([[w[v] for v in VISEMES] for _, w in out])


def test_frame_by_frame_and_in_blocks_equals_the_whole_clip_network():
    net = load_stream_model().network
    frames = np.random.default_rng(0).standard_normal((200, 64)).astype(np.float32)
    whole = net.logits(frames)
    ahead = net.lookahead
    one = NetState(net)
    stepped = np.concatenate([one.push(f[None]) for f in frames])[ahead:]
    blocks = NetState(net)
    split = np.concatenate([blocks.push(frames[a:b]) for a, b in ((0, 1), (1, 1), (1, 60), (60, 200))])[ahead:]
    np.testing.assert_allclose(stepped, whole[: 200 - ahead], atol=1e-5)
    np.testing.assert_allclose(split, stepped, atol=1e-5)


def test_running_normalisation_is_split_free_and_comes_to_the_clip_statistics(speech):
    raw = raw_log_mel(speech, FeatureConfig())
    prior = RunningNorm(raw.mean(axis=0) + 3.0, raw.std(axis=0) * 2, 30)  # a prior far from this voice
    whole = prior(raw)
    pieces = RunningNorm(raw.mean(axis=0) + 3.0, raw.std(axis=0) * 2, 30)
    split = np.concatenate([pieces(raw[:1]), pieces(raw[1:37]), pieces(raw[37:37]), pieces(raw[37:])])
    np.testing.assert_allclose(split, whole, atol=1e-5)
    clip = normalise(raw)
    assert np.abs(whole[:20] - clip[:20]).mean() > 0.3, "at first the prior dominates"
    assert np.abs(whole[-100:] - clip[-100:]).mean() < 0.25, "later the voice's own statistics do"


def test_latency_is_within_the_budget():
    assert load_stream_model().latency <= 0.050


def test_chunk_sizes_give_the_same_output(speech):
    clip = speech[:32000]
    reference = run(Stream(), clip, 16000)
    complete = 1 + (200 + 32000 - 400) // 160  # frames whose 400-sample window is in (frame 0 centred on sample 0)
    assert len(reference) == complete - load_stream_model().lookahead
    for chunk in (1, 37, 160, 4000):
        out = run(Stream(), clip, chunk)
        assert [t for t, _ in out] == [t for t, _ in reference]
        np.testing.assert_allclose(matrix(out), matrix(reference), atol=1e-5)


def test_any_sample_rate_is_resampled_the_same_way_whatever_the_chunks(speech):
    import soxr

    clip = soxr.resample(speech[:32000], 16000, 44100)
    small, large = run(Stream(44100), clip, 441), run(Stream(44100), clip, 44100)
    assert abs(len(small) - len(large)) <= 1
    n = min(len(small), len(large))
    np.testing.assert_allclose(matrix(small)[:n], matrix(large)[:n], atol=1e-3)


def test_streams_keep_their_own_state(speech):
    a, b = speech[:16000], speech[16000:32000]
    alone_a, alone_b = run(Stream(), a, 160), run(Stream(), b, 160)
    first, second = Stream(), Stream()
    mixed_a, mixed_b = [], []
    for start in range(0, 16000, 160):
        mixed_a += first.push(a[start:start + 160])
        mixed_b += second.push(b[start:start + 160])
    np.testing.assert_allclose(matrix(mixed_a), matrix(alone_a))
    np.testing.assert_allclose(matrix(mixed_b), matrix(alone_b))


def test_the_stream_converges_to_the_offline_result(speech):
    model = load_stream_model()
    net, features = load(STREAM_WEIGHTS)
    offline = (np.exp(log_posteriors(net.logits, log_mel(speech, features), net.reach)) @ model.to_visemes)
    offline **= SHARPNESS
    offline /= offline.sum(axis=1, keepdims=True)
    live = matrix(run(Stream(smoothing=0), speech, 160))
    later = slice(300, len(live))  # after 3 s the running normalisation has heard enough of the voice
    agree = np.mean(live[later].argmax(axis=1) == offline[: len(live)][later].argmax(axis=1))
    assert agree >= 0.85, agree
    assert np.abs(live[later] - offline[: len(live)][later]).mean() < 0.05


def test_silence_rests_the_mouth_and_a_binding_gives_rig_targets(speech):
    quiet = run(Stream(), np.zeros(16000, np.float32), 160)
    assert quiet[-1][1]["sil"] > 0.9
    preset = load_preset("arkit")
    stream = Stream(binding=bind(preset, own_rig(preset)))
    out = run(stream, speech[:48000], 160)
    keys = set(out[0][1])
    assert {"jawOpen", "mouthClose", "jaw"} <= keys
    assert max(w["jawOpen"] for _, w in out) > 0.2, "the jaw opens on speech"
    assert all(0.0 <= v <= 1.0 for _, w in out for v in w.values())


def test_a_streamed_class_shows_the_viseme_its_recognised_label_would():
    from lipsync_ai.core.phone_classes import representative_label
    from lipsync_ai.core.visemes import phone_viseme

    shown = [VISEMES[v] for v in load_stream_model().to_visemes.argmax(axis=1)]
    for english in (True, False):
        assert shown == [phone_viseme(representative_label(c, english)) for c in range(len(shown))]
