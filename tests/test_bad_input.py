"""A corpus of hostile command lines: each one exits with the right code and one message line, shows no
traceback, and leaves every file of its folder as it was (nothing written, changed or lost).

Cases run in this process through ``cli.main`` (they all stop before bpy or the network would load)."""

import hashlib
import math
import re
import signal
import struct
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import DEMO_AUDIO, LIPSYNC, run_lipsync
from lipsync_ai.cli import main

NESTED = "x = " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Inputs of every case: good and broken clips, transcripts, manifests and presets."""
    root = tmp_path_factory.mktemp("corpus")
    samples, rate = soundfile.read(DEMO_AUDIO, dtype="float32")
    soundfile.write(root / "ok.wav", samples[: 2 * rate], rate)
    for name in ("a", "b", "m"):
        (root / name).mkdir()
    soundfile.write(root / "a" / "x.wav", samples[: 2 * rate], rate)
    soundfile.write(root / "b" / "x.wav", samples[: 2 * rate], rate)
    soundfile.write(root / "nan.wav", np.full(rate, np.nan, np.float32), rate, subtype="FLOAT")
    soundfile.write(root / "inf.wav", np.r_[samples[:rate], np.inf].astype(np.float32), rate, subtype="FLOAT")
    one_hz = bytearray((root / "ok.wav").read_bytes())
    one_hz[24:32] = struct.pack("<II", 1, 2)  # the header claims 1 Hz: 88 kB would be 12 hours
    (root / "onehz.wav").write_bytes(bytes(one_hz))
    frames = int(3.5 * 3600 * 8000)  # 3.5 hours of 8 kHz 8-bit audio: a sparse file, no disk used
    with (root / "long.wav").open("wb") as long:
        long.write(b"RIFF" + struct.pack("<I", 36 + frames) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000,
                   8000, 1, 8) + b"data" + struct.pack("<I", frames))
        long.truncate(44 + frames)
    (root / "noise.wav").write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    (root / "words.txt").write_text("hello there", encoding="utf-8")
    (root / "m" / "keep.wav").write_bytes((root / "ok.wav").read_bytes())
    (root / "m" / "keep.json").write_text('{"mine": true}\n', encoding="utf-8")
    (root / "m" / "keep.csv").write_text("audio\nkeep.wav\n", encoding="utf-8")
    (root / "m" / "twins.csv").write_text("audio,action\n../a/x.wav,A\n../b/x.wav,B\n", encoding="utf-8")
    (root / "m" / "self.csv").write_text("audio\nself.csv\n", encoding="utf-8")
    manifests = {"nan.csv": "audio,intensity\n../ok.wav,nan\n", "frame.csv": "audio,start_frame\n../ok.wav,1048575\n",
                 "preset.csv": "audio,preset\n../ok.wav,../../etc/x\n", "inf.csv": "audio,intensity\n../ok.wav,inf\n"}
    for name, text in manifests.items():
        (root / "m" / name).write_text(text, encoding="utf-8")
    presets = root / "presets"
    presets.mkdir()
    (presets / "nested.toml").write_text(NESTED, encoding="utf-8")
    (presets / "big.toml").write_text("# " + "x" * 300_000 + "\n", encoding="utf-8")
    (presets / "arkit.toml").write_text("[preset\nid = broken", encoding="utf-8")
    (presets / "nanjaw.toml").write_text(_mpfb_with("max_angle = nan"), encoding="utf-8")
    (presets / "infshape.toml").write_text(_mpfb_with("max_angle = 15.0").replace("jaw = 0.05", "jaw = inf", 1),
                                           encoding="utf-8")
    (root / "afile").write_text("not a folder", encoding="utf-8")
    return root


def _mpfb_with(jaw: str) -> str:
    """The built-in mpfb preset with its jaw's ``max_angle`` line replaced."""
    from lipsync_ai.core.presets import PRESET_DIR

    text = (PRESET_DIR / "mpfb.toml").read_text(encoding="utf-8")
    assert "max_angle = 15.0" in text
    return text.replace("max_angle = 15.0", jaw)


def _snapshot(root) -> dict:
    """Every path under ``root`` with its size, time and (below 10 MB) its bytes' hash."""
    def state(path):
        if not path.is_file():
            return "dir"
        stat = path.stat()
        small = stat.st_size < 10_000_000
        return stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest() if small else ""

    return {p.relative_to(root).as_posix(): state(p) for p in sorted(root.rglob("*"))}


A = ["align", "ok.wav", "--out"]
BA = ["batch-align"]
G = ["generate", "--blend", "none.blend", "--object", "Head", "--audio", "ok.wav"]
CASES = [
    # numbers: NaN, inf, out of range, not numbers (argparse, exit 2)
    (G + ["--save", "o.blend", "--intensity", "nan"], 2, "intensity must be a number in 0..2"),
    (G + ["--save", "o.blend", "--intensity", "inf"], 2, "intensity"),
    (G + ["--save", "o.blend", "--intensity=-1"], 2, "0..2"),
    (G + ["--save", "o.blend", "--key-tolerance", "nan"], 2, "key tolerance"),
    (G + ["--save", "o.blend", "--jaw-balance", "1e308"], 2, "jaw balance must be a number in 0..1"),
    (G + ["--save", "o.blend", "--jaw-rate", "-4"], 2, "jaw rate must be a number in 0..30"),
    (G + ["--save", "o.blend", "--blend-time=-inf"], 2, "blend time"),
    (G + ["--save", "o.blend", "--max-rate", "0x10"], 2, "max rate"),
    (G + ["--save", "o.blend", "--min-hold", "1.5"], 2, "min hold must be a whole number"),
    (G + ["--save", "o.blend", "--start-frame", "1048575"], 2, "-1048574..1048574"),
    (G + ["--save", "o.blend", "--start-frame=-99999999999"], 2, "start frame"),
    (G + ["--save", "o.blend", "--preset", "../../etc/passwd"], 2, "is not an id"),
    (G + ["--save", "o.blend", "--preset", "A" * 65], 2, "is not an id"),
    (G + ["--save", "o.blend", "--emotion-intensity", "nan"], 2, None),
    (A + ["o.json", "--fps", "0"], 2, "fps must be a whole number in 1..240"),
    (A + ["o.json", "--fps", "nan"], 2, "fps"),
    (A + ["o.json", "--preset", "/etc/hosts"], 2, "is not an id"),
    (BA + ["m/keep.csv", "--out-dir", "out", "--jobs", "0"], 2, "jobs"),
    (BA + ["m/keep.csv", "--out-dir", "out", "--jobs=-3"], 2, "jobs"),
    (["serve", "--port=-1"], 2, "port must be a whole number in 0..65535"),
    (["serve", "--port", "65536"], 2, "port"),
    (["serve", "--preset", "../rig_presets/arkit"], 2, "is not an id"),
    (["serve", "--preset", "nope"], 2, "Unknown preset 'nope'"),
    (["serve", "--max-connections", "0"], 2, "max connections"),
    # output paths: never an input, a folder, under a file
    (A + ["ok.wav"], 2, "over the input"),
    (A + ["./ok.wav"], 2, "over the input"),
    (A + ["words.txt", "--transcript-file", "words.txt"], 2, "over the input"),
    (A + ["a"], 2, "it is a folder"),
    (A + ["afile/o.json"], 2, "is a file, not a folder"),
    (G + ["--save", "ok.wav"], 2, "over the input"),
    (G + ["--save", "a"], 2, "it is a folder"),
    (G + ["--save", "afile/o.blend"], 2, "is a file, not a folder"),
    (["batch", "m/keep.csv", "--blend", "none.blend", "--save", "m/keep.csv"], 2, "over the input"),
    (["batch", "m/keep.csv", "--blend", "none.blend", "--save", "afile/x.blend"], 2, "not a folder"),
    (BA + ["m/keep.csv", "--out-dir", "m"], 2, "lipsync did not write it"),
    (BA + ["m/keep.csv", "--out-dir", "afile"], 2, "it is a file, not a folder"),
    (BA + ["m/keep.csv", "--out-dir", "afile/sub"], 2, "is a file, not a folder"),
    (BA + ["m/keep.csv", "--out-dir", "out", "--cache-dir", "afile"], 2, "the alignment cache"),
    (BA + ["m/twins.csv", "--out-dir", "out"], 2, "would both write"),
    (BA + ["m/self.csv", "--out-dir", "m", "--format", "csv", "--force"], 2, None),
    # manifests: numbers and presets of a row
    (BA + ["m/nan.csv", "--out-dir", "out"], 2, "intensity must be a number in 0..2, not nan"),
    (BA + ["m/inf.csv", "--out-dir", "out"], 2, "not inf"),
    (BA + ["m/frame.csv", "--out-dir", "out"], 2, "start_frame must be a whole number"),
    (BA + ["m/preset.csv", "--out-dir", "out"], 2, "is not an id"),
    (BA + ["m/missing.csv", "--out-dir", "out"], 2, "Manifest not found"),
    # presets
    (["preset", "check", "presets/nested.toml"], 2, None),
    (["preset", "check", "presets/big.toml"], 2, None),
    (["preset", "check", "presets/nanjaw.toml"], 2, None),
    (["preset", "check", "presets/infshape.toml"], 2, None),
]
AUDIO = [  # headers that lie, NaN and inf samples, not audio at all
    (["align", "onehz.wav", "--out", "o.json"], 2, "must be a whole number in 4000..384000, not 1"),
    (["align", "long.wav", "--out", "o.json"], 2, "the longest clip is 3 h"),
    (["align", "nan.wav", "--out", "o.json"], 2, "NaN or infinite samples"),
    (["align", "inf.wav", "--out", "o.json"], 2, "NaN or infinite samples"),
    (["align", "noise.wav", "--out", "o.json"], 2, "Cannot read audio noise.wav"),
]
CASES += AUDIO


@pytest.mark.parametrize("argv, code, message", CASES, ids=[" ".join(c[0])[-60:] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(folder, monkeypatch, capsys, argv, code, message):
    monkeypatch.chdir(folder)
    before = _snapshot(folder)
    try:
        got = main(argv)
    except SystemExit as exc:  # argparse
        got = exc.code
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    problem_lines = [line for line in lines if not re.match(r"\S+\.csv:\d+: ", line)]  # bad rows: one line each
    assert got == code, err
    assert "Traceback" not in err + out
    assert len(problem_lines) == 1 or argv[:2] == ["preset", "check"], err
    if message:
        assert message in err, err
    assert _snapshot(folder) == before


@pytest.mark.parametrize("name, reason", [("nested.toml", "nested too deeply"), ("big.toml", "larger than 256 kB"),
                                          ("nanjaw.toml", "max_angle"), ("infshape.toml", "not inf")])
def test_preset_check_names_the_reason(folder, monkeypatch, capsys, name, reason):
    monkeypatch.chdir(folder)
    assert main(["preset", "check", f"presets/{name}"]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err and len(err.splitlines()) <= 3, err


def test_preset_list_names_each_invalid_preset_and_keeps_the_built_in(folder, capsys):
    assert main(["preset", "list", "--dir", str(folder / "presets")]) == 0
    out, err = capsys.readouterr()
    assert "arkit" in out.split() and "Traceback" not in err  # the broken user arkit does not hide the built-in
    for name in ("nested.toml", "big.toml", "nanjaw.toml", "infshape.toml"):
        assert sum(name in line for line in err.splitlines()) == 1, err
    assert math.isfinite(len(err))


def test_a_clip_that_would_end_beyond_blenders_last_frame_is_refused(demo_character, tmp_path):
    save = tmp_path / "x.blend"
    done = run_lipsync("generate", "--blend", demo_character, "--object", "DemoHead", "--audio", DEMO_AUDIO,
                       "--start-frame", "1048500", "--save", save)
    assert done.returncode == 2 and "beyond Blender's last frame 1048574" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not save.exists()


def _inputs(root) -> dict:
    """``_snapshot`` without the alignment cache, which an interrupted batch keeps (to resume) by design."""
    return {k: v for k, v in _snapshot(root).items() if not k.startswith(".lipsync-cache")}


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_ctrl_c_at_any_moment_is_one_line_exit_130_and_nothing_saved(demo_character, tmp_path, command):
    manifest = tmp_path / "lines.csv"
    manifest.write_text(f"audio,object\n{DEMO_AUDIO},DemoHead\n", encoding="utf-8")
    args = {"generate": ["generate", "--blend", demo_character, "--object", "DemoHead", "--audio", DEMO_AUDIO],
            "batch": ["batch", manifest, "--blend", demo_character, "--progress", "json"]}[command]
    before = _inputs(tmp_path)
    interrupted = 0
    for delay in (0.5, 2.0, 4.0):  # while bpy and the .blend load, and (on a slow machine) while the line is timed
        save = tmp_path / "out.blend"
        process = subprocess.Popen([str(LIPSYNC), *map(str, args), "--save", str(save)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        if save.exists():  # the line was done and saved before the signal came (maybe while Python shut down)
            save.unlink()
            before = _inputs(tmp_path)
            continue
        assert process.returncode == 130, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "interrupted" in err, err
        assert _inputs(tmp_path) == before
        interrupted += 1
    assert interrupted >= 1  # importing bpy outlasts the first delay; whether the later ones come in time depends
    # on the machine


def test_a_broken_user_preset_named_like_a_built_in_falls_back_to_it_with_a_warning(folder, caplog):
    from lipsync_ai.core.preset_files import load_preset, preset_dirs

    with caplog.at_level("WARNING"):
        preset = load_preset("arkit", preset_dirs([folder / "presets"]))
    assert preset.id == "arkit" and len(preset.visemes) == 15
    assert "presets/arkit.toml is invalid, using" in caplog.text


def test_exports_stay_inside_the_out_dir_and_are_one_per_row(tmp_path):
    from lipsync_ai.core.errors import LipsyncError
    from lipsync_ai.core.paths import export_paths, record_export

    project, out = tmp_path / "project", tmp_path / "out"
    (project / "lines").mkdir(parents=True)
    (project / "lines" / "link").symlink_to(tmp_path, target_is_directory=True)
    audio = {2: project / "lines" / "a.wav", 3: project / ".." / ".." / "b.wav",
             4: project / "lines" / "link" / "c.wav", 5: Path("/abs/elsewhere/d.wav")}
    paths = export_paths(audio, project, out, ".json")
    assert paths == {2: out.resolve() / "lines" / "a.json", 3: out.resolve() / "b.json", 4: out.resolve() / "c.json",
                     5: out.resolve() / "d.json"}
    with pytest.raises(LipsyncError, match="rows 2 and 3 would both write"):
        export_paths({2: project / "x" / ".." / "a.wav", 3: project / "a.wav"}, project, out, ".json")
    out.mkdir()
    (out / "a.json").write_text("the user's", encoding="utf-8")
    with pytest.raises(LipsyncError, match="lipsync did not write it"):
        export_paths({2: project / "a.wav"}, project, out, ".json")
    assert export_paths({2: project / "a.wav"}, project, out, ".json", force=True) == {2: out.resolve() / "a.json"}
    with pytest.raises(LipsyncError, match="would replace an input"):
        export_paths({2: project / "a.wav"}, project, out, ".json", inputs=[out / "a.json"], force=True)
    record_export(out.resolve(), out.resolve() / "a.json")
    assert export_paths({2: project / "a.wav"}, project, out, ".json") == {2: out.resolve() / "a.json"}
