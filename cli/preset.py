"""``lipsync preset check|list|detect``: validate preset files, list them, or pick one for a character."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import LipsyncError


def check(args: argparse.Namespace) -> int:
    """Print every problem of a preset file (and, with a rig, every target the rig lacks); 2 if any."""
    from ..core.preset_files import check_preset, rig_problems

    path = Path(args.file)
    if not path.is_file():
        raise LipsyncError(f"Preset file not found: {path}.")
    if bool(args.blend) != bool(args.object):
        raise LipsyncError("Give --blend and --object together to check the preset against a rig.")
    preset, problems = check_preset(path)
    if preset is not None and args.blend:
        from ..blender.session import rig_info_in_file

        problems += rig_problems(preset, rig_info_in_file(args.blend, args.object), path, args.object)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{path.name}: {len(problems)} problem{'s' * (len(problems) != 1)}", file=sys.stderr)
        return 2
    print(f"{path.name}: OK ({preset.id}: {preset.name})")
    return 0


def list_presets(args: argparse.Namespace) -> None:
    from ..core.preset_files import preset_dirs, scan_presets

    presets, invalid = scan_presets(preset_dirs(args.dir))
    for preset in presets:
        print(f"{preset.id:12} {preset.name}")
    _report_invalid(invalid)


def _report_invalid(invalid: list[str]) -> None:
    for problem in invalid:
        print(f"invalid preset (left out): {problem}", file=sys.stderr)


def detect_preset(args: argparse.Namespace) -> None:
    from ..blender.session import rig_info_in_file
    from ..blender.user_presets import search_dirs
    from ..core.detect import detect
    from ..core.preset_files import scan_presets

    presets, invalid = scan_presets([*search_dirs(), *args.dir])
    _report_invalid(invalid)
    detection = detect(presets, rig_info_in_file(args.blend, args.object))
    print(detection.explain())
    for score in detection.scores:
        print(f"  {score.line()}")
    detection.binding()


def add_parser(sub) -> None:
    preset = sub.add_parser("preset", help="check, list or detect rig presets")
    preset_sub = preset.add_subparsers(dest="preset_command", required=True)
    p = preset_sub.add_parser("check", help="validate a preset file, reporting every problem (exit 2 if any)")
    p.add_argument("file", metavar="FILE.toml")
    p.add_argument("--blend", metavar="RIG.blend", help="also check the preset against a character")
    p.add_argument("--object", metavar="NAME")
    p.set_defaults(run=check)
    p = preset_sub.add_parser("list", help="list the built-in presets (and those in --dir)")
    p.add_argument("--dir", action="append", default=[], type=Path, help="a folder of user presets")
    p.set_defaults(run=list_presets)
    p = preset_sub.add_parser("detect", help="score every preset against a character and explain the best")
    p.add_argument("--blend", required=True, metavar="RIG.blend")
    p.add_argument("--object", required=True, metavar="NAME")
    p.add_argument("--dir", action="append", default=[], type=Path, help="another folder of presets")
    p.set_defaults(run=detect_preset)
