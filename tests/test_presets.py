import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.presets import RigInfo, available_presets, bind, load_preset, parse_preset


@pytest.mark.parametrize("preset_id", available_presets())
def test_shipped_presets_are_valid(preset_id):
    assert load_preset(preset_id).id == preset_id


def test_binding_finds_aliases_and_reports_what_is_missing():
    rig = RigInfo(frozenset({"vrc.v_pp", "vrc.v_aa", "Basis"}), {"Jaw": "QUATERNION"})
    binding = bind(load_preset("visemes15"), rig)
    assert binding.shape_keys == {"PP": "vrc.v_pp", "aa": "vrc.v_aa"}
    assert binding.jaw_bone == "Jaw" and binding.jaw_rotation_mode == "QUATERNION"
    assert "FF" in binding.missing and "jaw bone" not in binding.missing


def test_a_rig_matching_nothing_is_an_error():
    with pytest.raises(LipsyncError, match="matches nothing"):
        bind(load_preset("visemes15"), RigInfo(frozenset({"Basis", "Blink"}), {"spine": "XYZ"}))


def test_unknown_preset_lists_the_available_ones():
    with pytest.raises(LipsyncError, match="visemes15"):
        load_preset("no_such_rig")


@pytest.mark.parametrize(("text", "where"), [
    ("[preset]\nid = 1\n", r"\[preset\]"),
    ('[preset]\nid="x"\nname="x"\n[shape_keys]\nA = { names = "A" }\n', r"\[shape_keys.A\]"),
    ('[preset]\nid="x"\nname="x"\n[visemes]\nXX = {}\n', r"\[visemes.XX\]"),
    ('[preset]\nid="x"\nname="x"\n[visemes]\nsil = { shapes = { A = 1.0 } }\n', "does not define"),
    ('[preset]\nid="x"\nname="x"\n[jaw]\naxis = "W"\nmax_angle = 5\n', r"\[jaw\]"),
    ("not toml [", "not a readable TOML"),
])
def test_invalid_preset_names_file_and_key(tmp_path, text, where):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(LipsyncError, match=where) as info:
        parse_preset(path)
    assert "broken.toml" in str(info.value)
