"""Arguments and helpers more than one subcommand uses: transcript and device options, whole-file writes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import LipsyncError
from ..core.validate import check_id

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


def preset_id(text: str) -> str:
    """An argparse ``type=`` for preset ids (names, never paths)."""
    try:
        return check_id(text)
    except LipsyncError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def transcript_args(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--transcript-file", metavar="TXT", help="UTF-8 text of the spoken words")
    group.add_argument("--transcript", metavar="STR", help="the spoken words")
    p.add_argument("--lang", default="en-us", help="espeak-ng language code (default en-us)")


def device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the network runs (default cpu)")


def transcript(args: argparse.Namespace) -> str | None:
    """The words of ``--transcript-file`` or ``--transcript``; None for audio-only mode."""
    if args.transcript_file:
        try:
            return Path(args.transcript_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LipsyncError(f"Cannot read transcript {args.transcript_file}: {exc}.") from None
    return args.transcript


def write_atomic(out: Path, text: str) -> None:
    """Write ``out`` whole or not at all (a temporary file, then a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def blender_session():
    """``blender.session`` (importing bpy, which takes seconds); Ctrl-C meanwhile is not lost."""
    from ..core.interrupts import deferred_interrupts

    with deferred_interrupts():
        from ..blender import session
    return session
