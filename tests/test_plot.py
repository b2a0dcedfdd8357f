"""The clip picture without Blender: mouth groups come from the preset's poses, labels never overlap, a PNG is
written whole."""

import numpy as np
import pytest

from lipsync_ai.core.plot import CLOSED, EMOTION, FV, JAW, OPEN, ROUND, PlotCurve, channel_groups, draw, label_rows
from lipsync_ai.core.preset_files import load_preset
from lipsync_ai.core.presets import bind, own_rig
from lipsync_ai.core.types import Audio, Segment


def test_each_channel_takes_the_mouth_group_of_the_viseme_that_moves_it_most():
    arkit = load_preset("arkit")
    groups = channel_groups(bind(arkit, own_rig(arkit)))
    assert groups["mouthPressLeft"] == CLOSED and groups["mouthRollLower"] == FV
    assert groups["mouthPucker"] == ROUND and groups["mouthStretchLeft"] == OPEN
    assert groups["jawOpen"] == JAW and groups["browInnerUp"] == EMOTION
    rigify = load_preset("rigify")
    bones = channel_groups(bind(rigify, own_rig(rigify)))
    assert bones["jaw_master"] == JAW and bones["lip.B"] == FV and bones["lips.L"] == ROUND


@pytest.mark.parametrize("seed", range(5))
def test_labels_in_one_row_never_overlap_and_the_first_always_shows(seed):
    rng = np.random.default_rng(seed)
    bounds = np.cumsum(rng.uniform(0.02, 0.4, 60))
    words = ["".join(rng.choice(list("abcdefgh"), int(rng.integers(1, 9)))) for _ in bounds[1:]]
    spans = list(zip(bounds[:-1], bounds[1:], words, strict=True))
    char = 0.08
    rows = label_rows(spans, char)
    assert rows[0] == 0 and None in rows and 1 in rows
    for row in (0, 1):
        placed = [((a + b) / 2 - (len(t) + 1) * char / 2, (a + b) / 2 + (len(t) + 1) * char / 2)
                  for (a, b, t), r in zip(spans, rows, strict=True) if r == row]
        assert all(left >= right for (_, right), (left, _) in zip(placed, placed[1:], strict=False))


def test_the_picture_is_a_png_written_whole(tmp_path):
    pytest.importorskip("matplotlib")
    rate = 16000
    t = np.arange(2 * rate) / rate
    audio = Audio((0.3 * np.sin(2 * np.pi * 220 * t) * (t > 0.4)).astype(np.float32), rate)
    frames = np.arange(49) / 24
    curves = [PlotCurve(label=name, group=group, panel=panel, keys=frames[::6], key_values=np.full(9, 0.5),
                        times=frames, values=np.full(49, 0.5))
              for name, group, panel in [("PP", CLOSED, "weight"), ("aa", OPEN, "weight"), ("jaw", JAW, "deg")]]
    words = [Segment("hello", 0.4, 0.9), Segment("there", 0.9, 1.5)]
    phones = [Segment(p, 0.4 + 0.15 * i, 0.55 + 0.15 * i) for i, p in enumerate(["HH", "AH", "L", "OW", "M", "F"])]
    out = tmp_path / "nested" / "clip.png"
    draw(out, title="clip", audio=audio, words=words, phonemes=phones, curves=curves)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["clip.png"], "no partial file is left"


def test_without_matplotlib_the_picture_is_refused_with_one_line(monkeypatch):
    from lipsync_ai.core.errors import LipsyncError
    from lipsync_ai.core.plot import require_matplotlib

    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    with pytest.raises(LipsyncError, match="needs matplotlib") as refused:
        require_matplotlib()
    assert "\n" not in str(refused.value)
