"""Arguments and helpers more than one subcommand uses: transcript, device and scene options, whole-file writes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..core.errors import LipsyncError
from ..core.paths import write_whole
from ..core.transcripts import Words, read_text
from ..core.validate import check_id

T = TypeVar("T")
INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


def arg_type(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse ``type=`` from a check that raises LipsyncError: its message becomes argparse's one line."""

    def convert(text: str) -> T:
        try:
            return check(text)
        except LipsyncError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


preset_id = arg_type(check_id)
"""Preset ids (names, never paths)."""


def transcript_args(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--transcript-file", metavar="TXT", help="UTF-8 text of the spoken words")
    group.add_argument("--transcript", metavar="STR", help="the spoken words")
    p.add_argument("--lang", default="en-us", help="espeak-ng language code (default en-us)")
    asr_arg(p)


def asr_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--asr-model", metavar="DIR", help="a Vosk model folder that recognises the words when there is "
                   "no transcript (default: pocketsphinx for English, the network's phone loop otherwise)")


def device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the network runs (default cpu)")


def given_transcript(args: argparse.Namespace) -> tuple[str | None, str]:
    """The words of ``--transcript-file`` or ``--transcript`` and where they came from; (None, "") if neither."""
    if args.transcript_file:
        return read_text(Path(args.transcript_file)), f"--transcript-file {args.transcript_file}"
    return args.transcript, "--transcript" if args.transcript is not None else ""


def say_words(words: Words, recogniser: str | None = None) -> None:
    """Tell the user which transcript the line used, or why it ran audio-only and what found the words (on
    stderr: stdout may be data; once it succeeded, so that an error stays one line)."""
    from ..inference.recogniser import PHONE_LOOP

    heard = f", words recognised by {recogniser}" if recogniser and recogniser != PHONE_LOOP else (
        f", {recogniser}" if recogniser else "")
    print(f"lipsync: transcript: {words.origin}{heard}", file=sys.stderr)


def write_atomic(out: Path, text: str) -> None:
    """Write ``out`` whole or not at all (a temporary file, then a rename); ``-`` is stdout."""
    if str(out) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_whole(out, text)


def scene_args(p: argparse.ArgumentParser) -> None:
    """What else a keyed line puts in the .blend, as the panel offers: NLA strip, timeline markers, sound strip."""
    p.add_argument("--nla", action="store_true", help="place the Action as an NLA strip at the line's start frame")
    p.add_argument("--markers", default="none", choices=("words", "phonemes", "none"),
                   help="timeline markers at each word or phoneme (default none)")
    p.add_argument("--add-sound-strip", action="store_true",
                   help="put the audio in the Sequencer at the start frame, so it plays in sync")


def blender_session():
    """``blender.session`` (importing bpy, which takes seconds); Ctrl-C meanwhile is not lost."""
    from ..core.interrupts import deferred_interrupts

    with deferred_interrupts():
        from ..blender import session
    return session
