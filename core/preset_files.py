"""Preset files: find, read and validate them, reporting every problem with its file, line, key and fix."""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import LipsyncError
from .presets import (
    AXES,
    EMOTIONS,
    PRESET_DIR,
    BoneOffset,
    Emotion,
    Jaw,
    Names,
    PoseRef,
    Preset,
    RigInfo,
    VisemePose,
)
from .settings import PRESET_SETTINGS, AnimationSettings
from .validate import ID, MAX_ANGLE, OFFSET, SETTINGS, START_FRAME, Range, check_id
from .visemes import VISEMES


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    line: int | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.key}] {self.message}" + (f" Fix: {self.fix}" if self.fix else "")


def preset_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """The built-in presets first, then user directories (a user preset with a built-in's id replaces it)."""
    return [PRESET_DIR, *extra]


MAX_BYTES = 256 * 1024
"""Largest preset file read (the built-ins are a few kB)."""

log = logging.getLogger(__name__)


def available_presets(dirs: Iterable[Path] | None = None) -> list[str]:
    """The ids of the ``.toml`` files in ``dirs`` (files whose name is not an id are not presets)."""
    return sorted({p.stem for d in (dirs or preset_dirs()) for p in Path(d).glob("*.toml") if ID.fullmatch(p.stem)})


def preset_paths(preset_id: str, dirs: Iterable[Path] | None = None) -> list[Path]:
    """Files of ``preset_id``, the one that wins first (a user's before the built-in); the id is checked first, so
    nothing outside the preset folders is ever read."""
    check_id(preset_id)
    found = [Path(d) / f"{preset_id}.toml" for d in (dirs or preset_dirs())]
    return [p for p in reversed(found) if p.is_file()]


def load_preset(preset_id: str, dirs: Iterable[Path] | None = None) -> Preset:
    """The preset of that id. A user file that does not parse falls back to the built-in of the same id (with a
    warning); with no other file, its problems are the error."""
    dirs = list(dirs or preset_dirs())
    paths = preset_paths(preset_id, dirs)
    if not paths:
        raise LipsyncError(f"Unknown preset '{preset_id}'. Available: {', '.join(available_presets(dirs))}.")
    for path in paths[:-1]:
        try:
            return parse_preset(path)
        except LipsyncError as exc:
            log.warning("preset %s is invalid, using %s instead: %s", path, paths[-1], exc)
    return parse_preset(paths[-1])


def scan_presets(dirs: Iterable[Path] | None = None) -> tuple[list[Preset], list[str]]:
    """Every preset id that loads, and for each one that does not, ``file: why``."""
    dirs = list(dirs or preset_dirs())
    presets, invalid = [], []
    for preset_id in available_presets(dirs):
        try:
            presets.append(load_preset(preset_id, dirs))
        except LipsyncError as exc:
            invalid.append(str(exc))
    return presets, invalid


def load_all(dirs: Iterable[Path] | None = None) -> list[Preset]:
    """Every preset that loads; each one that does not is logged as a warning with its problems."""
    presets, invalid = scan_presets(dirs)
    for problem in invalid:
        log.warning("invalid preset left out: %s", problem)
    return presets


def parse_preset(path: Path) -> Preset:
    """Read and validate a preset file; the error lists every problem with its file, line and key."""
    preset, problems = check_preset(path)
    if problems:
        raise LipsyncError("; ".join(map(str, problems)))
    return preset


def _read_toml(path: Path) -> tuple[str, dict]:
    """The text and table of a preset file no larger than MAX_BYTES; raises ValueError with the reason."""
    with path.open("rb") as file:
        raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 1024} kB")
    text = raw.decode("utf-8")
    try:
        return text, tomllib.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def check_preset(path: Path) -> tuple[Preset | None, list[Problem]]:
    """Parse ``path`` and collect every problem in it (not just the first)."""
    try:
        text, data = _read_toml(path)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and TOMLDecodeError are ValueErrors
        return None, [Problem(path.name, "file", None, f"not a readable TOML file ({exc}).",
                              "fix the syntax at the line named; see docs/presets.md")]
    reader = _Reader(path.name, text)
    preset = reader.preset(data)
    return (None if reader.problems else preset), reader.problems


def key_line(lines: list[str], key: str) -> int | None:
    """Line (1-based) of a dotted key: its own table header, or its assignment under the nearest enclosing header."""
    parts = key.split(".")
    for depth in range(len(parts), 0, -1):
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, parts[:depth])) + r"\s*\]")
        start = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if start is None:
            continue
        if depth == len(parts):
            return start + 1
        name = re.compile(r"^\s*\"?" + re.escape(parts[depth]) + r"\"?\s*[=.]")
        for i in range(start + 1, len(lines)):
            if lines[i].lstrip().startswith("["):
                break
            if name.match(lines[i]):
                return i + 1
        return start + 1
    return None


def rig_problems(preset: Preset, rig: RigInfo, path: Path, rig_name: str) -> list[Problem]:
    """What a preset misses on a given rig, each with the key to fix and the rig's nearest names."""
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = []

    def problem(key: str, what: str, names: Names, available: Iterable[str]) -> None:
        close = difflib.get_close_matches(names.names[0] if names.names else "", list(available), n=3, cutoff=0.5)
        fix = f"add the rig's name to {key}.names" + (f" (close: {', '.join(close)})" if close else "")
        problems.append(Problem(path.name, key, key_line(lines, key), f"{what} not found on {rig_name}.", fix))

    for target in sorted(preset.used_shapes()):
        if not preset.shape_keys[target].find(rig.shape_keys):
            users = [v for v, pose in preset.visemes.items() if target in pose.shapes]
            problem(f"shape_keys.{target}", f"shape key '{target}' (used by {', '.join(users) or 'the jaw'})",
                    preset.shape_keys[target], rig.shape_keys)
    for target in sorted(preset.used_bones()):
        if not preset.bones[target].find(rig.bones):
            problem(f"bones.{target}", f"bone '{target}'", preset.bones[target], rig.bones)
    if preset.jaw and preset.jaw.has_bone and not preset.jaw.names.find(rig.bones):
        problem("jaw", "the jaw bone", preset.jaw.names, rig.bones)
    for viseme, pose in preset.visemes.items():
        action = pose.pose and (pose.pose.action or preset.pose_action)
        if action and action not in rig.actions:
            key = f"visemes.{viseme}" if pose.pose.action else "poses.action"
            close = difflib.get_close_matches(action, sorted(rig.actions), n=3, cutoff=0.5)
            fix = "name an Action that animates it" + (f" (close: {', '.join(close)})" if close else "")
            problems.append(Problem(path.name, key, key_line(lines, key),
                                    f"{viseme}'s pose Action '{action}' does not animate {rig_name}.", fix))
    return problems


class _Reader:
    """Validates the parsed TOML table by table, recording problems instead of stopping at the first."""

    TOP = ("preset", "shape_keys", "bones", "jaw", "sprite", "poses", "visemes", "emotions", "animation")

    def __init__(self, file: str, text: str):
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.file, key, self.line_of(key), message, fix))

    def line_of(self, key: str) -> int | None:
        return key_line(self.lines, key)

    def unknown(self, key: str, table: dict, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(allowed)}."
                self.fail(f"{key}.{name}" if key else name, f"'{name}' is not a known key.", hint)

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.fail(key, "must be a table.", f"write it as [{key}] with keys under it")
        return {}

    def names(self, key: str, spec) -> Names | None:
        if isinstance(spec, list):
            spec = {"names": spec}
        if not isinstance(spec, dict):
            self.fail(key, "must be a table with 'names' (and optional 'patterns').",
                      f'{key.rsplit(".", 1)[-1]} = {{ names = ["ShapeName"] }}')
            return None
        self.unknown(key, spec, ("names", "patterns"))
        names, patterns = spec.get("names", []), spec.get("patterns", [])
        ok = True
        for what, value in (("names", names), ("patterns", patterns)):
            if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
                self.fail(key, f"'{what}' must be a list of strings.", f'{what} = ["..."]')
                ok = False
        if ok and not names and not patterns:
            self.fail(key, "needs 'names', a list of shape-key or bone names (or 'patterns', globs).",
                      'names = ["viseme_PP", "PP"]')
            ok = False
        return Names(tuple(names), tuple(patterns)) if ok else None

    def number(self, key: str, value, low: float, high: float) -> float:
        return self.within(key, value, Range(low, high))

    def within(self, key: str, value, allowed: Range) -> float:
        try:
            return float(allowed.check("it", value))
        except LipsyncError as exc:
            self.fail(key, f"{str(exc).removeprefix('it ')}.")
            return 0.0

    def vector(self, key: str, value) -> tuple[float, float, float]:
        if not (isinstance(value, list) and len(value) == 3):
            self.fail(key, "must be three numbers [x, y, z].", f"{key.rsplit('.', 1)[-1]} = [0.0, 0.0, 0.0]")
            return (0.0, 0.0, 0.0)
        x, y, z = (self.within(key, v, OFFSET) for v in value)
        return (x, y, z)

    def weights(self, key: str, spec, shape_keys: dict) -> dict[str, float]:
        if not isinstance(spec, dict):
            self.fail(key, "must be a table of shape-key target = weight.", "shapes = { PP = 1.0 }")
            return {}
        out = {}
        for target, weight in spec.items():
            if target not in shape_keys:
                self.fail(key, f"uses '{target}', which [shape_keys] does not define.",
                          f"add {target} = {{ names = [...] }} under [shape_keys], or fix the spelling")
            out[target] = self.number(f"{key}.{target}", weight, 0.0, 1.0)
        return out

    def preset(self, data: dict) -> Preset:
        self.unknown("", data, self.TOP)
        meta = self.table(data, "preset")
        self.unknown("preset", meta, ("id", "name", "description", "priority"))
        for key in ("id", "name"):
            if not isinstance(meta.get(key), str) or not meta.get(key):
                self.fail("preset", "needs string keys 'id' and 'name'.",
                          'id = "my_rig" and name = "My rig" under [preset]')
                break
        if isinstance(meta.get("id"), str) and meta["id"] and not ID.fullmatch(meta["id"]):
            self.fail("preset.id", f"{meta['id']!r} is not an id.", "use 1 to 64 of a-z, 0-9, _ and -")
        priority = meta.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            self.fail("preset.priority", "must be an integer.")
            priority = 0
        shape_keys = {t: n for t, spec in self.table(data, "shape_keys").items()
                      if (n := self.names(f"shape_keys.{t}", spec))}
        bones = {t: n for t, spec in self.table(data, "bones").items() if (n := self.names(f"bones.{t}", spec))}
        jaw = self.jaw(data["jaw"], shape_keys) if "jaw" in data else None
        sprite = self.sprite(data["sprite"]) if "sprite" in data else None
        sheet = self.sheet(self.table(data, "poses"))
        visemes = {}
        for viseme, spec in self.table(data, "visemes").items():
            pose = self.pose(f"visemes.{viseme}", spec, shape_keys, bones, sprite, sheet)
            if viseme not in VISEMES:
                self.fail(f"visemes.{viseme}", f"is not a viseme; use one of {', '.join(VISEMES)}.",
                          "rename the table to one of the 15 visemes")
            elif pose:
                visemes[viseme] = pose
        missing = [v for v in VISEMES if v not in visemes and f"visemes.{v}" not in {p.key for p in self.problems}]
        if missing:
            self.fail("visemes", f"has no pose for {', '.join(missing)}.",
                      f"add e.g. {missing[0]} = {{ shapes = {{ ... }}, jaw = 0.2 }} under [visemes]")
        emotions = {}
        for name, spec in self.table(data, "emotions").items():
            if name not in EMOTIONS:
                self.fail(f"emotions.{name}", f"is not an emotion; use one of {', '.join(EMOTIONS)}.")
                continue
            emotion = self.emotion(f"emotions.{name}", spec, shape_keys)
            if emotion:
                emotions[name] = emotion
        animation = self.animation(self.table(data, "animation"))
        if not (shape_keys or bones or jaw or sprite or any(p.pose for p in visemes.values())):
            self.fail("shape_keys", "the preset drives nothing: no [shape_keys], [bones], [jaw], [sprite] or "
                      "viseme poses.", "name the rig's mouth shape keys under [shape_keys]")
        return Preset(str(meta.get("id", "")), str(meta.get("name", "")), shape_keys, jaw, visemes, bones, sprite,
                      emotions, animation, priority, str(meta.get("description", "")), sheet)

    def jaw(self, spec, shape_keys: dict) -> Jaw | None:
        if not isinstance(spec, dict):
            self.fail("jaw", "must be a table.")
            return None
        self.unknown("jaw", spec, ("names", "patterns", "axis", "max_angle", "shape"))
        names = Names(())
        if "names" in spec or "patterns" in spec:
            names = self.names("jaw", {k: spec[k] for k in ("names", "patterns") if k in spec}) or names
            if spec.get("axis") not in AXES or isinstance(spec.get("max_angle"), bool) \
                    or not isinstance(spec.get("max_angle"), int | float):
                self.fail("jaw", "needs 'names', 'axis' (X, Y or Z) and 'max_angle' in degrees.",
                          'axis = "X" and max_angle = 18.0')
        shape = spec.get("shape")
        if shape is not None and shape not in shape_keys:
            self.fail("jaw.shape", f"'{shape}' is not a target defined under [shape_keys].")
        if not (names.names or names.patterns) and shape is None:
            self.fail("jaw", "needs bone 'names' (with 'axis' and 'max_angle') or a 'shape' target.")
        max_angle = spec.get("max_angle", 0.0)
        if isinstance(max_angle, int | float) and not isinstance(max_angle, bool):
            max_angle = self.within("jaw.max_angle", max_angle, MAX_ANGLE)
        return Jaw(names, spec.get("axis", "X"), max_angle if isinstance(max_angle, float) else 0.0, shape)

    def sprite(self, spec) -> str | None:
        if not isinstance(spec, dict) or not isinstance(spec.get("property"), str) or not spec["property"]:
            self.fail("sprite", "needs 'property', the custom property holding the mouth drawing's index.",
                      'property = "mouth"')
            return None
        self.unknown("sprite", spec, ("property",))
        return spec["property"]

    def sheet(self, spec: dict) -> str | None:
        """``[poses] action``: the action sheet, one frame per mouth."""
        self.unknown("poses", spec, ("action",))
        action = spec.get("action")
        if action is not None and not (isinstance(action, str) and action):
            self.fail("poses.action", "must be the name of an Action (a non-empty string).",
                      'action = "MouthSheet"')
            return None
        return action

    def pose_ref(self, key: str, spec, sheet: str | None) -> PoseRef | None:
        """A viseme's ``pose = { action = "...", frame = N or [first, last] }``."""
        if not isinstance(spec, dict):
            self.fail(key, "must be a table with 'action' and/or 'frame'.", 'pose = { action = "Mouth_MBP" }')
            return None
        self.unknown(key, spec, ("action", "frame"))
        action, frame = spec.get("action"), spec.get("frame")
        if action is not None and not (isinstance(action, str) and action):
            self.fail(f"{key}.action", "must be the name of an Action (a non-empty string).")
            return None
        if action is None and sheet is None:
            self.fail(key, "needs 'action', or an action sheet named under [poses].",
                      'pose = { action = "Mouth_MBP" } or [poses] action = "MouthSheet" with pose = { frame = 1 }')
            return None
        if action is None and frame is None:
            self.fail(key, f"needs 'frame', the frame of the action sheet '{sheet}' (a whole number in "
                      f"{START_FRAME}).", "pose = { frame = 1 }")
            return None
        if frame is None:
            return PoseRef(action)
        frames = frame if isinstance(frame, list) else [frame]
        try:
            checked = [START_FRAME.check("it", f) for f in frames]
        except LipsyncError as exc:
            self.fail(f"{key}.frame", f"must be a frame or [first, last]: {str(exc).removeprefix('it ')}.")
            return None
        if len(checked) not in (1, 2) or checked != sorted(set(checked)):
            self.fail(f"{key}.frame", f"must be a frame or [first, last] with first < last, not {frame!r}.",
                      "frame = 1 or frame = [1, 6]")
            return None
        return PoseRef(action, checked[0], checked[1] if len(checked) == 2 else None)

    def pose(self, key: str, spec, shape_keys: dict, bones: dict, sprite: str | None,
             sheet: str | None) -> VisemePose | None:
        if not isinstance(spec, dict):
            self.fail(key, "must be a table.", f"{key.rsplit('.', 1)[-1]} = {{ shapes = {{ ... }}, jaw = 0.2 }}")
            return None
        self.unknown(key, spec, ("shapes", "jaw", "bones", "intensity", "frame", "pose"))
        ref = self.pose_ref(f"{key}.pose", spec["pose"], sheet) if "pose" in spec else None
        shapes = self.weights(key, spec.get("shapes", {}), shape_keys)
        jaw = self.number(f"{key}.jaw", spec.get("jaw", 0.0), 0.0, 1.0)
        intensity = self.number(f"{key}.intensity", spec.get("intensity", 1.0), 0.0, 2.0)
        offsets = {}
        bone_spec = spec.get("bones", {})
        for target, offset in (bone_spec.items() if isinstance(bone_spec, dict) else ()):
            if target not in bones:
                self.fail(f"{key}.bones", f"uses bone '{target}', which [bones] does not define.",
                          f"add {target} = {{ names = [...] }} under [bones]")
            if not isinstance(offset, dict):
                self.fail(f"{key}.bones.{target}", "must be { location = [x, y, z], rotation = [x, y, z] }.")
                continue
            self.unknown(f"{key}.bones.{target}", offset, ("location", "rotation"))
            offsets[target] = BoneOffset(self.vector(f"{key}.bones.{target}.location", offset.get("location", [0] * 3)),
                                         self.vector(f"{key}.bones.{target}.rotation", offset.get("rotation", [0] * 3)))
        frame = spec.get("frame")
        if sprite and (not isinstance(frame, int) or isinstance(frame, bool) or frame < 0):
            self.fail(f"{key}.frame", "needs 'frame', the mouth drawing's index (an integer >= 0) for [sprite].",
                      "frame = 0")
            frame = 0
        return VisemePose(shapes, jaw, offsets, intensity, frame if sprite else None, ref)

    def emotion(self, key: str, spec, shape_keys: dict) -> Emotion | None:
        if not isinstance(spec, dict):
            self.fail(key, "must be a table with 'shapes' and/or 'articulation'.")
            return None
        self.unknown(key, spec, ("shapes", "articulation"))
        return Emotion(self.weights(f"{key}.shapes", spec.get("shapes", {}), shape_keys),
                       self.number(f"{key}.articulation", spec.get("articulation", 1.0), 0.0, 2.0))

    def animation(self, spec: dict) -> dict:
        self.unknown("animation", spec, PRESET_SETTINGS)
        defaults = AnimationSettings()
        out = {}
        for name in PRESET_SETTINGS:
            if name not in spec:
                continue
            default, value = getattr(defaults, name), spec[name]
            if isinstance(default, dict):
                if isinstance(value, dict) and all(v in VISEMES for v in value):
                    out[name] = {v: self.within(f"animation.{name}.{v}", s, SETTINGS[name]) for v, s in value.items()}
                else:
                    self.fail(f"animation.{name}", "must be a table of viseme = scale.",
                              "viseme_intensity = { aa = 0.8 }")
            elif isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, type(default) | int):
                self.fail(f"animation.{name}", f"must be a {type(default).__name__} like {default!r}.")
            elif name in SETTINGS:
                out[name] = type(default)(self.within(f"animation.{name}", value, SETTINGS[name]))
            else:
                out[name] = type(default)(value)
        return out
