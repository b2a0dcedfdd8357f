"""The ``lipsync`` console command: ``align`` (no Blender) and ``generate`` (through bpy, like the operator)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core.errors import LipsyncError


def _transcript(args: argparse.Namespace) -> str | None:
    if args.transcript_file:
        try:
            return Path(args.transcript_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LipsyncError(f"Cannot read transcript {args.transcript_file}: {exc}.") from None
    return args.transcript


def _align(args: argparse.Namespace) -> None:
    from .core.result import result_json
    from .inference.engine import align_file

    alignment = align_file(args.audio, _transcript(args), args.lang)
    for warning in alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = json.dumps(result_json(alignment), indent=1, ensure_ascii=False)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def _generate(args: argparse.Namespace) -> None:
    from .blender.session import generate_in_file

    transcript = _transcript(args)
    if transcript is not None and not transcript.strip():
        raise LipsyncError("The transcript is empty. Give the spoken words, or leave it out for audio-only mode.")
    print(generate_in_file(args.blend, args.object, args.audio, transcript, args.lang, args.preset,
                           args.start_frame, args.save))


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="lipsync", description=__doc__)
    sub = main.add_subparsers(dest="command", required=True)

    def transcript_args(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--transcript-file", metavar="TXT", help="UTF-8 text of the spoken words")
        group.add_argument("--transcript", metavar="STR", help="the spoken words")
        p.add_argument("--lang", default="en-us", help="espeak-ng language code (default en-us)")

    align = sub.add_parser("align", help="time a clip and write RESULT.json (no transcript = audio only)")
    align.add_argument("audio")
    transcript_args(align)
    align.add_argument("--out", required=True, metavar="RESULT.json")
    align.set_defaults(run=_align)

    gen = sub.add_parser("generate", help="key lip sync on an object of a .blend and save it")
    gen.add_argument("--blend", required=True, metavar="IN.blend")
    gen.add_argument("--object", required=True, metavar="NAME")
    gen.add_argument("--audio", required=True)
    transcript_args(gen)
    gen.add_argument("--preset", default="visemes15", metavar="ID")
    gen.add_argument("--start-frame", type=int, default=1, metavar="N")
    gen.add_argument("--save", required=True, metavar="OUT.blend")
    gen.set_defaults(run=_generate)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except LipsyncError as exc:
        print(f"lipsync: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
