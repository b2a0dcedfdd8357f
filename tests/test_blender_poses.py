"""Pose targets on a bone mouth built here: Generate bakes the user's pose Actions (one per mouth shape) into the
clip, leaves them and the user's other acting alone, and refuses a mapping it cannot bake in one clear line."""

import json
import math

import bpy
import pytest

from conftest import DEMO_AUDIO, DEMO_TEXT
from lipsync_ai.blender import user_presets
from lipsync_ai.blender.rig import CHANNELS
from lipsync_ai.blender.timing import TIMING
from lipsync_ai.blender.writer import TAG, action_fcurves
from lipsync_ai.core.presets import PRESET_DIR

pytestmark = pytest.mark.usefixtures("addon")

MOUTH = ("jaw", "lip_upper", "lip_lower", "corner.L", "corner.R")
OPEN = {"Mouth_rest": 0, "Mouth_MBP": 0, "Mouth_FV": 3, "Mouth_L": 8, "Mouth_etc": 8, "Mouth_WQ": 6, "Mouth_AI": 20,
        "Mouth_E": 10, "Mouth_O": 15, "Mouth_U": 5}
"""Each pose Action's jaw opening in degrees about X; MBP also presses the lips, FV tucks the lower lip."""
LIPS = {"Mouth_MBP": {"lip_upper": (0.0, 0.0, -0.004), "lip_lower": (0.0, 0.0, 0.005)},
        "Mouth_FV": {"lip_lower": (0.0, 0.004, 0.004)},
        "Mouth_U": {"corner.L": (-0.007, 0.0, 0.0), "corner.R": (0.007, 0.0, 0.0)}}
BROW = 0.01
"""The animator's acting: the brow raised on frames 1-200."""
FRAMES = range(1, 180, 7)


@pytest.fixture
def rig(tmp_path, monkeypatch):
    """An armature with a jaw (quaternion), lips and corners, a pose Action per mouth shape (Mouth_MBP marked as a
    pose asset), and the animator's brow raise as its active Action."""
    monkeypatch.setattr(user_presets, "user_preset_dir", lambda create=False: tmp_path)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    obj = bpy.data.objects.new("MouthRig", bpy.data.armatures.new("MouthRig"))
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    for i, name in enumerate(("head", "brow", *MOUTH)):
        bone = obj.data.edit_bones.new(name)
        bone.head, bone.tail = (0, 0, i * 0.1), (0, -0.1, i * 0.1)
    bpy.ops.object.mode_set(mode="OBJECT")
    for bone in obj.pose.bones:
        bone.rotation_mode = "QUATERNION" if bone.name == "jaw" else "XYZ"
    data = obj.animation_data_create()
    for name, degrees in OPEN.items():
        jaw = obj.pose.bones["jaw"]
        jaw.rotation_quaternion = (math.cos(math.radians(degrees) / 2), math.sin(math.radians(degrees) / 2), 0, 0)
        jaw.keyframe_insert("rotation_quaternion", frame=1)
        for bone in MOUTH[1:]:
            obj.pose.bones[bone].location = LIPS.get(name, {}).get(bone, (0.0, 0.0, 0.0))
            obj.pose.bones[bone].keyframe_insert("location", frame=1)
        data.action.name, data.action.use_fake_user = name, True
        data.action = None
    bpy.data.actions["Mouth_MBP"].asset_mark()
    for bone in obj.pose.bones:
        bone.location, bone.rotation_quaternion = (0, 0, 0), (1, 0, 0, 0)
    brow = obj.pose.bones["brow"]
    brow.location.z = BROW
    for frame in (1, 200):
        brow.keyframe_insert("location", index=2, frame=frame)
    data.action.name = "Acting"
    return obj


def generate(**overrides):
    args = dict(audio_path=str(DEMO_AUDIO), transcript=DEMO_TEXT, language="en-us", start_frame=1, preset="auto")
    assert bpy.ops.lipsync.generate(**(args | overrides)) == {"FINISHED"}
    return bpy.context.scene.lipsync


def keys(action):
    return {(fc.data_path, fc.array_index): [tuple(k.co) for k in fc.keyframe_points] for fc in action_fcurves(action)}


def closures(action):
    """The frames of each PP viseme of the clip's stored timing (start frame 1)."""
    fps = bpy.context.scene.render.fps
    spans = [s for s in json.loads(action[TIMING])["visemes"] if s["viseme"] == "PP"]
    return [range(math.floor(s["start"] * fps), math.ceil(s["end"] * fps) + 3) for s in spans]


def test_generate_bakes_the_pose_actions_and_the_users_acting_keeps_playing(rig):
    poses = {name: keys(bpy.data.actions[name]) for name in OPEN}
    result = generate()
    assert "Detected preset pose_actions" in result.detection and "Action Mouth_MBP" in result.detection
    (action,) = [a for a in bpy.data.actions if TAG in a]
    assert rig.animation_data.action == action
    keyed = {path.split('"')[1] for path, _ in keys(action)}
    assert keyed == set(MOUTH), "only the bones the poses move; the brow and head stay the user's"
    bones = rig.pose.bones
    spans = closures(action)
    assert len(spans) >= 5
    for span in spans:
        pressed = []
        for frame in span:
            bpy.context.scene.frame_set(frame)
            jaw = bones["jaw"].rotation_quaternion.x
            pressed.append((bones["lip_upper"].location.z, bones["lip_lower"].location.z, jaw))
        upper, lower, jaw = min(pressed)
        assert upper <= 0.95 * -0.004 and lower >= 0.95 * 0.005 - 2e-4, f"M/B/P at frames {span} shows Mouth_MBP"
        assert abs(jaw) < 0.1 * math.sin(math.radians(10)), "the jaw is closed as in Mouth_MBP"
    opened = []
    for frame in FRAMES:
        bpy.context.scene.frame_set(frame)
        assert bones["brow"].location.z == pytest.approx(BROW), "the user's acting plays on"
        opened.append(bones["jaw"].rotation_quaternion.x)
    assert max(opened) > 0.5 * math.sin(math.radians(10)), "the vowels open the jaw as their poses do"
    assert {name: keys(bpy.data.actions[name]) for name in OPEN} == poses, "the pose Actions are untouched"
    assert bpy.data.actions["Mouth_MBP"].asset_data is not None


def write_preset(tmp_path, old, new):
    text = (PRESET_DIR / "pose_actions.toml").read_text().replace('id = "pose_actions"', 'id = "mine"')
    assert old in text
    (tmp_path / "mine.toml").write_text(text.replace(old, new))


@pytest.mark.parametrize(("old", "new", "message"), [
    ('PP = { pose = { action = "Mouth_MBP" } }', 'PP = { pose = { action = "Mouth_MBP", frame = 5 } }',
     r"Viseme PP's pose: 'Mouth_MBP' has no key at frame 5 \(its keys are at frames 1\)"),
    ('aa = { pose = { action = "Mouth_AI" } }', 'aa = { pose = { action = "Mouth_AI", frame = [1, 30] } }',
     r"Viseme aa's pose frames 1-30 run outside the keys of 'Mouth_AI' \(frames 1-1\)"),
    ('E = { pose = { action = "Mouth_E" } }', 'E = { pose = { action = "Lipsync dialogue" } }',
     r"names 'Lipsync dialogue', an Action lip sync generated for the clip 'dialogue'"),
    ("[visemes]", '[jaw]\nnames = ["jaw"]\naxis = "X"\nmax_angle = 10.0\n\n[visemes]',
     r"of 'Mouth_rest' is also driven by preset mine's own bone or jaw targets. Take 'jaw' out"),
])
def test_a_pose_mapping_that_cannot_bake_is_refused_and_the_last_action_stays(rig, tmp_path, old, new, message):
    generate(preset="pose_actions")
    (action,) = [a for a in bpy.data.actions if TAG in a]
    before = keys(action)
    write_preset(tmp_path, old, new)
    with pytest.raises(RuntimeError, match=message):
        generate(preset="mine")
    assert rig.animation_data.action == action and keys(action) == before


def test_a_missing_pose_action_or_a_driven_pose_channel_is_refused_and_the_last_action_stays(rig):
    generate(preset="pose_actions")
    (action,) = [a for a in bpy.data.actions if TAG in a]
    before = keys(action)
    rig.driver_add('pose.bones["lip_upper"].location', 2)
    with pytest.raises(RuntimeError, match=r"pose channel pose.bones\[\"lip_upper\"\].location\[2\] of 'Mouth_rest' "
                                           r"is driven by a driver on 'MouthRig'"):
        generate(preset="pose_actions")
    rig.driver_remove('pose.bones["lip_upper"].location', 2)
    bpy.data.actions.remove(bpy.data.actions["Mouth_FV"])
    with pytest.raises(RuntimeError, match="Viseme FF's pose Action 'Mouth_FV' is not in this file"):
        generate(preset="pose_actions")
    assert rig.animation_data.action == action and keys(action) == before


def sheet_object():
    """A Grease Pencil mouth whose Time Offset modifier (Fixed Frame) picks the drawing, and its action sheet:
    frame N of MouthSheet shows drawing 10 * N."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    obj = bpy.data.objects.new("Mouth2D", bpy.data.grease_pencils.new("Mouth2D"))
    bpy.context.scene.collection.objects.link(obj)
    if obj.type == "GREASEPENCIL":  # Blender 4.3+
        modifier, path = obj.modifiers.new("Time Offset", "GREASE_PENCIL_TIME"), 'modifiers["Time Offset"].offset'
    else:
        modifier = obj.grease_pencil_modifiers.new("Time Offset", "GP_TIME")
        path = 'grease_pencil_modifiers["Time Offset"].offset'
    modifier.mode = "FIX"
    for frame in range(1, 10):
        modifier.offset = 10 * frame
        obj.keyframe_insert(path, frame=frame)
    obj.animation_data.action.name = "MouthSheet"
    bpy.context.view_layer.objects.active = obj
    return obj, modifier, path


def test_a_grease_pencil_action_sheet_drives_the_drawing_stepped():
    obj, modifier, path = sheet_object()
    sheet = keys(bpy.data.actions["MouthSheet"])
    generate(preset="action_sheet_2d")
    (action,) = [a for a in bpy.data.actions if TAG in a]
    (curve,) = action_fcurves(action)
    assert (curve.data_path, curve.array_index) == (path, 0)
    assert {k.interpolation for k in curve.keyframe_points} == {"CONSTANT"}
    values = [k.co[1] for k in curve.keyframe_points]
    assert set(values) <= {10.0 * n for n in range(1, 10)} and 10.0 in values and values[0] == 90.0
    bpy.context.scene.frame_set(int(curve.keyframe_points[3].co[0]))
    assert modifier.offset == values[3]
    assert keys(bpy.data.actions["MouthSheet"]) == sheet


def test_the_mouth_channel_list_names_the_posed_bones_and_rebake_bakes_the_poses_again(rig):
    bpy.context.scene.lipsync.preset = "pose_actions"
    assert bpy.ops.lipsync.mouth_channels() == {"FINISHED"}
    assert sorted(n.strip() for n in rig[CHANNELS].split(",")) == sorted(MOUTH)
    rig[CHANNELS] = ", ".join(n for n in MOUTH if n != "corner.L")
    generate(preset="pose_actions")
    assert bpy.ops.lipsync.rebake() == {"FINISHED"}
    (action,) = [a for a in bpy.data.actions if TAG in a]
    keyed = {path.split('"')[1] for path, _ in keys(action)}
    assert keyed == set(MOUTH) - {"corner.L"}, "a bone taken off the list is left to the user"
