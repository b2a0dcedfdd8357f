"""Presets on real bpy rigs: every family detected from its naming, split characters, bones, 2D, NLA, saving."""

import re

import bpy
import numpy as np
import pytest
from families import ARKIT, FAMILIES, RIGIFY_BONES

import lipsync_ai
from conftest import DEMO_AUDIO, DEMO_TEXT
from lipsync_ai.blender import user_presets
from lipsync_ai.blender.writer import SLOTTED, TAG, action_fcurves, animated_fcurves
from lipsync_ai.core.preset_files import load_preset

pytestmark = pytest.mark.usefixtures("addon")


@pytest.fixture(autouse=True)
def empty_scene(tmp_path, monkeypatch):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    monkeypatch.setattr(user_presets, "user_preset_dir", lambda create=False: tmp_path)


def mesh(name, shapes, parent=None):
    obj = bpy.data.objects.new(name, bpy.data.meshes.new(name))
    obj.data.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    bpy.context.scene.collection.objects.link(obj)
    if shapes:
        obj.shape_key_add(name="Basis")
        for shape in shapes:
            obj.shape_key_add(name=shape)
    obj.parent = parent
    return obj


def armature(name, bones, mode="QUATERNION"):
    obj = bpy.data.objects.new(name, bpy.data.armatures.new(name))
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    for i, bone in enumerate(bones):
        edit = obj.data.edit_bones.new(bone)
        edit.head, edit.tail = (0, 0, i * 0.1), (0, -0.1, i * 0.1 - 0.05)
    bpy.ops.object.mode_set(mode="OBJECT")
    for pose_bone in obj.pose.bones:
        pose_bone.rotation_mode = mode
    return obj


def character(family):
    shapes, bones = FAMILIES[family]
    rig = armature(f"{family}_rig", bones) if bones else None
    head = mesh(f"{family}_head", shapes, rig) if shapes else None
    return head or rig


def select(obj):
    bpy.context.view_layer.objects.active = obj


def generate(**overrides):
    args = dict(audio_path=str(DEMO_AUDIO), transcript=DEMO_TEXT, language="en-us", start_frame=1)
    return bpy.ops.lipsync.generate(**(args | overrides))


def curves_of(action):
    return {(fc.data_path, fc.array_index): fc for fc in action_fcurves(action)}


@pytest.mark.parametrize("family", FAMILIES)
def test_detect_operator_picks_each_familys_preset(family):
    select(character(family))
    assert bpy.ops.lipsync.detect_preset() == {"FINISHED"}
    assert bpy.context.scene.lipsync.detection.startswith(f"Detected preset {family} ")


def test_split_character_moves_together_and_is_found_from_any_part():
    rig = armature("Rig", ("root", "jaw"), mode="XYZ")
    head = mesh("Head", ARKIT, rig)
    teeth = mesh("Teeth", ("jawOpen",), head)
    tongue = mesh("Tongue", ("jawOpen", "tongueOut"), head)
    beard = mesh("Beard", ("jawOpen", "mouthSmileLeft", "mouthFunnel"), None)
    beard.modifiers.new("Armature", "ARMATURE").object = rig
    select(tongue)
    assert generate(preset="auto", emotion="happy") == {"FINISHED"}
    result = bpy.context.scene.lipsync
    assert "preset arkit (auto)" in result.last_result and "jawOpen→jawOpen" in result.detection
    parts = [part.data.shape_keys.animation_data for part in (head, teeth, tongue, beard)]
    assert {data.action for data in parts} == {a for a in bpy.data.actions if TAG in a}
    assert len({data.action for data in parts}) == (1 if SLOTTED else 4), "one Action with slots (4.4+), or one each"
    for part, data in zip((head, teeth, tongue, beard), parts, strict=True):
        keyed = {fc.data_path.split('"')[1] for fc in animated_fcurves(data)}
        if part is not head:
            assert keyed == {kb.name for kb in part.data.shape_keys.key_blocks[1:]}
    jaw = [fc for data in parts for fc in animated_fcurves(data) if fc.data_path == 'key_blocks["jawOpen"].value']
    assert len(jaw) == 4 and all(max(k.co[1] for k in fc.keyframe_points) > 0.3 for fc in jaw)


def test_rigify_bones_get_location_and_jaw_rotation_keys():
    rig = armature("metarig", RIGIFY_BONES)
    select(rig)
    assert generate(preset="auto") == {"FINISHED"}
    (action,) = [a for a in bpy.data.actions if TAG in a]
    curves = curves_of(action)
    assert ('pose.bones["lips.L"].location', 0) in curves
    assert {i for p, i in curves if p == 'pose.bones["jaw_master"].rotation_quaternion'} == {0, 1, 2, 3}
    assert rig.animation_data.action == action


def test_2d_preset_keys_a_stepped_integer_property():
    plane = mesh("Mouth2D", ())
    select(plane)
    assert generate(preset="rhubarb_2d") == {"FINISHED"}
    assert "added the property 'mouth'" in bpy.context.scene.lipsync.last_result
    (fc,) = action_fcurves(plane.animation_data.action)
    assert fc.data_path == '["mouth"]'
    values = [k.co[1] for k in fc.keyframe_points]
    assert {k.interpolation for k in fc.keyframe_points} == {"CONSTANT"}
    assert set(values) <= set(range(9)) and 0 in values and len(values) > 20
    bpy.context.scene.frame_set(int(fc.keyframe_points[3].co[0]))
    assert plane["mouth"] == values[3]


def test_nla_strip_at_the_start_frame_replaced_on_regenerate_and_the_users_action_kept():
    head = mesh("Head", [f"viseme_{v}" for v in ("PP", "aa", "O", "E")])
    key = head.data.shape_keys
    key.key_blocks["viseme_aa"].value = 0.5
    key.key_blocks["viseme_aa"].keyframe_insert("value", frame=3)
    user = key.animation_data.action
    user.name = "UserKeys"
    select(head)
    assert generate(preset="visemes15", nla=True, start_frame=40) == {"FINISHED"}
    result = bpy.context.scene.lipsync.last_result
    assert f"moved {key.name}'s Action 'UserKeys' to the NLA track 'UserKeys'" in result
    data = key.animation_data
    assert data.action is None, "no active Action hides the lip sync"
    ours = [(t, s) for t in data.nla_tracks for s in t.strips if s.action and TAG in s.action]
    ((track, strip),) = ours
    assert strip.frame_start == 40 and strip.action.name == "Lipsync dialogue"
    assert generate(preset="visemes15", nla=True, start_frame=100) == {"FINISHED"}
    ours = [s for t in data.nla_tracks for s in t.strips if s.action and TAG in s.action]
    assert [s.frame_start for s in ours] == [100]
    assert len([a for a in bpy.data.actions if TAG in a]) == 1
    (user_fc,) = action_fcurves(bpy.data.actions["UserKeys"])
    assert [tuple(k.co) for k in user_fc.keyframe_points] == [(3.0, 0.5)]
    assert generate(preset="visemes15") == {"FINISHED"}, "switching back to an active Action removes the strip"
    assert not [s for t in data.nla_tracks for s in t.strips if s.action and TAG in s.action]
    assert TAG in data.action


def test_keys_are_reduced_and_contacts_keep_full_closure():
    head = mesh("Head", [f"viseme_{v}" for v in ("PP", "FF", "aa", "O")])
    select(head)
    generate(preset="visemes15")
    keys, dense = map(int, re.search(r"(\d+) keys \(of (\d+)\)", bpy.context.scene.lipsync.last_result).groups())
    assert keys < dense / 2
    pp = curves_of(head.data.shape_keys.animation_data.action)[('key_blocks["viseme_PP"].value', 0)]
    values = np.array([k.co[1] for k in pp.keyframe_points])
    assert (values >= 0.95).sum() >= 5


def test_save_preset_writes_a_user_preset_that_is_loaded_alongside(tmp_path):
    head = mesh("Head", ("vrc.v_pp", "vrc.v_aa", "vrc.v_oh"))
    select(head)
    bpy.context.scene.lipsync.preset = "auto"
    assert bpy.ops.lipsync.save_preset(name="My VRChat Avatar") == {"FINISHED"}
    path = tmp_path / "my_vrchat_avatar.toml"
    assert path.is_file() and bpy.context.scene.lipsync.preset == "my_vrchat_avatar"
    preset = load_preset("my_vrchat_avatar", user_presets.search_dirs())
    assert preset.shape_keys["PP"].names[0] == "vrc.v_pp"
    assert not (user_presets.PACKAGE and (lipsync_ai.__path__[0] in str(path)))
    with pytest.raises(RuntimeError, match="exists"):
        bpy.ops.lipsync.save_preset(name="My VRChat Avatar")
    assert bpy.ops.lipsync.detect_preset() == {"FINISHED"}
    assert bpy.context.scene.lipsync.detection.startswith("Detected preset my_vrchat_avatar")


def test_user_preset_dir_falls_back_outside_the_extension(monkeypatch):
    monkeypatch.undo()
    path = user_presets.user_preset_dir()
    assert "lipsync_ai" in str(path) and not str(path).startswith(lipsync_ai.__path__[0])


def test_library_overridden_character_is_keyed_and_linked_parts_are_reported(tmp_path):
    rig = armature("LibRig", ("root", "jaw"), mode="XYZ")
    mesh("LibHead", [f"viseme_{v}" for v in ("PP", "aa", "O")], rig)
    collection = bpy.data.collections.new("Character")
    bpy.context.scene.collection.children.link(collection)
    for obj in list(bpy.context.scene.collection.objects):
        bpy.context.scene.collection.objects.unlink(obj)
        collection.objects.link(obj)
    library = tmp_path / "library.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(library))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    with bpy.data.libraries.load(str(library), link=True) as (_, linked):
        linked.collections = ["Character"]
    instance = bpy.data.objects.new("Instance", None)
    instance.instance_type, instance.instance_collection = "COLLECTION", linked.collections[0]
    bpy.context.scene.collection.objects.link(instance)
    linked.collections[0].override_hierarchy_create(bpy.context.scene, bpy.context.view_layer, reference=instance)
    head = next(o for o in bpy.data.objects if o.name == "LibHead" and o.override_library)
    select(head)
    assert generate(preset="visemes15") == {"FINISHED"}
    assert "skipped LibHead's shape keys: linked from" in bpy.context.scene.lipsync.last_result
    assert TAG in head.parent.animation_data.action
    head.data.override_create(remap_local_usages=True)
    assert generate(preset="visemes15") == {"FINISHED"}
    assert TAG in head.data.shape_keys.animation_data.action
    assert "skipped" not in bpy.context.scene.lipsync.last_result


def test_timing_given_to_the_operator_overrides_the_preset():
    head = mesh("Head", [f"viseme_{v}" for v in ("PP", "aa", "O")])
    select(head)
    assert generate(preset="visemes15", stepped=True, reduce_keys=False) == {"FINISHED"}
    fcurves = action_fcurves(head.data.shape_keys.animation_data.action)
    assert {k.interpolation for fc in fcurves for k in fc.keyframe_points} == {"CONSTANT"}
    assert generate(preset="visemes15", reduce_keys=False) == {"FINISHED"}
    fcurves = action_fcurves(head.data.shape_keys.animation_data.action)
    assert {k.interpolation for fc in fcurves for k in fc.keyframe_points} == {"BEZIER"}
    assert all(len(fc.keyframe_points) == fcurves[0].keyframe_points[-1].co[0] for fc in fcurves)
