"""``lipsync serve``: live lip sync over a WebSocket (docs/realtime.md)."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import LipsyncError
from ..core.validate import PORT
from .common import preset_id


def run(args: argparse.Namespace) -> None:
    import asyncio

    from ..inference.server import serve

    print(f"lipsync: serving live lip sync on ws://{args.host}:{args.port} (Ctrl-C stops)", file=sys.stderr)
    try:
        asyncio.run(serve(args.host, args.port, args.preset))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise LipsyncError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.") from None


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="live lip sync over a WebSocket (see docs/realtime.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--port", type=PORT.arg("port"), default=8765)
    p.add_argument("--preset", type=preset_id, metavar="ID", help="send these rig targets instead of viseme weights")
    p.set_defaults(run=run)
