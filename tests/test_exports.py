"""Exports parse back with independent readers and keep the timing."""

import json
from xml.etree import ElementTree

import pytest

from lipsync_ai.core.exports import moho_dat, rhubarb_json, rhubarb_tsv, rhubarb_xml
from lipsync_ai.core.types import Alignment, Segment

ALIGNMENT = Alignment(1.0, "en-us", [Segment("mole", 0.1, 0.6)], [
    Segment("SIL", 0.0, 0.1), Segment("M", 0.1, 0.2), Segment("OW", 0.2, 0.45), Segment("L", 0.45, 0.6),
    Segment("SIL", 0.6, 0.8), Segment("F", 0.8, 0.9), Segment("UW", 0.9, 1.0),
])
EXPECTED = [(0.0, "X"), (0.1, "A"), (0.2, "E"), (0.45, "H"), (0.6, "X"), (0.8, "G"), (0.9, "F")]


def test_rhubarb_tsv_starts_each_cue_and_ends_at_rest():
    rows = [line.split("\t") for line in rhubarb_tsv(ALIGNMENT).splitlines()]
    assert [(float(t), s) for t, s in rows] == [*EXPECTED, (1.0, "X")]


def test_rhubarb_json_and_xml_carry_cues_and_metadata():
    data = json.loads(rhubarb_json(ALIGNMENT, "line.wav"))
    assert data["metadata"] == {"soundFile": "line.wav", "duration": 1.0}
    assert [(c["start"], c["value"]) for c in data["mouthCues"]] == EXPECTED
    assert data["mouthCues"][-1]["end"] == 1.0
    root = ElementTree.fromstring(rhubarb_xml(ALIGNMENT, "line.wav"))
    assert root.tag == "rhubarbResult" and root.findtext("metadata/soundFile") == "line.wav"
    cues = root.findall("mouthCues/mouthCue")
    assert [(float(c.get("start")), c.text) for c in cues] == EXPECTED


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_moho_switch_frames_follow_the_fps(fps):
    header, *rows = moho_dat(ALIGNMENT, fps).splitlines()
    assert header == "MohoSwitch1"
    parsed = [(int(frame), shape) for frame, shape in (row.split() for row in rows)]
    assert [shape for _, shape in parsed] == ["rest", "MBP", "O", "L", "rest", "FV", "U"]
    assert parsed[1][0] == round(0.1 * fps) + 1
    assert all(a[0] < b[0] for a, b in zip(parsed, parsed[1:], strict=False))


def test_curves_csv_has_every_frame_and_every_target_of_the_preset():
    import csv
    import io

    from lipsync_ai.core.animation import plan_keyframes
    from lipsync_ai.core.exports import curves_csv
    from lipsync_ai.core.preset_files import load_preset
    from lipsync_ai.core.presets import bind, own_rig, settings_for
    from lipsync_ai.core.visemes import viseme_track

    preset = load_preset("arkit")
    binding = bind(preset, own_rig(preset))
    assert not binding.missing, "a preset's own rig has all its targets"
    settings = settings_for(preset, fps=30, start_frame=1, reduce_keys=False)
    plan = plan_keyframes(viseme_track(ALIGNMENT.phonemes), ALIGNMENT.duration, binding, settings)
    rows = list(csv.DictReader(io.StringIO(curves_csv(plan, 30))))
    assert len(rows) == 31 and rows[0]["frame"] == "1" and float(rows[30]["time"]) == pytest.approx(1.0)
    assert {"jawOpen", "mouthClose", "mouthFunnel", "mouthPucker"} <= set(rows[0])
    pressed = max(float(r["mouthPressLeft"]) for r in rows if 0.1 <= float(r["time"]) <= 0.2)
    assert pressed >= 0.95 * 0.5, "the M reaches its pose (arkit: mouthPress 0.5)"
    assert max(float(r["mouthFunnel"]) + float(r["mouthPucker"]) for r in rows if float(r["time"]) >= 0.9) > 0.3
