"""Property tests (Hypothesis) over everything that reads user data: the audio loader, the transcript, manifest,
emotion-intensity and preset readers, and the server's protocol. Whatever comes in, the answer is a value or a
LipsyncError (one clear message), never another exception, and no NaN gets through."""

import json
import math
import struct
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.emotion import parse_intensity
from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.manifest import COLUMNS, read_manifest
from lipsync_ai.core.preset_files import check_preset
from lipsync_ai.core.presets import PRESET_DIR
from lipsync_ai.inference.server import FORMATS, _samples, _start

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 20, 10 ** 20),
                    st.sampled_from([0, 1, -1, 1e-300, 1e300, 2 ** 63, float("nan"), float("inf")]))
odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def _wav(rate: int, channels: int, bits: int, fmt: int, payload: bytes) -> bytes:
    block = channels * max(1, bits // 8)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(payload), b"WAVE", b"fmt ", 16, fmt, channels,
                         rate, rate * block % 2 ** 32, block % 2 ** 16, bits, b"data", len(payload))
    return header + payload


@FAST
@given(st.binary(max_size=4000))
def test_random_bytes_are_audio_or_one_error(tmp_path, data):
    path = tmp_path / "clip.wav"
    path.write_bytes(data)
    _loads_or_refuses(path)


@FAST
@given(rate=st.one_of(st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 3999, 4000, 16000, 384000, 384001])),
       channels=st.integers(0, 300), bits=st.sampled_from([0, 8, 16, 24, 32, 64, 7]), fmt=st.sampled_from([1, 3, 0]),
       payload=st.binary(max_size=3000))
def test_lying_wav_headers_are_audio_or_one_error(tmp_path, rate, channels, bits, fmt, payload):
    path = tmp_path / "clip.wav"
    path.write_bytes(_wav(rate, channels, bits, fmt, payload))
    _loads_or_refuses(path)


@FAST
@given(st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), min_size=1, max_size=2000),
       st.sampled_from([8000, 16000, 44100]))
def test_float_samples_with_nan_or_inf_are_refused(tmp_path, values, rate):
    import soundfile

    path = tmp_path / "clip.wav"
    soundfile.write(path, np.asarray(values, np.float32), rate, subtype="FLOAT")
    audio = _loads_or_refuses(path)
    if not np.isfinite(values).all():
        assert audio is None


def _loads_or_refuses(path):
    try:
        audio = load_audio(path)
    except LipsyncError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert np.isfinite(audio.samples).all() and audio.duration <= 3 * 3600
    return audio


@FAST
@given(odd_text)
def test_emotion_intensity_is_finite_or_one_error(text):
    try:
        value = parse_intensity(text)
    except LipsyncError:
        return
    flat = [value] if isinstance(value, float) else [] if isinstance(value, str) else [x for p in value for x in p]
    assert all(math.isfinite(x) for x in flat)


@FAST
@given(st.lists(st.lists(odd_text, min_size=1, max_size=len(COLUMNS) + 2), max_size=6),
       st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=len(COLUMNS), unique=True))
def test_manifests_are_lines_or_problems(tmp_path, rows, header):
    import csv
    import io

    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    path = tmp_path / "lines.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    try:
        manifest = read_manifest(path, None, require_object=False)
    except LipsyncError:
        return
    for line in manifest.lines:
        assert math.isfinite(line.intensity) and 0 <= line.intensity <= 2
        assert line.start_frame is None or abs(line.start_frame) <= 1048574


@FAST
@given(st.binary(max_size=600))
def test_manifest_bytes_are_lines_problems_or_one_error(tmp_path, data):
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    try:
        read_manifest(path, None, require_object=False)
    except LipsyncError:
        pass


@settings(max_examples=15, deadline=None)
@given(odd_text)
def test_transcripts_are_pronounced_or_one_error(text):
    from lipsync_ai.core.phonemes import transcribe

    try:
        transcribe(text, "en-us")
    except LipsyncError:
        pass


BASE = (PRESET_DIR / "mpfb.toml").read_text(encoding="utf-8")


@FAST
@given(st.lists(st.tuples(st.sampled_from(["visemes.PP.jaw", "visemes.aa.intensity", "jaw.max_angle",
                                            "animation.blend_time", "animation.min_hold", "animation.intensity",
                                            "animation.jaw_rate", "emotions.happy.articulation"]), numbers),
                min_size=1, max_size=3))
def test_preset_numbers_are_in_range_or_named(tmp_path, changes):
    data = tomllib.loads(BASE)
    for key, value in changes:
        table = data
        *parents, name = key.split(".")
        for part in parents:
            table = table.setdefault(part, {})
        table[name] = value
    path = tmp_path / "p.toml"
    path.write_text(_toml(data), encoding="utf-8")
    preset, problems = check_preset(path)
    if preset is not None:
        assert math.isfinite(preset.jaw.max_angle)
        assert all(math.isfinite(p.jaw) and math.isfinite(p.intensity) for p in preset.visemes.values())
        assert all(math.isfinite(v) for v in preset.animation.values() if isinstance(v, float))
    if any(isinstance(v, float) and not math.isfinite(v) for _, v in changes):
        assert problems


@FAST
@given(st.one_of(st.binary(max_size=400), odd_text.map(lambda t: t.encode("utf-8", "replace"))))
def test_preset_files_of_any_bytes_give_problems_not_exceptions(tmp_path, data):
    path = tmp_path / "p.toml"
    path.write_bytes(data)
    preset, problems = check_preset(path)
    assert preset is None and problems


def _toml(value, key=None) -> str:
    """A small TOML writer for the tests (tables, then keys; floats as TOML spells nan and inf)."""
    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(map(scalar, v)) + "]"
        return "{ " + ", ".join(f"{json.dumps(k)} = {scalar(x)}" for k, x in v.items()) + " }"

    lines = [f"{json.dumps(k)} = {scalar(v)}" for k, v in value.items() if not isinstance(v, dict)]
    for k, v in value.items():
        if isinstance(v, dict):
            lines += ["", f"[{json.dumps(k)}]", *(f"{json.dumps(a)} = {scalar(b)}" for a, b in v.items())]
    return "\n".join(lines) + "\n"


start_messages = st.dictionaries(st.sampled_from(["type", "sample_rate", "format", "preset", "x"]),
                                 st.one_of(numbers, odd_text, st.none(), st.booleans(), st.lists(st.integers()),
                                           st.sampled_from(["s16", "f32", "arkit", "../arkit", 16000])), max_size=5)


@FAST
@given(start_messages)
def test_start_messages_give_a_session_or_one_error(message):
    try:
        session = _start(message, None)
    except LipsyncError as exc:
        assert str(exc)
        return
    assert session.dtype in FORMATS.values() and 4000 <= session.rate <= 384000


@FAST
@given(st.binary(max_size=2048), st.sampled_from(sorted(FORMATS)))
def test_binary_messages_give_finite_bounded_samples_or_one_error(data, fmt):
    try:
        samples = _samples(data, FORMATS[fmt])
    except LipsyncError:
        return
    assert np.isfinite(samples).all() and (not len(samples) or np.abs(samples).max() <= 32)
    assert json.dumps(samples.tolist(), allow_nan=False)


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_deeply_nested_preset_files_are_one_problem(tmp_path, depth):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    preset, problems = check_preset(path)
    assert preset is None and len(problems) >= 1
