"""Auto-detection: every family's real naming picks its preset, and the explanation says what matched."""

import pytest
from families import ARKIT_UNDERSCORE, FAMILIES, VRCHAT

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
