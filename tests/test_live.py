"""Live mode under ``blender -b``: the mouth follows the sound strip frame by frame, and stopping restores the rig
(or, recording, keeps the performance as an Action)."""

import bpy
import pytest

from conftest import DEMO_AUDIO, sphere_with_shape_keys
from lipsync_ai.blender import live
from lipsync_ai.blender.writer import TAG, animated_fcurves

pytestmark = [pytest.mark.skipif(not bpy.app.build_options.audaspace,
                                 reason="this bpy build has no audio (Audaspace), so no sound strips"),
              pytest.mark.usefixtures("addon")]
VISEMES = ("viseme_sil", "viseme_PP", "viseme_aa", "viseme_O", "viseme_FF", "viseme_E")


@pytest.fixture
def head():
    obj = sphere_with_shape_keys(VISEMES)
    obj.data.shape_keys.key_blocks["viseme_E"].value = 0.3  # the user's own pose, to be restored
    scene = bpy.context.scene
    editor = scene.sequence_editor_create()
    (editor.strips if hasattr(editor, "strips") else editor.sequences).new_sound("Line", str(DEMO_AUDIO), 1, 10)
    yield obj
    if live.running():
        live.stop(scene)


def values(obj) -> tuple[float, ...]:
    return tuple(round(kb.value, 4) for kb in obj.data.shape_keys.key_blocks)


def test_the_mouth_follows_the_strip_and_is_restored_on_stop(head):
    scene = bpy.context.scene
    before = values(head)
    assert bpy.ops.lipsync.live_start(preset="visemes15") == {"FINISHED"}
    assert not bpy.ops.lipsync.live_start.poll(), "one live session at a time"
    seen = set()
    for frame in range(10, 10 + 24 * 4):
        scene.frame_set(frame)
        seen.add(values(head))
    assert len(seen) > 40, "the values change from frame to frame"
    assert max(v[VISEMES.index("viseme_PP") + 1] for v in seen) > 0.5, "the lips close on M/B/P"
    scene.frame_set(20)  # scrubbing back restarts the stream
    assert bpy.ops.lipsync.live_stop() == {"FINISHED"}
    assert values(head) == before
    assert not [h for h in bpy.app.handlers.frame_change_post if "live" in getattr(h, "__module__", "")]
    assert not [a for a in bpy.data.actions if TAG in a], "nothing recorded unless asked"


def test_record_bakes_the_performance_into_an_action(head):
    scene = bpy.context.scene
    assert bpy.ops.lipsync.live_start(preset="visemes15", record=True) == {"FINISHED"}
    for frame in range(10, 58):
        scene.frame_set(frame)
    assert bpy.ops.lipsync.live_stop() == {"FINISHED"}
    assert "recorded 48 frames" in scene.lipsync.last_result
    curves = animated_fcurves(head.data.shape_keys.animation_data)
    pp = next(fc for fc in curves if fc.data_path == 'key_blocks["viseme_PP"].value')
    assert len(pp.keyframe_points) == 48 and pp.keyframe_points[0].co[0] == 10


def test_the_microphone_needs_sounddevice_and_says_so(head, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # as if it were not installed
    with pytest.raises(RuntimeError, match="needs the sounddevice package"):
        bpy.ops.lipsync.live_start(source="MICROPHONE", preset="visemes15")
    assert not live.running()
