"""``lipsync align`` writes the documented schema; bad input is one line on stderr and exit code 2."""

import json
import re

import numpy as np
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT, ROOT, run_lipsync
from lipsync_ai.core.export_formats import FORMATS


def check_schema(result: dict, duration: float) -> None:
    assert set(result) >= {"duration", "language", "words", "phonemes", "visemes"}
    assert abs(result["duration"] - duration) < 0.01
    for key, label in (("phonemes", "phone"), ("visemes", "viseme")):
        spans = result[key]
        assert spans[0]["start"] == 0 and abs(spans[-1]["end"] - duration) < 0.01
        assert all(a["end"] == b["start"] for a, b in zip(spans, spans[1:], strict=False))
        assert all(s["start"] < s["end"] and label in s for s in spans)


def test_align_with_transcript(tmp_path):
    out = tmp_path / "result.json"
    done = run_lipsync("align", DEMO_AUDIO, "--transcript", DEMO_TEXT, "--out", out)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    check_schema(result, 7.72)
    assert [w["word"] for w in result["words"]][:3] == ["Hello", "there", "My"]
    assert all(p["phone"] == "SIL" or p["phone"].isalpha() and p["phone"].isupper() for p in result["phonemes"])


def test_align_audio_only_says_why(tmp_path):
    audio, out = tmp_path / "line.wav", tmp_path / "result.json"
    audio.write_bytes(DEMO_AUDIO.read_bytes())
    done = run_lipsync("align", audio, "--out", out)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    check_schema(result, 7.72)
    assert result["recogniser"].startswith("pocketsphinx") and any(p["phone"] != "SIL" for p in result["phonemes"])
    assert len(result["words"]) > 10 and all(0 <= w["confidence"] <= 1 for w in result["words"])
    assert "no transcript given and no line.txt beside the audio: audio-only, words recognised by pocketsphinx" \
        in done.stderr


def test_align_reads_the_transcript_beside_the_audio_and_says_so(tmp_path):
    audio = tmp_path / "line.wav"
    audio.write_bytes(DEMO_AUDIO.read_bytes())
    (tmp_path / "line.txt").write_text(DEMO_TEXT, encoding="utf-8")
    done = run_lipsync("align", audio, "--format", "rhubarb-json", "--out", "-")
    assert done.returncode == 0, done.stderr
    assert "transcript: line.txt beside the audio" in done.stderr
    data = json.loads(done.stdout)
    assert data["metadata"]["soundFile"] == str(audio) and data["metadata"]["duration"] == 7.72


@pytest.mark.parametrize(("case", "message"), [
    ("missing", "not found"), ("silent", "silent"), ("empty_transcript", "transcript is empty"),
    ("language", "Unknown language"), ("language_audio_only", "Unknown language"), ("corrupt", "Cannot read"),
])
def test_align_bad_input_is_one_line_and_exit_2(tmp_path, write_wav, case, message):
    audio, extra = DEMO_AUDIO, []
    if case == "missing":
        audio = tmp_path / "nope.wav"
    elif case == "silent":
        audio = write_wav(np.zeros(32000))
    elif case == "corrupt":
        audio = tmp_path / "corrupt.wav"
        audio.write_bytes(b"RIFF....WAVEfmt garbage")
    elif case == "empty_transcript":
        extra = ["--transcript", "   "]
    elif case == "language_audio_only":
        audio, extra = write_wav(np.zeros(32000)), ["--lang", "xx-zz"]
    else:
        extra = ["--transcript", "hola", "--lang", "xx-zz"]
    out = tmp_path / "result.json"
    done = run_lipsync("align", audio, *extra, "--out", out)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and not out.exists()


@pytest.mark.parametrize(("fmt", "first_line"), [("rhubarb-tsv", "0.00\tX"), ("moho", "MohoSwitch1"),
                                                 ("rhubarb-xml", '<?xml version="1.0" encoding="utf-8"?>'),
                                                 ("pgo", "lipsync version 1")])
def test_align_exports_other_tools_formats(tmp_path, fmt, first_line):
    out = tmp_path / "cues.txt"
    done = run_lipsync("align", DEMO_AUDIO, "--transcript", DEMO_TEXT, "--format", fmt, "--fps", "30", "--out", out)
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == first_line and len(lines) > 20


def test_docs_list_the_export_formats_of_the_registry():
    batch_md = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([\w-]+)` \| `(\.[\w.]+)` \|", batch_md, re.MULTILINE))
    assert table == {f.name: f.extension for f in FORMATS.values()}
    for doc in (batch_md, (ROOT / "README.md").read_text(encoding="utf-8")):
        listed = {usage for usage in re.findall(r"\[--format ([\w|-]+)\]", doc) if "|" in usage}
        assert listed == {"|".join(FORMATS)}


def test_unexpected_error_is_logged_with_traceback_and_shown_in_one_line(monkeypatch, capsys, caplog):
    from lipsync_ai import cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli.serve, "run", broken)
    assert cli.main(["serve"]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == "lipsync: error: unexpected RuntimeError (a bug; " \
        "the traceback is above): boom"
    assert caplog.records[-1].exc_info[0] is RuntimeError
