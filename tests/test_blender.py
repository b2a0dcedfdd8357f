"""The Blender side on the bpy wheel: the operator keys a rig in bulk, replaces its own Action, keeps the user's."""

import bpy
import numpy as np
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT, sphere_with_shape_keys
from lipsync_ai.blender.writer import SLOTTED, TAG, action_fcurves, animated_fcurves

VISEMES = ("PP", "FF", "aa", "O", "U", "E")

pytestmark = pytest.mark.usefixtures("addon")


@pytest.fixture
def rig():
    """A mouth with bare viseme names, a blink key the user animated, and a quaternion jaw bone."""
    head = sphere_with_shape_keys((*VISEMES, "Blink"))
    key = head.data.shape_keys
    for block in key.key_blocks[1:]:
        block.data[0].co.z += 0.1
    key.key_blocks["Blink"].value = 1.0
    key.key_blocks["Blink"].keyframe_insert("value", frame=5)
    user_action = key.animation_data.action
    user_action.name = "UserBlink"
    armature = bpy.data.objects.new("Rig", bpy.data.armatures.new("Rig"))
    bpy.context.scene.collection.objects.link(armature)
    bpy.context.view_layer.objects.active = armature
    bpy.ops.object.mode_set(mode="EDIT")
    bone = armature.data.edit_bones.new("Jaw")
    bone.head, bone.tail = (0, 0, 0), (0, -1, -0.5)
    bpy.ops.object.mode_set(mode="OBJECT")
    armature.pose.bones["Jaw"].rotation_mode = "QUATERNION"
    head.parent = armature
    bpy.context.view_layer.objects.active = head
    return head


def generate(**overrides):
    args = dict(audio_path=str(DEMO_AUDIO), transcript=DEMO_TEXT, language="en-us", preset="visemes15",
                start_frame=10)
    return bpy.ops.lipsync.generate(**(args | overrides))


def lipsync_actions():
    return [a for a in bpy.data.actions if TAG in a]


def test_generate_keys_shape_keys_and_jaw_in_the_clip_range(rig):
    assert generate() == {"FINISHED"}
    shapes, jaw = rig.data.shape_keys.animation_data, rig.parent.animation_data
    assert set(lipsync_actions()) == {shapes.action, jaw.action}
    assert (shapes.action == jaw.action) == SLOTTED, "one Action with a slot each (4.4+), else one per datablock"
    curves = {(fc.data_path, fc.array_index): fc for data in (shapes, jaw) for fc in animated_fcurves(data)}
    end = 10 + 7.72 * bpy.context.scene.render.fps + 1
    for name in VISEMES:
        fc = curves[(f'key_blocks["{name}"].value', 0)]
        frames = np.array([k.co[0] for k in fc.keyframe_points])
        assert frames.min() == 10 and frames.max() <= end
        assert max(k.co[1] for k in fc.keyframe_points) > 0.3
    assert {i for path, i in curves if path.startswith('pose.bones["Jaw"]')} == {0, 1, 2, 3}
    assert 'key_blocks["Blink"].value' not in {path for path, _ in curves}
    assert "Lipsync" in bpy.context.scene.lipsync.last_result


def test_generating_twice_replaces_its_action_and_keeps_the_users(rig):
    generate()
    generate(start_frame=30)
    assert len(lipsync_actions()) == (1 if SLOTTED else 2), "the first run's Actions are gone"
    fc = next(fc for fc in animated_fcurves(rig.data.shape_keys.animation_data)
              if fc.data_path == 'key_blocks["PP"].value')
    assert fc.keyframe_points[0].co[0] == 30
    user = bpy.data.actions["UserBlink"]
    (track,) = rig.data.shape_keys.animation_data.nla_tracks
    assert track.strips[0].action == user
    (blink,) = action_fcurves(user)
    assert [tuple(k.co) for k in blink.keyframe_points] == [(5.0, 1.0)]


@pytest.mark.parametrize(("setup", "overrides", "message"), [
    ("plain", {}, "no shape keys and no armature"),
    ("rig", {"audio_path": "/nonexistent/line.wav"}, "not found"),
    ("rig", {"language": "xx-zz"}, "Unknown language"),
    ("rig", {"preset": "missing"}, "Unknown preset"),
    ("unmatched", {}, "matches nothing"),
])
def test_bad_input_cancels_with_one_message_and_writes_nothing(rig, setup, overrides, message):
    if setup == "plain":
        bpy.ops.mesh.primitive_cube_add()
    elif setup == "unmatched":
        for block in rig.data.shape_keys.key_blocks[1:]:
            block.name = f"Other{block.name}"
        rig.parent.data.bones["Jaw"].name = "Spine"
    actions_before = set(bpy.data.actions)
    with pytest.raises(RuntimeError, match=message):
        generate(**overrides)
    assert set(bpy.data.actions) == actions_before
    assert bpy.context.scene.lipsync.last_result.startswith("Error:")


def test_poll_explains_a_missing_selection(rig):
    bpy.context.view_layer.objects.active = None
    assert not bpy.ops.lipsync.generate.poll()


def test_audio_only_is_a_choice_and_a_txt_beside_the_audio_is_found(rig):
    assert generate(transcript="", audio_only=True) == {"FINISHED"}
    assert "words (audio only: pocketsphinx" in bpy.context.scene.lipsync.last_result
    assert generate(transcript="") == {"FINISHED"}
    assert "24 words, " in bpy.context.scene.lipsync.last_result, "demo/dialogue.txt lies beside the audio"


def test_panel_bounds_are_the_validated_ranges():
    from lipsync_ai.core.validate import SETTINGS

    props = bpy.context.scene.lipsync.bl_rna.properties
    for name, allowed in SETTINGS.items():
        if name in props:
            assert (props[name].hard_min, props[name].hard_max) == pytest.approx((allowed.low, allowed.high)), name
