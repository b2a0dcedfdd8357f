"""Batch manifests: every bad row is named before any work starts."""

import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.manifest import read_manifest


@pytest.fixture
def lines_dir(tmp_path):
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    (tmp_path / "b.txt").write_text("Hello there.\n", encoding="utf-8")
    return tmp_path


def write(directory, text, encoding="utf-8"):
    path = directory / "lines.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_parse_with_defaults_and_transcript_files(lines_dir):
    path = write(lines_dir, "audio,object,transcript,start_frame\na.wav,Head,Hi you,10\nb.wav,Rig,b.txt,\n")
    first, second = read_manifest(path, {"Head", "Rig"})
    assert (first.row, first.transcript, first.start_frame, first.preset, first.action) == (
        2, "Hi you", 10, "auto", "Lipsync a")
    assert second.transcript == "Hello there." and second.start_frame == 1 and second.language == "en-us"


def test_every_bad_row_is_reported_with_its_line_number(lines_dir):
    text = ("audio,object,start_frame,action\n"
            "a.wav,Head,1,Same\n"
            "missing.wav,Head,1,Other\n"
            "b.wav,Nobody,x,Third\n"
            "b.wav,Head,5,Same\n")
    with pytest.raises(LipsyncError) as info:
        read_manifest(write(lines_dir, text), {"Head"})
    message = str(info.value)
    assert "lines.csv:3: audio file not found: missing.wav" in message
    assert "lines.csv:4: no object 'Nobody'" in message and "start_frame 'x' is not an integer" in message
    assert "lines.csv:5: action 'Same' is also written by line 2" in message
    assert "lines.csv:2" not in message


@pytest.mark.parametrize(("text", "encoding", "message"), [
    ("audio,transcript\na.wav,hi\n", "utf-8", r"lacks column\(s\) object"),
    ("audio,object\na.wav,Héad\n", "latin-1", "not UTF-8"),
    ("audio,object\n", "utf-8", "no lines"),
])
def test_unusable_manifests(lines_dir, text, encoding, message):
    with pytest.raises(LipsyncError, match=message):
        read_manifest(write(lines_dir, text, encoding))
