"""``lipsync align``: time one clip and write one export (no Blender); the export options ``batch-align`` shares."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core.export_formats import FORMATS, MOUTH_NAMES, Timed, extended_shapes
from ..core.validate import FPS
from .common import arg_type, device_arg, given_transcript, preset_id, say_words, transcript_args, write_atomic


def export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", default="json", choices=FORMATS,
                   help="json (default), Rhubarb Lip Sync TSV/XML/JSON, a Moho switch file, a Papagayo-NG document, "
                        "csv curves or per-frame ARKit weights")
    p.add_argument("--fps", type=FPS.arg("fps"), default=24,
                   help="frame rate of moho, pgo, csv and arkit-json (default 24)")
    p.add_argument("--preset", type=preset_id, default="arkit", metavar="ID",
                   help="whose targets csv and arkit-json have (default arkit)")
    p.add_argument("--extended-shapes", type=arg_type(extended_shapes), default="GHX", metavar="GHX",
                   help="Rhubarb's optional shapes to use, any of G, H, X ('' for A-F only; default GHX)")
    p.add_argument("--mouth-names", default="preston", choices=MOUTH_NAMES,
                   help="moho: Preston Blair names (MBP, etc, rest...; default) or Rhubarb's letters")
    device_arg(p)


def export_job(audio: Path, words: str | None, language: str, args: argparse.Namespace, start_frame: int = 1,
               asr_jobs: int = 1):
    """The line's job for an export: timing only, or for a format that needs a preset also the keys of
    ``--preset`` at ``--fps`` on exactly the targets the preset drives."""
    from ..core.exports import driven_binding
    from ..core.phonemes import check_language
    from ..core.preset_files import load_preset
    from ..core.presets import settings_for
    from ..inference.pipeline import LineJob

    check_language(language)
    binding, settings = None, None
    if FORMATS[args.format].needs_preset:
        binding = driven_binding(load_preset(args.preset))
        settings = settings_for(binding.preset, fps=args.fps, start_frame=start_frame, reduce_keys=False)
    return LineJob(audio_path=Path(audio), transcript=words, language=language, binding=binding, settings=settings,
                   device=args.device, asr_model=Path(args.asr_model) if args.asr_model else None,
                   asr_jobs=asr_jobs)


def export(result, args: argparse.Namespace, audio: str | Path) -> str:
    """A LineResult as the text of ``--format``; Rhubarb's ``soundFile`` is the audio's full path, as Rhubarb
    writes it."""
    return FORMATS[args.format].write(Timed(alignment=result.alignment, plan=result.plan,
                                            sound_file=os.path.abspath(audio), fps=args.fps,
                                            extended_shapes=args.extended_shapes, mouth_names=args.mouth_names))


def run(args: argparse.Namespace) -> None:
    from ..core.languages import is_english
    from ..core.paths import output_file
    from ..core.transcripts import find_words
    from ..inference.spawn import default_jobs, start_early, stop_early

    inputs = [args.audio] + ([args.transcript_file] if args.transcript_file else [])
    out = Path("-") if args.out == "-" else output_file(args.out, inputs, "the export")
    words = find_words(args.audio, *given_transcript(args))
    if words.text is None and args.asr_model is None and is_english(args.lang) and default_jobs() > 1:
        start_early(default_jobs(), "inference.recogniser", "load_decoder")  # they load pocketsphinx meanwhile
    from ..inference.pipeline import run_line

    try:
        result = run_line(export_job(Path(args.audio), words.text, args.lang, args, asr_jobs=default_jobs()))
    finally:
        stop_early()
    write_atomic(out, export(result, args, args.audio))
    say_words(words, result.alignment.recogniser)
    for warning in result.alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def add_parser(sub) -> None:
    p = sub.add_parser("align", help="time a clip and write RESULT.json (no transcript and no .txt beside the "
                                     "audio = audio only)")
    p.add_argument("audio")
    transcript_args(p)
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write, or - for stdout")
    export_args(p)
    p.set_defaults(run=run)
