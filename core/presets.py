"""Rig presets, the data model: how a rig family names its targets and how each viseme poses them; binding."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LipsyncError
from .settings import AnimationSettings

if TYPE_CHECKING:
    from .poses import PoseBank

PRESET_DIR = Path(__file__).resolve().parent.parent / "rig_presets"
AXES = ("X", "Y", "Z")
EMOTIONS = ("neutral", "happy", "sad", "angry", "surprised")


@dataclass(frozen=True)
class Names:
    """How a target may be named on a rig: exact names in order, then the same ignoring case, then globs."""

    names: tuple[str, ...]
    patterns: tuple[str, ...] = ()

    def find(self, available: Iterable[str]) -> str | None:
        available = sorted(available)
        present = set(available)
        for name in self.names:
            if name in present:
                return name
        folded = {n.casefold(): n for n in available}
        for name in self.names:
            if name.casefold() in folded:
                return folded[name.casefold()]
        for pattern in self.patterns:
            regex = re.compile(fnmatch.translate(pattern), re.IGNORECASE)
            found = next((n for n in available if regex.match(n)), None)
            if found:
                return found
        return None


@dataclass(frozen=True)
class Jaw:
    names: Names
    """The jaw bone; empty when the jaw is a shape key only."""
    axis: str = "X"
    max_angle: float = 0.0
    """Rotation in degrees about ``axis`` when the jaw is fully open (sign gives the direction)."""
    shape: str | None = None
    """A shape-key target that opens the jaw (ARKit ``jawOpen``), driven like the bone."""

    @property
    def has_bone(self) -> bool:
        return bool(self.names.names or self.names.patterns)


@dataclass(frozen=True)
class BoneOffset:
    location: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Offset in the bone's local space, in the armature's units."""
    rotation: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Euler XYZ offset in degrees."""


@dataclass(frozen=True)
class PoseRef:
    """Where a viseme's pose is: a frame of an Action, or a frame range played through over the viseme's hold."""

    action: str | None
    """The Action's name; None: the preset's ``[poses] action`` (an action sheet)."""
    first: int | None = None
    """The pose's frame, or the range's first; None: the Action's first keyed frame (a pose asset)."""
    last: int | None = None
    """The range's last frame; None: a single-frame pose."""


@dataclass(frozen=True)
class VisemePose:
    shapes: dict[str, float] = field(default_factory=dict)
    """Shape-key target → weight in [0, 1]."""
    jaw: float = 0.0
    """Jaw opening in [0, 1]."""
    bones: dict[str, BoneOffset] = field(default_factory=dict)
    intensity: float = 1.0
    frame: int | None = None
    """2D: the mouth drawing's index written to the sprite property."""
    pose: PoseRef | None = None
    """A frame (or frame range) of one of the user's Actions that poses the mouth."""


@dataclass(frozen=True)
class Emotion:
    shapes: dict[str, float] = field(default_factory=dict)
    """Shape-key target → weight added at full emotion intensity."""
    articulation: float = 1.0
    """Scales the visemes at full intensity (sad mumbles, angry over-articulates); contacts are kept."""


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    shape_keys: dict[str, Names]
    jaw: Jaw | None
    visemes: dict[str, VisemePose]
    bones: dict[str, Names] = field(default_factory=dict)
    sprite: str | None = None
    """2D: the custom property on the selected object that holds the mouth drawing's index."""
    emotions: dict[str, Emotion] = field(default_factory=dict)
    animation: dict[str, float | int | bool] = field(default_factory=dict)
    """Defaults for ``AnimationSettings`` fields."""
    priority: int = 0
    """Breaks ties in auto-detection: a dedicated viseme set outranks a general expression set."""
    description: str = ""
    pose_action: str | None = None
    """The action sheet: the Action a viseme's ``pose`` without its own ``action`` takes its frame from."""

    def used_shapes(self) -> set[str]:
        """Shape-key targets the visemes drive (emotion-only targets are optional)."""
        used = {t for pose in self.visemes.values() for t in pose.shapes}
        return used | ({self.jaw.shape} if self.jaw and self.jaw.shape else set())

    def used_bones(self) -> set[str]:
        return {b for pose in self.visemes.values() for b in pose.bones}

    def pose_actions(self) -> set[str]:
        """The names of the Actions the visemes' poses come from."""
        return {p.pose.action or self.pose_action or "" for p in self.visemes.values() if p.pose}


@dataclass(frozen=True)
class RigInfo:
    """What a character offers: shape-key names, bone names with rotation modes, the selected object's properties."""

    shape_keys: frozenset[str]
    bones: dict[str, str]
    properties: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()
    """Actions that animate the character (pose Actions, action sheets)."""


@dataclass(frozen=True)
class RigBinding:
    """A preset bound to a rig: target → the rig's real names."""

    preset: Preset
    shape_keys: dict[str, str]
    jaw_bone: str | None
    bones: dict[str, str] = field(default_factory=dict)
    bone_modes: dict[str, str] = field(default_factory=dict)
    """Rotation mode of every bound bone."""
    missing: tuple[str, ...] = ()
    """Used targets the rig lacks."""
    poses: PoseBank | None = None
    """The pose Actions' channels and samples, once the Blender side has read them."""

    def mouth_channels(self) -> tuple[str, ...]:
        """The rig's names of what the visemes drive (shape keys, bones, the jaw bone, the pose Actions'
        channels): what lip sync owns."""
        used = self.preset.used_shapes()
        names = {n for t, n in self.shape_keys.items() if t in used} | set(self.bones.values())
        names |= self.poses.names() if self.poses else set()
        return tuple(sorted(names | ({self.jaw_bone} if self.jaw_bone else set())))

    def restricted(self, channels: Iterable[str]) -> RigBinding:
        """Only the mouth channels in ``channels`` (rig names) stay bound; emotion-only targets are kept."""
        keep = set(channels)
        used = self.preset.used_shapes()
        return replace(self, shape_keys={t: n for t, n in self.shape_keys.items() if n in keep or t not in used},
                       bones={t: n for t, n in self.bones.items() if n in keep},
                       jaw_bone=self.jaw_bone if self.jaw_bone in keep else None,
                       poses=self.poses.only(keep) if self.poses else None)


def bind(preset: Preset, rig: RigInfo) -> RigBinding:
    """Find the preset's targets on the rig; a rig offering none of them is an error."""
    shape_keys = {t: n for t, names in preset.shape_keys.items() if (n := names.find(rig.shape_keys))}
    bones = {t: n for t, names in preset.bones.items() if (n := names.find(rig.bones))}
    jaw_bone = preset.jaw.names.find(rig.bones) if preset.jaw else None
    actions = sorted(preset.pose_actions())
    if not shape_keys and not jaw_bone and not bones and not preset.sprite and not set(actions) & rig.actions:
        wanted = [n.names[0] for n in preset.shape_keys.values() if n.names][:4]
        bone_names = [n for names in [*preset.bones.values(), *([preset.jaw.names] if preset.jaw else [])]
                      for n in names.names[:1]][:3]
        raise LipsyncError(
            f"Preset '{preset.id}' matches nothing on this character: it needs shape keys such as "
            f"{', '.join(wanted) or '(none)'}, bones such as {', '.join(bone_names) or '(none)'} or pose Actions "
            f"such as {', '.join(actions[:3]) or '(none)'}. Pick another preset (or auto) or rename the keys."
        )
    missing = [t for t in sorted(preset.used_shapes()) if t not in shape_keys]
    missing += [f"bone {t}" for t in sorted(preset.used_bones()) if t not in bones]
    if preset.jaw and preset.jaw.has_bone and not jaw_bone:
        missing.append("jaw bone")
    missing += [f"Action {a}" for a in actions if a not in rig.actions]
    modes = {n: rig.bones[n] for n in [*bones.values(), *([jaw_bone] if jaw_bone else [])]}
    return RigBinding(preset, shape_keys, jaw_bone, bones, modes, tuple(missing))


def own_rig(preset: Preset) -> RigInfo:
    """A rig that has every target of ``preset`` under its first name (Euler bones): for exports with no rig."""
    shapes = {names.names[0] if names.names else target for target, names in preset.shape_keys.items()}
    bone_names = [*preset.bones.values(), *([preset.jaw.names] if preset.jaw and preset.jaw.has_bone else [])]
    bones = {names.names[0]: "XYZ" for names in bone_names if names.names}
    return RigInfo(frozenset(shapes), bones, frozenset([preset.sprite] if preset.sprite else []),
                   frozenset(preset.pose_actions()))


def settings_for(preset: Preset, **overrides) -> AnimationSettings:
    """The preset's animation defaults, then ``overrides`` (None values are left to the preset)."""
    return replace(AnimationSettings(**preset.animation), **{k: v for k, v in overrides.items() if v is not None})
