"""Lip sync layers over the animator's acting: it keys only the mouth, and their other keys keep playing."""

import bpy
import pytest
from families import ARKIT

from conftest import DEMO_AUDIO, DEMO_TEXT
from lipsync_ai.blender.rig import CHANNELS
from lipsync_ai.blender.writer import TAG, action_fcurves

pytestmark = pytest.mark.usefixtures("addon")

FRAMES = range(1, 180, 7)


def mesh(name, shapes, parent=None):
    obj = bpy.data.objects.new(name, bpy.data.meshes.new(name))
    obj.data.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis")
    for shape in shapes:
        obj.shape_key_add(name=shape)
    obj.parent = parent
    return obj


@pytest.fixture
def avatar():
    """An ARKit head with its eyes as separate meshes, and the animator's brow raise keyed on the head."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    head = mesh("Head", ARKIT)
    eyes = [mesh(f"Eye{side}", (f"eyeWide{side}", f"eyeBlink{side}"), head) for side in ("Left", "Right")]
    brow = head.data.shape_keys.key_blocks["browInnerUp"]
    brow.value = 1.0
    for frame in (1, 200):
        brow.keyframe_insert("value", frame=frame)
    head.data.shape_keys.animation_data.action.name = "Acting"
    bpy.context.view_layer.objects.active = head
    return head, eyes


def generate(undo=False, **overrides):
    """Run the operator; with ``undo`` it makes an undo step, as a click in the panel does."""
    args = dict(audio_path=str(DEMO_AUDIO), transcript=DEMO_TEXT, language="en-us", preset="arkit", start_frame=1)
    assert bpy.ops.lipsync.generate("EXEC_DEFAULT", undo, **(args | overrides)) == {"FINISHED"}
    return bpy.context.scene.lipsync.last_result


def evaluated(name):
    """The head's shape key's value on each of ``FRAMES``, as the scene plays it."""
    values = []
    for frame in FRAMES:
        bpy.context.scene.frame_set(frame)
        values.append(bpy.data.objects["Head"].data.shape_keys.key_blocks[name].value)
    return values


def keyed_paths():
    return {fc.data_path for a in bpy.data.actions if TAG in a for fc in action_fcurves(a)}


@pytest.mark.parametrize("nla", [False, True])
def test_the_users_brow_keeps_playing_after_generate_and_regenerate(avatar, nla):
    for _ in range(2):
        generate(nla=nla)
        assert all(v == pytest.approx(1.0) for v in evaluated("browInnerUp"))
        jaw = evaluated("jawOpen")
        assert max(jaw) > 0.2 and min(jaw) < 0.05, "the mouth keys still play"
    assert 'key_blocks["browInnerUp"].value' not in keyed_paths()
    assert [tuple(k.co) for k in action_fcurves(bpy.data.actions["Acting"])[0].keyframe_points] == [(1, 1), (200, 1)]


def test_undoing_generate_steps_back_and_the_brow_still_plays(avatar):
    bpy.ops.ed.undo_push(message="Acting")
    generate(undo=True)
    generate(undo=True, start_frame=40)
    bpy.ops.ed.undo()
    assert all(v == pytest.approx(1.0) for v in evaluated("browInnerUp"))
    assert max(evaluated("jawOpen")[:5]) > 0.2, "back to the first Generate, which starts at frame 1"
    bpy.ops.ed.undo()
    assert all(v == pytest.approx(1.0) for v in evaluated("browInnerUp"))
    assert bpy.data.objects["Head"].data.shape_keys.animation_data.action.name == "Acting"
    assert not [a for a in bpy.data.actions if TAG in a], "back to before Generate"


def test_only_mouth_channels_are_keyed_and_meshes_without_them_get_nothing(avatar):
    head, eyes = avatar
    assert "keys/s per animated channel" in generate()
    emotion_only = {"browDownLeft", "eyeWideLeft", "noseSneerLeft", "cheekSquintLeft", "mouthFrownLeft"}
    assert not emotion_only & {p.split('"')[1] for p in keyed_paths()}
    assert all(eye.data.shape_keys.animation_data is None for eye in eyes)
    generate(emotion="happy")
    assert {'key_blocks["cheekSquintLeft"].value', 'key_blocks["mouthSmileLeft"].value'} <= keyed_paths()


def test_the_characters_mouth_channel_list_is_shown_editable_and_obeyed(avatar):
    head, _ = avatar
    assert bpy.ops.lipsync.mouth_channels() == {"FINISHED"}
    channels = [n.strip() for n in head[CHANNELS].split(",")]
    assert "jawOpen" in channels and "mouthClose" in channels and "browInnerUp" not in channels
    head[CHANNELS] = ", ".join(n for n in channels if n != "mouthClose")
    generate()
    keyed = keyed_paths()
    assert 'key_blocks["mouthClose"].value' not in keyed and 'key_blocks["jawOpen"].value' in keyed
    head[CHANNELS] = "browInnerUp"
    with pytest.raises(RuntimeError, match="Mouth channels"):
        generate()
    assert 'key_blocks["jawOpen"].value' in keyed_paths(), "the last good Action stays"
