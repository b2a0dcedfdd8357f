"""The neural timer with the shipped weights: complete, monotonic timings in every mode and for bad input."""

from pathlib import Path

import numpy as np
import pytest

from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.phonemes import transcribe
from lipsync_ai.core.types import SILENCE, Alignment, Audio, WordPron
from lipsync_ai.inference.model import WEIGHTS
from lipsync_ai.inference.network_timer import NetworkTimer

DATA = Path(__file__).parent / "data"
CLIP = DATA / "network_timer_en.wav"  # flite voice awb (held out of training): "Bob moved five heavy boxes."


@pytest.fixture(scope="module")
def timer() -> NetworkTimer:
    return NetworkTimer()


@pytest.fixture(scope="module")
def clip() -> Audio:
    return load_audio(CLIP)


def words(text: str) -> list[WordPron]:
    return transcribe(text, "en-us").words


def assert_complete(result: Alignment, duration: float) -> None:
    assert result.phonemes, "empty phone track"
    assert result.phonemes[0].start == 0.0
    assert result.phonemes[-1].end == pytest.approx(duration, abs=1e-9)
    for a, b in zip(result.phonemes, result.phonemes[1:], strict=False):
        assert a.end == pytest.approx(b.start, abs=1e-9)
    assert all(s.end >= s.start for s in result.phonemes)


def test_weights_are_small_safetensors():
    assert WEIGHTS.is_file() and WEIGHTS.stat().st_size < 20_000_000
    assert WEIGHTS.read_bytes()[8:9] == b"{"  # safetensors header, not a pickle


def test_forced_alignment(timer, clip):
    pron = words(CLIP.with_suffix(".txt").read_text())
    result = timer.align(clip, pron, "en-us")
    assert_complete(result, clip.duration)
    assert [s.label for s in result.phonemes if s.label != SILENCE] == [p for w in pron for p in w.phones]
    assert [w.label for w in result.words] == [w.word for w in pron]
    assert all(a.end <= b.start + 1e-9 for a, b in zip(result.words, result.words[1:], strict=False))
    # the clip has ~0.1 s of silence before "Bob" and speech fills most of it
    assert 0.02 < result.words[0].start < 0.4
    assert result.words[-1].end > clip.duration - 0.5
    assert not result.warnings


def test_lip_closure_of_bob_is_found(timer, clip):
    result = timer.align(clip, None, "en-us")
    assert_complete(result, clip.duration)
    assert result.words == []
    labels = [s.label for s in result.phonemes]
    assert any(lab in ("B", "M") for lab in labels) and any(lab in ("F", "V") for lab in labels)


def test_short_clip_with_long_transcript(timer, clip):
    short = Audio(clip.samples[:3200], clip.sample_rate)
    pron = words("Bob moved five heavy boxes to the house on the hill at the end of the road.")
    result = timer.align(short, pron, "en-us")
    assert_complete(result, short.duration)
    assert [s.label for s in result.phonemes if s.label != SILENCE] == [p for w in pron for p in w.phones]
    assert all(s.end > s.start for s in result.phonemes)
    assert result.warnings


def test_noise_with_transcript_and_audio_only(timer):
    rng = np.random.default_rng(0)
    noise = Audio((rng.standard_normal(24000) * 0.1).astype(np.float32), 16000)
    forced = timer.align(noise, words("Bob moved five heavy boxes."), "en-us")
    assert_complete(forced, noise.duration)
    assert forced.warnings
    alone = timer.align(noise, None, "en-us")
    assert_complete(alone, noise.duration)


def test_ipa_transcript(timer, clip):
    pron = [WordPron("bob", ("b", "ɔ", "b")), WordPron("muvd", ("m", "uː", "v", "d"))]
    result = timer.align(clip, pron, "fr-fr")
    assert_complete(result, clip.duration)
    assert [s.label for s in result.phonemes if s.label != SILENCE] == ["b", "ɔ", "b", "m", "uː", "v", "d"]


def test_the_timer_and_its_settings_are_part_of_the_cache_key(tmp_path):
    """A line timed by another timer, or the network decoded otherwise, is never taken from the cache."""
    from dataclasses import replace

    from timers import RestingTimer

    from conftest import DEMO_AUDIO, DEMO_TEXT
    from lipsync_ai.core.cache import AlignmentCache
    from lipsync_ai.inference.engine import default_timer
    from lipsync_ai.inference.network_timer import DecodeConfig
    from lipsync_ai.inference.pipeline import LineJob, job_key, run_line

    job = LineJob(Path(DEMO_AUDIO), DEMO_TEXT, "en-us", None, None)
    assert job_key(job) == job_key(job, default_timer()), "the job names the network that times it"
    assert default_timer(job.device, job.weights, job.decode) is default_timer(), "loaded once"
    assert job_key(replace(job, decode=DecodeConfig(phone_min_frames=5))) != job_key(job)
    assert job_key(job, RestingTimer("one")) != job_key(job, RestingTimer("two"))
    cache = AlignmentCache(tmp_path)
    resting = run_line(job, cache, timer=RestingTimer())
    assert not resting.cached and resting.alignment.words == []
    again = run_line(job, cache, timer=RestingTimer())
    assert again.cached and again.alignment.words == []
    timed = run_line(job, cache)
    assert not timed.cached and len(timed.alignment.words) == 24


def recognised(text: str, confidence: float, score: float = 0.0):
    from dataclasses import replace

    from lipsync_ai.inference.recogniser import Hypothesis

    return Hypothesis(tuple(replace(w, confidence=confidence) for w in words(text)), score)


def test_words_the_recogniser_doubts_gain_the_closures_the_network_is_sure_of(timer, clip):
    """Wrong words without a closure over "Bob moved": unsure, the lips still close; sure, the words stand."""
    from lipsync_ai.inference.recogniser import Stretch

    tracks = {}
    for confidence in (0.0, 1.0):
        stretch = Stretch(0.0, clip.duration, (recognised("see the tea is here", confidence),))
        result = timer.align_recognised(clip, [stretch], "en-us")
        assert_complete(result, clip.duration)
        assert [w.label for w in result.words] == ["see", "the", "tea", "is", "here"]
        tracks[confidence] = [s.label for s in result.phonemes if s.label != SILENCE]
    assert not {"B", "M", "P"} & set(tracks[1.0])
    assert {"B", "M", "P"} & set(tracks[0.0])


def test_the_recognisers_score_and_the_networks_fit_choose_a_hypothesis_together(clip):
    """The network's fit alone picks the right words; a much better recogniser score outweighs it."""
    from lipsync_ai.inference.network_timer import DecodeConfig
    from lipsync_ai.inference.recogniser import Stretch

    stretch = Stretch(0.0, clip.duration, (recognised("see the tea is here", 1.0, score=0.0),
                                           recognised("Bob moved five heavy boxes", 1.0, score=-10.0)))
    chosen = {weight: [w.label for w in NetworkTimer(config=DecodeConfig(recogniser_weight=weight))
                       .align_recognised(clip, [stretch], "en-us").words] for weight in (0.0, 1000.0)}
    assert chosen[0.0] == ["Bob", "moved", "five", "heavy", "boxes"]
    assert chosen[1000.0] == ["see", "the", "tea", "is", "here"]
