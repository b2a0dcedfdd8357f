"""The ``lipsync`` console command: ``align`` and ``batch-align`` (no Blender), ``generate`` and ``batch``
(through bpy, calling the engine as the operators do), ``serve`` (live, over a WebSocket) and
``preset check|list|detect``.

Each subcommand group is a module with ``add_parser(s)`` and its handlers; building the parser imports nothing
heavy (handlers import the engine, bpy and torch when they run)."""

from __future__ import annotations

import argparse
import logging
import sys

from ..core.errors import LipsyncError
from . import align, batch, generate, preset, serve
from .common import INTERRUPTED

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line (with the way to the usage), exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="lipsync", description=__doc__.split("\n\n")[0])
    sub = main.add_subparsers(dest="command", required=True)
    align.add_parser(sub)
    batch.add_parsers(sub)
    generate.add_parser(sub)
    serve.add_parser(sub)
    preset.add_parser(sub)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except LipsyncError as exc:
        print(f"lipsync: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lipsync: interrupted; nothing was saved.", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:
        log.exception("lipsync %s failed unexpectedly", args.command)
        print(f"lipsync: error: unexpected {type(exc).__name__} (a bug; the traceback is above): {exc}",
              file=sys.stderr)
        return 1
