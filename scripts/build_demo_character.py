"""Build the demo character: a head with one mouth shape key per viseme of ``visemes15`` and a jaw bone.

Usage: python scripts/build_demo_character.py OUT.blend
"""

from __future__ import annotations

import sys
from pathlib import Path

import bpy
import numpy as np

MOUTH_Z = -0.35
# Per viseme: (open, wide, round, press, lip_tuck): lower-lip drop, corner stretch, pucker, lips together,
# lower lip under the upper teeth.
SHAPES = {
    "PP": (0.0, 0.0, 0.1, 1.0, 0.0), "FF": (0.15, 0.1, 0.0, 0.0, 1.0), "TH": (0.3, 0.1, 0.0, 0.0, 0.3),
    "DD": (0.35, 0.2, 0.0, 0.0, 0.0), "kk": (0.4, 0.15, 0.0, 0.0, 0.0), "CH": (0.3, -0.2, 0.6, 0.0, 0.0),
    "SS": (0.15, 0.5, 0.0, 0.0, 0.0), "nn": (0.3, 0.2, 0.0, 0.0, 0.0), "RR": (0.3, -0.1, 0.5, 0.0, 0.0),
    "aa": (1.0, 0.2, 0.0, 0.0, 0.0), "E": (0.55, 0.5, 0.0, 0.0, 0.0), "I": (0.35, 0.7, 0.0, 0.0, 0.0),
    "O": (0.7, -0.3, 0.8, 0.0, 0.0), "U": (0.3, -0.5, 1.0, 0.0, 0.0),
}


def _head_mesh() -> bpy.types.Object:
    bpy.ops.mesh.primitive_uv_sphere_add(segments=64, ring_count=48, radius=1.0)
    head = bpy.context.active_object
    head.name = head.data.name = "DemoHead"
    head.scale = (0.8, 0.9, 1.1)
    bpy.ops.object.shade_smooth()
    return head


def _mouth_offsets(co: np.ndarray, open_, wide, round_, press, tuck) -> np.ndarray:
    x, y, z = co.T
    front = np.clip(-y, 0.0, 1.0) ** 2
    dz = z - MOUTH_Z
    near = front * np.exp(-((x / 0.45) ** 2) - (dz / 0.25) ** 2)
    lower = dz < 0
    offset = np.zeros_like(co)
    offset[:, 2] -= near * np.where(lower, 0.25 * open_, -0.06 * open_)
    offset[:, 0] += near * x * (0.35 * wide - 0.45 * round_)
    offset[:, 1] -= near * 0.12 * round_
    offset[:, 2] -= near * dz * 0.8 * press
    offset[:, 1] += near * lower * 0.1 * tuck
    offset[:, 2] += near * lower * 0.08 * tuck
    return offset


def build(path: Path) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = 24
    head = _head_mesh()

    armature = bpy.data.objects.new("DemoRig", bpy.data.armatures.new("DemoRig"))
    scene.collection.objects.link(armature)
    bpy.context.view_layer.objects.active = armature
    bpy.ops.object.mode_set(mode="EDIT")
    bones = armature.data.edit_bones
    root = bones.new("head")
    root.head, root.tail = (0, 0, -1.2), (0, 0, 1.2)
    jaw = bones.new("jaw")
    jaw.head, jaw.tail, jaw.parent = (0, 0.1, -0.15), (0, -0.75, -0.75), root
    bpy.ops.object.mode_set(mode="OBJECT")
    armature.pose.bones["jaw"].rotation_mode = "XYZ"

    co = np.array([v.co for v in head.data.vertices]) * np.array(head.scale)
    jaw_weight = np.clip((MOUTH_Z - co[:, 2]) / 0.25 + 0.5, 0, 1) * (co[:, 1] < 0.3)
    groups = {name: head.vertex_groups.new(name=name) for name in ("head", "jaw")}
    for i, w in enumerate(jaw_weight):
        groups["jaw"].add([i], float(w), "REPLACE")
        groups["head"].add([i], float(1 - w), "REPLACE")
    head.parent = armature
    head.modifiers.new("Armature", "ARMATURE").object = armature

    head.shape_key_add(name="Basis")
    local = np.array([v.co for v in head.data.vertices])
    for viseme, params in SHAPES.items():
        key = head.shape_key_add(name=f"viseme_{viseme}", from_mix=False)
        key.data.foreach_set("co", (local + _mouth_offsets(co, *params) / np.array(head.scale)).ravel())

    scene.frame_start, scene.frame_end = 1, 250
    path.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(path.resolve()))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
