"""``lipsync batch-align``: one export per line without Blender, read back by independent parsers."""

import csv
import json

import numpy as np
import pytest
import soundfile

from conftest import DEMO_AUDIO, DEMO_TEXT, run_lipsync


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lines")
    samples, rate = soundfile.read(DEMO_AUDIO, dtype="float32")
    (folder / "hero").mkdir()
    soundfile.write(folder / "hero" / "full.wav", samples, rate)
    soundfile.write(folder / "short.wav", samples[: int(2.6 * rate)], rate)
    soundfile.write(folder / "quiet.wav", np.zeros(rate, np.float32), rate)
    manifest = folder / "lines.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerows([["audio", "transcript"], ["hero/full.wav", DEMO_TEXT.strip()], ["short.wav", ""],
                          ["quiet.wav", ""], ["gone.wav", ""]])
    return manifest


def test_rhubarb_tsv_per_line_with_failures_reported(lines, tmp_path):
    done = run_lipsync("batch-align", lines, "--out-dir", tmp_path, "--format", "rhubarb-tsv", "--jobs", "1")
    assert done.returncode == 1
    assert "lines.csv:5: audio file not found: gone.wav" in done.stderr
    assert "quiet.wav" in done.stdout and "is silent" in done.stdout
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.tsv")) == ["hero/full.tsv",
                                                                                        "short.tsv"]
    cues = [line.split("\t") for line in (tmp_path / "hero" / "full.tsv").read_text().splitlines()]
    times = [float(t) for t, _ in cues]
    shapes = [s for _, s in cues]
    assert times == sorted(times) and times[-1] == 7.72 and shapes[-1] == "X", "the end of the recording, at rest"
    assert set(shapes) <= set("ABCDEFGHX") and shapes.count("A") >= 8, "every M/B/P of the line closes"


def test_moho_and_csv_use_the_fps_and_the_cache(lines, tmp_path):
    done = run_lipsync("batch-align", lines, "--out-dir", tmp_path, "--format", "moho", "--fps", "25",
                       "--progress", "json")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert {e["row"]: e["status"] for e in events if e["event"] == "line"}[3] == "cached"
    header, *rows = (tmp_path / "short.dat").read_text().splitlines()
    frames = [int(row.split()[0]) for row in rows]
    assert header == "MohoSwitch1" and frames[0] == 1 and frames == sorted(set(frames))
    assert frames[-1] <= 2.6 * 25 + 1
    assert {row.split()[1] for row in rows} <= {"AI", "E", "O", "U", "MBP", "FV", "L", "WQ", "etc", "rest"}
    done = run_lipsync("batch-align", lines, "--out-dir", tmp_path, "--format", "csv", "--fps", "30",
                       "--preset", "visemes15")
    table = list(csv.DictReader(open(tmp_path / "short.csv", encoding="utf-8")))
    assert len(table) == int(np.ceil(2.6 * 30)) + 1 and "viseme_PP" in table[0]
