"""Rig presets: TOML data that says which shape keys and jaw bone a rig has and how visemes drive them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import LipsyncError
from .visemes import VISEMES

PRESET_DIR = Path(__file__).resolve().parent.parent / "rig_presets"
AXES = ("X", "Y", "Z")


@dataclass(frozen=True)
class Jaw:
    names: tuple[str, ...]
    axis: str
    max_angle: float
    """Rotation in degrees about ``axis`` when the jaw is fully open (sign gives the direction)."""


@dataclass(frozen=True)
class VisemePose:
    shapes: dict[str, float]
    """Shape-key target → weight in [0, 1]."""
    jaw: float
    """Jaw opening in [0, 1]."""


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    shape_keys: dict[str, tuple[str, ...]]
    """Shape-key target → names it may have on a rig, first found wins."""
    jaw: Jaw | None
    visemes: dict[str, VisemePose]


@dataclass(frozen=True)
class RigInfo:
    """What a character offers: shape-key names and bone names with their rotation modes."""

    shape_keys: frozenset[str]
    bones: dict[str, str]


@dataclass(frozen=True)
class RigBinding:
    """A preset bound to a rig: target → the rig's real names."""

    preset: Preset
    shape_keys: dict[str, str]
    jaw_bone: str | None
    jaw_rotation_mode: str
    missing: tuple[str, ...]


def available_presets() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_preset(preset_id: str) -> Preset:
    path = PRESET_DIR / f"{preset_id}.toml"
    if not path.is_file():
        raise LipsyncError(f"Unknown preset '{preset_id}'. Available: {', '.join(available_presets())}.")
    return parse_preset(path)


def parse_preset(path: Path) -> Preset:
    """Read and validate a preset file; every problem names the file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LipsyncError(f"{path.name}: not a readable TOML file ({exc}).") from None

    def fail(key: str, what: str) -> LipsyncError:
        return LipsyncError(f"{path.name}: [{key}] {what}")

    meta = data.get("preset", {})
    if not isinstance(meta.get("id"), str) or not isinstance(meta.get("name"), str):
        raise fail("preset", "needs string keys 'id' and 'name'.")
    shape_keys: dict[str, tuple[str, ...]] = {}
    for target, spec in data.get("shape_keys", {}).items():
        names = spec.get("names") if isinstance(spec, dict) else None
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise fail(f"shape_keys.{target}", "needs 'names', a list of shape-key names.")
        shape_keys[target] = tuple(names)
    jaw = None
    if "jaw" in data:
        spec = data["jaw"]
        if spec.get("axis") not in AXES or not isinstance(spec.get("max_angle"), int | float):
            raise fail("jaw", "needs 'names', 'axis' (X, Y or Z) and 'max_angle' in degrees.")
        jaw = Jaw(tuple(spec.get("names", ())), spec["axis"], float(spec["max_angle"]))
    visemes: dict[str, VisemePose] = {}
    for viseme, spec in data.get("visemes", {}).items():
        if viseme not in VISEMES:
            raise fail(f"visemes.{viseme}", f"is not a viseme; use one of {', '.join(VISEMES)}.")
        shapes = dict(spec.get("shapes", {}))
        for target, weight in shapes.items():
            if target not in shape_keys:
                raise fail(f"visemes.{viseme}", f"uses '{target}', which [shape_keys] does not define.")
            if not isinstance(weight, int | float) or not 0 <= weight <= 1:
                raise fail(f"visemes.{viseme}", f"weight of '{target}' must be a number in [0, 1].")
        jaw_open = spec.get("jaw", 0.0)
        if not isinstance(jaw_open, int | float) or not 0 <= jaw_open <= 1:
            raise fail(f"visemes.{viseme}", "'jaw' must be a number in [0, 1].")
        visemes[viseme] = VisemePose({t: float(w) for t, w in shapes.items()}, float(jaw_open))
    missing = [v for v in VISEMES if v not in visemes]
    if missing:
        raise fail("visemes", f"has no pose for {', '.join(missing)}.")
    return Preset(meta["id"], meta["name"], shape_keys, jaw, visemes)


def bind(preset: Preset, rig: RigInfo) -> RigBinding:
    """Find the preset's targets on the rig; a rig offering none of them is an error."""
    shape_keys = {}
    for target, names in preset.shape_keys.items():
        found = next((n for n in names if n in rig.shape_keys), None)
        if found:
            shape_keys[target] = found
    jaw_bone = next((n for n in preset.jaw.names if n in rig.bones), None) if preset.jaw else None
    missing = [t for t in preset.shape_keys if t not in shape_keys]
    if preset.jaw and not jaw_bone:
        missing.append("jaw bone")
    if not shape_keys and not jaw_bone:
        raise LipsyncError(
            f"Preset '{preset.id}' matches nothing on this character: it needs shape keys such as "
            f"{', '.join(list(preset.shape_keys)[:4])} or a jaw bone. Pick another preset or rename the keys."
        )
    mode = rig.bones.get(jaw_bone, "XYZ") if jaw_bone else "XYZ"
    return RigBinding(preset, shape_keys, jaw_bone, mode, tuple(missing))
