"""``lipsync align``: time one clip and write one export (no Blender); the export options ``batch-align`` shares."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.export_formats import FORMATS, Timed
from ..core.validate import FPS
from .common import device_arg, preset_id, transcript, transcript_args, write_atomic


def export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", default="json", choices=FORMATS,
                   help="json (default), Rhubarb Lip Sync TSV/XML/JSON, a Moho switch file, or csv curves")
    p.add_argument("--fps", type=FPS.arg("fps"), default=24, help="frame rate of moho and csv (default 24)")
    p.add_argument("--preset", type=preset_id, default="arkit", metavar="ID",
                   help="whose targets csv has (default arkit)")
    device_arg(p)


def export_job(audio: Path, words: str | None, language: str, args: argparse.Namespace, start_frame: int = 1):
    """The line's job for an export: timing only, or for a format that needs a preset also the keys of
    ``--preset`` at ``--fps``."""
    from ..core.preset_files import load_preset
    from ..core.presets import bind, own_rig, settings_for
    from ..inference.pipeline import LineJob

    binding, settings = None, None
    if FORMATS[args.format].needs_preset:
        preset = load_preset(args.preset)
        binding = bind(preset, own_rig(preset))
        settings = settings_for(preset, fps=args.fps, start_frame=start_frame, reduce_keys=False)
    return LineJob(audio_path=Path(audio), transcript=words, language=language, binding=binding, settings=settings,
                   device=args.device)


def export(result, args: argparse.Namespace, audio_name: str) -> str:
    """A LineResult as the text of ``--format``."""
    return FORMATS[args.format].write(Timed(alignment=result.alignment, plan=result.plan, sound_file=audio_name,
                                            fps=args.fps))


def run(args: argparse.Namespace) -> None:
    from ..core.paths import output_file
    from ..inference.pipeline import run_line

    inputs = [args.audio] + ([args.transcript_file] if args.transcript_file else [])
    out = output_file(args.out, inputs, "the export")
    result = run_line(export_job(Path(args.audio), transcript(args), args.lang, args))
    for warning in result.alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    write_atomic(out, export(result, args, Path(args.audio).name))


def add_parser(sub) -> None:
    p = sub.add_parser("align", help="time a clip and write RESULT.json (no transcript = audio only)")
    p.add_argument("audio")
    transcript_args(p)
    p.add_argument("--out", required=True, metavar="FILE")
    export_args(p)
    p.set_defaults(run=run)
