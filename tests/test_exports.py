"""Exports follow the documentation of the tools that read them: Rhubarb Lip Sync 1.14 (README.adoc, "Output
formats"; its mouth-shape rules in animationRules.cpp), Moho's switch files, a preset's curves. Our output is read
back by readers written from that documentation (xml.etree, json, csv), which first read Rhubarb's own examples."""

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from lipsync_ai.core.export_formats import extended_shapes
from lipsync_ai.core.exports import moho_dat, rhubarb_cues, rhubarb_json, rhubarb_tsv, rhubarb_xml
from lipsync_ai.core.types import Alignment, Segment

RHUBARB = Path(__file__).parent / "data" / "rhubarb"
TIME = re.compile(r"^\d+\.\d\d$")
"""Rhubarb writes seconds with exactly two decimals."""


def read_tsv(text: str) -> list[tuple[float, str]]:
    rows = [line.split("\t") for line in text.splitlines()]
    assert all(len(row) == 2 and TIME.match(row[0]) for row in rows), text
    return [(float(t), shape) for t, shape in rows]


def read_xml(text: str) -> tuple[str, float, list[tuple[float, float, str]]]:
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<rhubarbResult>')
    root = ElementTree.fromstring(text.encode("utf-8"))
    cues = root.findall("mouthCues/mouthCue")
    assert all(TIME.match(c.get("start")) and TIME.match(c.get("end")) for c in cues)
    return (root.findtext("metadata/soundFile"), float(root.findtext("metadata/duration")),
            [(float(c.get("start")), float(c.get("end")), c.text) for c in cues])


def read_json(text: str) -> tuple[str, float, list[tuple[float, float, str]]]:
    data = json.loads(text)
    assert set(data) == {"metadata", "mouthCues"} and set(data["metadata"]) == {"soundFile", "duration"}
    assert all(set(c) == {"start", "end", "value"} for c in data["mouthCues"])
    return (data["metadata"]["soundFile"], data["metadata"]["duration"],
            [(c["start"], c["end"], c["value"]) for c in data["mouthCues"]])


def check_documented(cues: list[tuple[float, float, str]], duration: float, shapes: str = "ABCDEFGHX") -> None:
    """What the README promises of every result: cues from 0.00 to the end, each ending where the next starts."""
    assert cues[0][0] == 0.0 and cues[-1][1] == duration
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:], strict=False))
    assert {shape for *_, shape in cues} <= set(shapes)


def test_the_readers_read_rhubarbs_own_examples():
    tsv = read_tsv((RHUBARB / "hi.tsv").read_text())
    for reader, name in ((read_xml, "hi.xml"), (read_json, "hi.json")):
        sound_file, duration, cues = reader((RHUBARB / name).read_text(encoding="utf-8"))
        assert sound_file == r"C:\Users\Daniel\Desktop\av\hi\hi.wav" and duration == 0.47
        check_documented(cues, duration)
        assert [(start, shape) for start, _, shape in cues] == tsv[:-1] and tsv[-1] == (0.47, "X")


# "mall ... fu": silence, M AO L, a pause, F UW.
MALL = Alignment(1.0, "en-us", [Segment("mall", 0.1, 0.6), Segment("foo", 0.8, 1.0)], [
    Segment("SIL", 0.0, 0.1), Segment("M", 0.1, 0.2), Segment("AO", 0.2, 0.45), Segment("L", 0.45, 0.6),
    Segment("SIL", 0.6, 0.8), Segment("F", 0.8, 0.9), Segment("UW", 0.9, 1.0),
])
# By Rhubarb's rules: M is A; AO is E; a short L (under 20 cs) may be B, E, F or H and stays E (closest to the
# last); the 20 cs pause relaxes E to C (a pause of 12-35 cs relaxes, unlike the next shape); F is G, UW is F;
# the recording ends closed (X), at 1.00 in TSV.
MALL_TSV = "0.00\tX\n0.10\tA\n0.20\tE\n0.60\tC\n0.80\tG\n0.90\tF\n1.00\tX\n"
# Without extended shapes G and X fall back to their basic shape A, H to C.
MALL_TSV_BASIC = "0.00\tA\n0.20\tE\n0.60\tC\n0.80\tA\n0.90\tF\n1.00\tA\n"
MALL_JSON = """{
  "metadata": {
    "soundFile": "/takes/mall.wav",
    "duration": 1.00
  },
  "mouthCues": [
    { "start": 0.00, "end": 0.10, "value": "X" },
    { "start": 0.10, "end": 0.20, "value": "A" },
    { "start": 0.20, "end": 0.60, "value": "E" },
    { "start": 0.60, "end": 0.80, "value": "C" },
    { "start": 0.80, "end": 0.90, "value": "G" },
    { "start": 0.90, "end": 1.00, "value": "F" }
  ]
}
"""


def test_rhubarb_tsv_follows_the_shape_rules_and_ends_at_the_end_of_the_recording():
    assert rhubarb_tsv(MALL) == MALL_TSV
    assert rhubarb_tsv(MALL, extended_shapes("")) == MALL_TSV_BASIC
    tsv = read_tsv(rhubarb_tsv(Alignment(0.4789, "en-us", [], [Segment("SIL", 0.0, 0.4789)])))
    assert tsv == [(0.0, "X"), (0.47, "X")], "the end is truncated to 10 ms; the last line is always the end"


def test_rhubarb_json_is_laid_out_as_rhubarb_writes_it():
    assert rhubarb_json(MALL, "/takes/mall.wav") == MALL_JSON
    sound_file, duration, cues = read_json(rhubarb_json(MALL, "/takes/mall.wav", ""))
    check_documented(cues, duration, "ABCDEF")


def test_rhubarb_xml_carries_the_same_cues_as_the_json():
    xml = rhubarb_xml(MALL, r"C:\takes\mall & co.wav")
    sound_file, duration, cues = read_xml(xml)
    assert sound_file == r"C:\takes\mall & co.wav" and duration == 1.0
    assert cues == read_json(MALL_JSON)[2]
    assert '<mouthCue start="0.10" end="0.20">A</mouthCue>' in xml


def _tsv(*phones: tuple[str, int, int], end: int = 100) -> str:
    segments = [Segment(p, a / 100, b / 100) for p, a, b in phones]
    return rhubarb_tsv(Alignment(end / 100, "en-us", [], segments))


def test_ow_rounds_from_e_to_puckered_f():
    # OW is a diphthong E -> F, split at 60 % (12 of 20 cs); not E alone.
    assert _tsv(("SIL", 0, 10), ("OW", 10, 30), ("SIL", 30, 100)) == "0.00\tX\n0.10\tE\n0.22\tF\n0.30\tX\n1.00\tX\n"


def test_a_plosive_closes_before_its_burst_and_a_tween_eases_into_it():
    # B after AA: the lips close for half the AA before it (at most 12 cs: 0.38); its release takes the next
    # vowel's D (anticipated up to 20 cs back); from D into A Rhubarb inserts C early (a third of D, at most
    # 8 cs: 6 cs at 0.32).
    tsv = _tsv(("SIL", 0, 20), ("AA", 20, 50), ("B", 50, 60), ("AA", 60, 100))
    assert tsv == "0.00\tX\n0.20\tD\n0.32\tC\n0.38\tA\n0.50\tD\n1.00\tX\n"


def test_other_languages_map_through_their_articulatory_class():
    # IPA from espeak-ng: m is closed (A), the front rounded y puckers (F), f is G, a is open like AA.
    cues = rhubarb_cues(Alignment(0.8, "fr-fr", [], [
        Segment("SIL", 0.0, 0.1), Segment("m", 0.1, 0.2), Segment("y", 0.2, 0.4), Segment("f", 0.4, 0.5),
        Segment("a", 0.5, 0.8)]))
    assert [c.label for c in cues][:3] == ["X", "A", "F"] and "G" in [c.label for c in cues]


def test_extended_shapes_are_validated_in_one_line():
    assert extended_shapes("xg") == "GX"
    with pytest.raises(Exception, match="may only name G, H and X"):
        extended_shapes("GQ")


@pytest.mark.parametrize("fps", [12, 24, 25, 30, 60])
def test_moho_switch_frames_follow_the_fps(fps):
    header, *rows = moho_dat(MALL, fps).splitlines()
    assert header == "MohoSwitch1"
    parsed = [(int(frame), shape) for frame, shape in (row.split() for row in rows)]
    assert [shape for _, shape in parsed] == ["rest", "MBP", "O", "E", "FV", "U", "rest"]
    assert [frame for frame, _ in parsed] == [1 + int(fps * t + 1e-9) for t in (0, 0.1, 0.2, 0.6, 0.8, 0.9, 1.0)]


def test_moho_with_rhubarb_names_and_without_extended_shapes():
    rows = moho_dat(MALL, 24, "rhubarb", "").splitlines()[1:]
    assert [row.split()[1] for row in rows] == ["A", "E", "C", "A", "F", "A"]


def _plan(preset_id: str, fps: int = 30):
    from lipsync_ai.core.animation import plan_keyframes
    from lipsync_ai.core.exports import driven_binding
    from lipsync_ai.core.preset_files import load_preset
    from lipsync_ai.core.presets import settings_for
    from lipsync_ai.core.visemes import viseme_track

    preset = load_preset(preset_id)
    binding = driven_binding(preset)
    assert not binding.missing, "the driven rig has every target the preset drives"
    settings = settings_for(preset, fps=fps, start_frame=1, reduce_keys=False)
    return preset, plan_keyframes(viseme_track(MALL.phonemes), MALL.duration, binding, settings)


def test_curves_csv_has_every_frame_and_exactly_the_targets_the_preset_drives():
    from lipsync_ai.core.exports import curves_csv

    preset, plan = _plan("arkit")
    rows = list(csv.DictReader(io.StringIO(curves_csv(plan, 30))))
    assert len(rows) == 31 and rows[0]["frame"] == "1" and float(rows[30]["time"]) == pytest.approx(1.0)
    driven = {preset.shape_keys[t].names[0] for t in preset.used_shapes()}
    assert set(rows[0]) - {"frame", "time"} == driven and "browInnerUp" not in rows[0]
    pressed = max(float(r["mouthPressLeft"]) for r in rows if 0.1 <= float(r["time"]) <= 0.2)
    assert pressed >= 0.95 * 0.5, "the M reaches its pose (arkit: mouthPress 0.5)"
    assert max(float(r["mouthFunnel"]) + float(r["mouthPucker"]) for r in rows if float(r["time"]) >= 0.9) > 0.3


def test_arkit_json_has_a_weight_per_frame_and_name():
    from lipsync_ai.core.exports import arkit_json, curves_csv

    _, plan = _plan("arkit", fps=60)
    data = json.loads(arkit_json(plan, 60))
    assert data["fps"] == 60 and len(data["frames"]) == 61
    assert all(len(frame) == len(data["names"]) for frame in data["frames"])
    table = list(csv.DictReader(io.StringIO(curves_csv(plan, 60))))
    column = data["names"].index("jawOpen")
    assert [f[column] for f in data["frames"]] == pytest.approx([float(r["jawOpen"]) for r in table], abs=1e-4)
