"""Batch manifests: every bad row is named before any work starts; the good rows still run."""

import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.manifest import read_manifest


@pytest.fixture
def lines_dir(tmp_path):
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    (tmp_path / "b.txt").write_text("Hello there.\n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Héllo".encode("latin-1"))
    return tmp_path


def write(directory, text, encoding="utf-8"):
    path = directory / "lines.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_parse_with_defaults_and_transcript_files(lines_dir):
    text = "audio,object,transcript,start_frame,emotion\na.wav,Head,Hi you,10,happy\nb.wav,Rig,b.txt,,\n"
    path = write(lines_dir, text)
    manifest = read_manifest(path, {"Head", "Rig"})
    first, second = manifest.lines
    assert not manifest.problems
    assert (first.row, first.transcript, first.start_frame, first.preset, first.action, first.emotion) == (
        2, "Hi you", 10, "auto", "Lipsync a", "happy")
    assert second.transcript == "Hello there." and second.start_frame is None and second.language == "en-us"
    assert second.emotion == "none" and second.intensity == 1.0


def test_every_bad_row_is_reported_with_its_line_number_and_the_good_ones_kept(lines_dir):
    text = ("audio,object,start_frame,action,transcript,language,emotion,intensity\n"
            "a.wav,Head,1,Same,,,,\n"
            "missing.wav,Head,1,Other,,,,\n"
            "b.wav,Nobody,x,Third,,,,\n"
            "b.wav,Head,5,Same,,,,\n"
            "b.wav,Head,5,Fifth,latin.txt,,,\n"
            "b.wav,Head,5,Sixth,nothere.txt,xx-nope,glum,3\n"
            "b.wav,Head,7,Seventh,,es,,0.5\n")
    manifest = read_manifest(write(lines_dir, text), {"Head"})
    message = "\n".join(manifest.problems)
    assert "lines.csv:3: audio file not found: missing.wav" in message
    assert "lines.csv:4: no object 'Nobody'" in message
    assert "start_frame must be a whole number in -1048574..1048574, not 'x'" in message
    assert "lines.csv:5: action 'Same' is also written by line 2" in message
    assert "lines.csv:6: transcript file is not UTF-8: latin.txt" in message
    for problem in ("transcript file not found: nothere.txt", "Unknown language 'xx-nope'",
                    "unknown emotion 'glum'", "intensity must be a number in 0..2, not 3.0"):
        assert f"lines.csv:7: {problem}" in message
    assert "lines.csv:2" not in message and "lines.csv:8" not in message
    assert [line.row for line in manifest.lines] == [2, 8]


def test_objects_are_optional_for_exports(lines_dir):
    manifest = read_manifest(write(lines_dir, "audio\na.wav\n"), require_object=False)
    assert [line.object for line in manifest.lines] == [""]


@pytest.mark.parametrize(("text", "encoding", "message"), [
    ("audio,transcript\na.wav,hi\n", "utf-8", r"lacks column\(s\) object"),
    ("audio,object,mood\na.wav,Head,sad\n", "utf-8", r"unknown column\(s\) mood"),
    ("audio,object\na.wav,Héad\n", "latin-1", "not UTF-8"),
    ("audio,object\n", "utf-8", "no lines"),
])
def test_unusable_manifests(lines_dir, text, encoding, message):
    with pytest.raises(LipsyncError, match=message):
        read_manifest(write(lines_dir, text, encoding))


def test_a_row_with_extra_fields_is_bad(lines_dir):
    manifest = read_manifest(write(lines_dir, "audio,object\na.wav,Head,extra\nb.wav,Head\n"))
    assert manifest.problems == ["lines.csv:2: more fields than the header has columns"]
    assert [line.row for line in manifest.lines] == [3]
