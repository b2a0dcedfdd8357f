import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.preset_files import (
    available_presets,
    check_preset,
    load_preset,
    parse_preset,
    preset_dirs,
    rig_problems,
)
from lipsync_ai.core.preset_toml import preset_toml
from lipsync_ai.core.presets import PRESET_DIR, Names, PoseRef, RigInfo, bind

EXPECTED = {"action_sheet_2d", "arkit", "cc4", "mpfb", "pose_actions", "rhubarb", "rhubarb_2d", "rigify", "visemes15",
            "vroid"}


@pytest.mark.parametrize("preset_id", available_presets())
def test_shipped_presets_are_valid(preset_id):
    assert load_preset(preset_id).id == preset_id


def test_binding_finds_aliases_and_reports_what_is_missing():
    rig = RigInfo(frozenset({"vrc.v_pp", "vrc.v_aa", "Basis"}), {"Jaw": "QUATERNION"})
    binding = bind(load_preset("visemes15"), rig)
    assert binding.shape_keys == {"PP": "vrc.v_pp", "aa": "vrc.v_aa"}
    assert binding.jaw_bone == "Jaw" and binding.bone_modes == {"Jaw": "QUATERNION"}
    assert "FF" in binding.missing and "jaw bone" not in binding.missing


def test_all_families_ship():
    assert EXPECTED <= set(available_presets())


@pytest.mark.parametrize("preset_id", sorted(EXPECTED))
def test_a_preset_written_back_parses_to_the_same_preset(tmp_path, preset_id):
    preset = load_preset(preset_id)
    path = tmp_path / "copy.toml"
    path.write_text(preset_toml(preset))
    assert parse_preset(path) == preset


def test_names_match_exactly_then_ignoring_case_then_by_glob():
    names = Names(("viseme_PP", "PP"), ("*_pp",))
    assert names.find({"PP", "viseme_PP"}) == "viseme_PP"
    assert names.find({"VISEME_pp"}) == "VISEME_pp"
    assert names.find({"Head.vrc_pp", "other"}) == "Head.vrc_pp"
    assert names.find({"ppx"}) is None


def test_a_saved_mapping_puts_the_rigs_names_first_and_user_presets_replace_builtins(tmp_path):
    binding = bind(load_preset("visemes15"), RigInfo(frozenset({"vrc.v_pp", "vrc.v_aa"}), {"Jaw": "XYZ"}))
    (tmp_path / "visemes15.toml").write_text(preset_toml(binding.preset, binding))
    dirs = preset_dirs([tmp_path])
    user = load_preset("visemes15", dirs)
    assert user.shape_keys["PP"].names[0] == "vrc.v_pp" and user.jaw.names.names[0] == "Jaw"
    assert load_preset("visemes15").shape_keys["PP"].names[0] == "viseme_PP"


def test_check_reports_every_problem_with_its_line_and_a_fix(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[preset]\nid = "mine"\nname = "Mine"\n\n[shape_keys]\nPP = { names = ["viseme_PP"] }\n'
        'aa = { nmaes = ["viseme_aa"] }\n\n[visemes]\nsil = {}\nPP = { shapes = { PP = 1.5 } }\n'
        'aa = { shapes = { AA = 1.0 }, jaw = 2 }\n'
    )
    preset, problems = check_preset(path)
    assert preset is None
    by_key = {p.key: p for p in problems}
    assert by_key["shape_keys.aa.nmaes"].line == 7 and "did you mean 'names'" in by_key["shape_keys.aa.nmaes"].fix
    assert by_key["visemes.PP.PP"].line == 11
    assert by_key["visemes.aa"].line == 12 and "does not define" in by_key["visemes.aa"].message
    assert by_key["visemes.aa.jaw"].line == 12
    assert "FF" in by_key["visemes"].message
    assert len(problems) >= 6 and all(str(p).startswith("mine.toml") for p in problems)


def test_rig_problems_name_what_the_rig_lacks_and_its_close_names(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text((PRESET_DIR / "visemes15.toml").read_text())
    rig = RigInfo(frozenset({"viseme_PP", "viseme_aa", "viseme_F"}), {})
    problems = rig_problems(parse_preset(path), rig, path, "Head")
    keys = {p.key for p in problems}
    assert "shape_keys.FF" in keys and "jaw" in keys and "shape_keys.PP" not in keys
    ff = next(p for p in problems if p.key == "shape_keys.FF")
    assert ff.line and "viseme_F" in ff.fix and "Head" in ff.message


def test_2d_presets_need_a_drawing_per_viseme(tmp_path):
    path = tmp_path / "sprite.toml"
    path.write_text('[preset]\nid = "s"\nname = "S"\n[sprite]\nproperty = "mouth"\n[visemes]\n'
                    + "".join(f"{v} = {{ frame = 1 }}\n" for v in ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS",
                                                                   "nn", "RR", "aa", "E", "I", "O"))
                    + "U = {}\n")
    _, problems = check_preset(path)
    assert [p.key for p in problems] == ["visemes.U.frame"]


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


def posed(sheet: str) -> str:
    """A pose preset (the Action sheet ``sheet``, a TOML table, or none) lacking only PP."""
    return f'[preset]\nid="p"\nname="P"\n{sheet}[visemes]\n' + "".join(
        f'{v} = {{ pose = {{ action = "A", frame = 1 }} }}\n' for v in ("sil", "FF", "TH", "DD", "kk", "CH", "SS",
                                                                          "nn", "RR", "aa", "E", "I", "O", "U"))


@pytest.mark.parametrize(("sheet", "pp", "where"), [
    ("", "PP = { pose = { action = \"A\", frame = [6, 2] } }", r"\[visemes.PP.pose.frame\] must be a frame or "
                                                            r"\[first, last\] with first < last, not \[6, 2\]"),
    ("", "PP = { pose = { action = \"A\", frame = 2000000 } }", r"visemes.PP.pose.frame.*-1048574..1048574"),
    ("", "PP = { pose = { action = \"A\", frame = [1, 2, 3] } }", r"visemes.PP.pose.frame"),
    ("", "PP = { pose = { action = 3 } }", r"visemes.PP.pose.action\] must be the name of an Action"),
    ("", "PP = { pose = { frame = 2 } }", r"needs 'action', or an action sheet named under \[poses\]"),
    ('[poses]\naction = "Sheet"\n', "PP = { pose = {} }", r"needs 'frame', the frame of the action sheet 'Sheet'"),
    ("", "PP = { pose = { action = \"A\", frames = 2 } }", r"did you mean 'frame'"),
    ("", "PP = { pose = \"A\" }", r"\[visemes.PP.pose\] must be a table"),
])
def test_pose_mappings_are_checked_with_their_line_and_range(tmp_path, sheet, pp, where):
    path = tmp_path / "p.toml"
    path.write_text(posed(sheet) + pp + "\n")
    with pytest.raises(LipsyncError, match=where) as info:
        parse_preset(path)
    assert f"p.toml:{len(posed(sheet).splitlines()) + 1}:" in str(info.value), "the PP line"


def test_a_pose_maps_a_frame_a_range_or_a_frame_of_the_action_sheet(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(posed('[poses]\naction = "Sheet"\n').replace('action = "A", frame = 1', "frame = 3")
                    + 'PP = { pose = { action = "MBP", frame = [1, 6] } }\n')
    preset = parse_preset(path)
    assert preset.visemes["PP"].pose == PoseRef("MBP", 1, 6) and preset.visemes["aa"].pose == PoseRef(None, 3)
    assert preset.pose_actions() == {"MBP", "Sheet"}
    rig = RigInfo(frozenset(), {}, actions=frozenset({"Sheet"}))
    assert bind(preset, rig).missing == ("Action MBP",)
    problems = rig_problems(preset, rig, path, "Rig")
    assert [(p.key, p.line) for p in problems] == [("visemes.PP", len(path.read_text().splitlines()))]
    with pytest.raises(LipsyncError, match="pose Actions such as MBP, Sheet"):
        bind(preset, RigInfo(frozenset(), {}))
    path.write_text(posed('[poses]\naction = ""\n') + 'PP = { pose = { action = "A" } }\n')
    with pytest.raises(LipsyncError, match=r"p.toml:5: \[poses.action\] must be the name of an Action"):
        parse_preset(path)
