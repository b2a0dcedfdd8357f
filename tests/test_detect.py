"""Auto-detection: every family's real naming picks its preset, and the explanation says what matched."""

import pytest
from families import ARKIT, ARKIT_UNDERSCORE, CC4, FAMILIES, READY_PLAYER_ME, RIGIFY_BONES, VRCHAT

from lipsync_ai.core.detect import detect
from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.preset_files import load_all
from lipsync_ai.core.presets import RigInfo


def rig(shapes=(), bones=(), properties=()):
    return RigInfo(frozenset(shapes), dict.fromkeys(bones, "QUATERNION"), frozenset(properties))


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_is_detected_as_its_preset(family):
    shapes, bones = FAMILIES[family]
    detection = detect(load_all(), rig(shapes, bones))
    assert detection.best.preset.id == family
    assert detection.scores[0].coverage > 0.9
    assert f"Detected preset {family}" in detection.explain()


@pytest.mark.parametrize(("shapes", "preset"), [(VRCHAT, "visemes15"), (ARKIT_UNDERSCORE, "arkit")])
def test_naming_variants_of_a_family(shapes, preset):
    assert detect(load_all(), rig(shapes)).best.preset.id == preset


def test_prefixed_names_match_by_pattern_and_the_binding_uses_the_rigs_names():
    shapes = [f"Face.M_F00_000_00_Fcl_MTH_{v}" for v in "AIUEO"]
    binding = detect(load_all(), rig(shapes)).best
    assert binding.preset.id == "vroid"
    assert binding.shape_keys["A"] == "Face.M_F00_000_00_Fcl_MTH_A"
    assert "Close" in binding.missing


def test_a_partial_rig_explains_what_is_missing():
    shapes = ("viseme_PP", "viseme_aa", "viseme_O", "Blink")
    detection = detect(load_all(), rig(shapes, ("jaw",)))
    text = detection.explain()
    assert detection.best.preset.id == "visemes15"
    assert "PP→viseme_PP" in text and "jaw→jaw" in text and "missing" in text and "FF" in text


def test_a_2d_object_with_the_sprite_property_picks_the_2d_preset():
    assert detect(load_all(), rig(properties=("mouth",))).best.preset.id == "rhubarb_2d"


def test_nothing_matching_is_an_error_that_says_what_to_do():
    detection = detect(load_all(), rig(("Blink", "Smile"), ("spine",)))
    assert detection.best is None
    with pytest.raises(LipsyncError, match="No preset matches"):
        detection.binding()


@pytest.mark.parametrize(("shapes", "bones", "preset"), [
    (READY_PLAYER_ME + ARKIT, ("Head", "Neck"), "visemes15"),
    (VRCHAT + ARKIT, ("Head",), "visemes15"),
    (CC4 + ARKIT, FAMILIES["cc4"][1], "cc4"),
])
def test_a_dedicated_viseme_set_beats_a_general_expression_set_when_both_are_complete(shapes, bones, preset):
    detection = detect(load_all(), rig(shapes, bones))
    coverage = {s.preset.id: s.coverage for s in detection.scores}
    assert coverage[preset] == coverage["arkit"] == 1.0, "both sets are complete"
    assert detection.best.preset.id == preset
    assert "Chosen over arkit (also 100%): a dedicated set (priority 10) beats a general one" in detection.explain()


def test_a_mesh_presets_missing_jaw_bone_is_optional_and_said_so():
    detection = detect(load_all(), rig(READY_PLAYER_ME))
    top = detection.scores[0]
    assert top.preset.id == "visemes15" and top.coverage == 1.0
    assert top.optional == ("jaw bone",) and "jaw bone" not in top.missing
    assert "optional, not on this rig (not held against it): jaw bone" in detection.explain()


def test_a_bone_presets_missing_jaw_bone_still_counts():
    bones = [b for b in RIGIFY_BONES if "jaw" not in b]
    (top, *_) = detect(load_all(), rig(bones=bones)).scores
    assert top.preset.id == "rigify" and top.coverage < 1.0 and "jaw bone" in top.missing
