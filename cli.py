"""The ``lipsync`` console command: ``align`` and ``batch-align`` (no Blender), ``generate`` and ``batch``
(through bpy, like the operators), ``serve`` (live, over a WebSocket) and ``preset check|list|detect``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import cli_batch
from .core.errors import LipsyncError
from .core.presets import EMOTIONS
from .core.settings import TIMING


def _transcript(args: argparse.Namespace) -> str | None:
    if args.transcript_file:
        try:
            return Path(args.transcript_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LipsyncError(f"Cannot read transcript {args.transcript_file}: {exc}.") from None
    return args.transcript


FORMATS = ("json", "rhubarb-tsv", "rhubarb-xml", "rhubarb-json", "moho", "csv")


def export_job(audio: Path, transcript: str | None, language: str, args: argparse.Namespace, start_frame: int = 1):
    """The line's job for an export: timing only, or for ``csv`` also the keys of ``--preset`` at ``--fps``."""
    from .core.preset_files import load_preset
    from .core.presets import bind, own_rig, settings_for
    from .inference.pipeline import LineJob

    binding, settings = None, None
    if args.format == "csv":
        preset = load_preset(args.preset)
        binding = bind(preset, own_rig(preset))
        settings = settings_for(preset, fps=args.fps, start_frame=start_frame, reduce_keys=False)
    return LineJob(Path(audio), transcript, language, binding, settings, device=args.device)


def export(result, fmt: str, audio_name: str, fps: int) -> str:
    """A LineResult in one of ``FORMATS``: RESULT.json, Rhubarb's three, a Moho .dat or per-frame CSV curves."""
    from .core import exports
    from .core.result import result_json

    alignment = result.alignment
    if fmt == "json":
        return json.dumps(result_json(alignment), indent=1, ensure_ascii=False)
    if fmt == "rhubarb-tsv":
        return exports.rhubarb_tsv(alignment)
    if fmt == "rhubarb-xml":
        return exports.rhubarb_xml(alignment, audio_name)
    if fmt == "rhubarb-json":
        return exports.rhubarb_json(alignment, audio_name)
    if fmt == "csv":
        return exports.curves_csv(result.plan, fps)
    return exports.moho_dat(alignment, fps)


def write_atomic(out: Path, text: str) -> None:
    """Write ``out`` whole or not at all (a temporary file, then a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def _align(args: argparse.Namespace) -> None:
    from .inference.pipeline import run_line

    result = run_line(export_job(Path(args.audio), _transcript(args), args.lang, args))
    for warning in result.alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    write_atomic(Path(args.out), export(result, args.format, Path(args.audio).name, args.fps))


def _generate(args: argparse.Namespace) -> None:
    from .blender.generate import Request
    from .blender.session import generate_in_file

    transcript = _transcript(args)
    if transcript is not None and not transcript.strip():
        raise LipsyncError("The transcript is empty. Give the spoken words, or leave it out for audio-only mode.")
    timing = {name: getattr(args, name) for name in TIMING if getattr(args, name) is not None}
    request = Request(args.audio, transcript, args.lang, args.preset, args.start_frame, args.nla, args.intensity,
                      args.emotion, args.emotion_intensity, timing)
    summary, detection = generate_in_file(args.blend, args.object, request, args.save)
    if detection:
        print(detection)
    print(summary)


def _serve(args: argparse.Namespace) -> None:
    import asyncio

    from .inference.server import serve

    print(f"lipsync: serving live lip sync on ws://{args.host}:{args.port} (Ctrl-C stops)", file=sys.stderr)
    try:
        asyncio.run(serve(args.host, args.port, args.preset))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise LipsyncError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.") from None


def _preset_check(args: argparse.Namespace) -> int:
    """Print every problem of a preset file (and, with a rig, every target the rig lacks); 2 if any."""
    from .core.preset_files import check_preset, rig_problems

    path = Path(args.file)
    if not path.is_file():
        raise LipsyncError(f"Preset file not found: {path}.")
    if bool(args.blend) != bool(args.object):
        raise LipsyncError("Give --blend and --object together to check the preset against a rig.")
    preset, problems = check_preset(path)
    if preset is not None and args.blend:
        from .blender.session import rig_info_in_file

        problems += rig_problems(preset, rig_info_in_file(args.blend, args.object), path, args.object)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{path.name}: {len(problems)} problem{'s' * (len(problems) != 1)}", file=sys.stderr)
        return 2
    print(f"{path.name}: OK ({preset.id}: {preset.name})")
    return 0


def _preset_list(args: argparse.Namespace) -> None:
    from .core.preset_files import load_all, preset_dirs

    for preset in load_all(preset_dirs(args.dir)):
        print(f"{preset.id:12} {preset.name}")


def _preset_detect(args: argparse.Namespace) -> None:
    from .blender.session import rig_info_in_file
    from .blender.user_presets import search_dirs
    from .core.detect import detect
    from .core.preset_files import load_all

    detection = detect(load_all([*search_dirs(), *args.dir]), rig_info_in_file(args.blend, args.object))
    print(detection.explain())
    for score in detection.scores:
        print(f"  {score.line()}")
    detection.binding()


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="lipsync", description=__doc__)
    sub = main.add_subparsers(dest="command", required=True)

    def transcript_args(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--transcript-file", metavar="TXT", help="UTF-8 text of the spoken words")
        group.add_argument("--transcript", metavar="STR", help="the spoken words")
        p.add_argument("--lang", default="en-us", help="espeak-ng language code (default en-us)")

    def export_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", default="json", choices=FORMATS,
                       help="json (default), Rhubarb Lip Sync TSV/XML/JSON, a Moho switch file, or csv curves")
        p.add_argument("--fps", type=positive_int, default=24, help="frame rate of moho and csv (default 24)")
        p.add_argument("--preset", default="arkit", metavar="ID", help="whose targets csv has (default arkit)")
        device_arg(p)

    def device_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the network runs (default cpu)")

    def batch_args(p: argparse.ArgumentParser) -> None:
        from .inference.pool import default_jobs

        p.add_argument("manifest", metavar="MANIFEST.csv", help="one line per row; see docs/batch.md")
        p.add_argument("--jobs", type=positive_int, default=default_jobs(), metavar="N",
                       help="worker processes (default: the number of cores)")
        p.add_argument("--lang", default="en-us", help="language of rows that leave it empty (default en-us)")
        p.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="alignment cache (default .lipsync-cache beside the manifest)")
        p.add_argument("--check", action="store_true", help="only check the manifest; exit 2 if a row is bad")
        p.add_argument("--progress", default="bar", choices=("bar", "json"),
                       help="a progress bar on stderr, or JSON lines on stdout for pipeline tools")

    align = sub.add_parser("align", help="time a clip and write RESULT.json (no transcript = audio only)")
    align.add_argument("audio")
    transcript_args(align)
    align.add_argument("--out", required=True, metavar="FILE")
    export_args(align)
    align.set_defaults(run=_align)

    batch = sub.add_parser("batch", help="key every line of a manifest as its own Action and save the .blend")
    batch_args(batch)
    batch.add_argument("--blend", required=True, metavar="IN.blend")
    batch.add_argument("--save", required=True, metavar="OUT.blend")
    batch.add_argument("--nla", action="store_true", help="also place each line as an NLA strip, in sequence")
    device_arg(batch)
    batch.set_defaults(run=cli_batch.batch)

    batch_align = sub.add_parser("batch-align", help="time every line of a manifest and write one export each")
    batch_args(batch_align)
    batch_align.add_argument("--out-dir", required=True, metavar="DIR")
    export_args(batch_align)
    batch_align.set_defaults(run=cli_batch.batch_align)

    gen = sub.add_parser("generate", help="key lip sync on an object of a .blend and save it")
    gen.add_argument("--blend", required=True, metavar="IN.blend")
    gen.add_argument("--object", required=True, metavar="NAME")
    gen.add_argument("--audio", required=True)
    transcript_args(gen)
    gen.add_argument("--preset", default="auto", metavar="ID", help="rig preset id, or auto (default) to detect")
    gen.add_argument("--start-frame", type=int, default=1, metavar="N")
    gen.add_argument("--nla", action="store_true", help="place the clip as an NLA strip at the start frame")
    gen.add_argument("--intensity", type=float, default=1.0, help="scale the mouth shapes (closures still close)")
    gen.add_argument("--emotion", default="none", choices=("none", *EMOTIONS))
    gen.add_argument("--emotion-intensity", default="1.0", metavar="V",
                     help="a number, loudness, pitch, or points seconds:value,... (e.g. 0:0,2:1)")
    timing = gen.add_argument_group("timing (default: the preset's)")
    timing.add_argument("--min-hold", type=int, metavar="FRAMES", help="frames a viseme is held at least")
    timing.add_argument("--blend-time", type=float, metavar="S", help="seconds a viseme fades into the next")
    timing.add_argument("--anticipation", type=float, metavar="S", help="seconds the lips form a viseme early")
    timing.add_argument("--max-rate", type=float, metavar="N", help="visemes per second the mouth can articulate")
    timing.add_argument("--jaw-balance", type=float, metavar="F", help="0-1: how much loudness drives the jaw")
    timing.add_argument("--stepped", action="store_true", default=None, help="constant interpolation (2D style)")
    timing.add_argument("--no-reduce", dest="reduce_keys", action="store_false", default=None,
                        help="key every frame instead of only where the pose changes")
    timing.add_argument("--key-tolerance", type=float, metavar="F", help="largest error a removed key may leave")
    gen.add_argument("--save", required=True, metavar="OUT.blend")
    gen.set_defaults(run=_generate)

    live = sub.add_parser("serve", help="live lip sync over a WebSocket (see docs/realtime.md)")
    live.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    live.add_argument("--port", type=int, default=8765)
    live.add_argument("--preset", metavar="ID", help="send these rig targets instead of viseme weights")
    live.set_defaults(run=_serve)

    preset = sub.add_parser("preset", help="check, list or detect rig presets")
    preset_sub = preset.add_subparsers(dest="preset_command", required=True)
    check = preset_sub.add_parser("check", help="validate a preset file, reporting every problem (exit 2 if any)")
    check.add_argument("file", metavar="FILE.toml")
    check.add_argument("--blend", metavar="RIG.blend", help="also check the preset against a character")
    check.add_argument("--object", metavar="NAME")
    check.set_defaults(run=_preset_check)
    listing = preset_sub.add_parser("list", help="list the built-in presets (and those in --dir)")
    listing.add_argument("--dir", action="append", default=[], type=Path, help="a folder of user presets")
    listing.set_defaults(run=_preset_list)
    found = preset_sub.add_parser("detect", help="score every preset against a character and explain the best")
    found.add_argument("--blend", required=True, metavar="RIG.blend")
    found.add_argument("--object", required=True, metavar="NAME")
    found.add_argument("--dir", action="append", default=[], type=Path, help="another folder of presets")
    found.set_defaults(run=_preset_detect)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except LipsyncError as exc:
        print(f"lipsync: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
