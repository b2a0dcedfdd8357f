"""``lipsync serve``: live lip sync over a WebSocket (docs/realtime.md, with its security model)."""

from __future__ import annotations

import argparse
import os
import sys

from ..core.errors import LipsyncError
from ..core.validate import CONNECTIONS, PORT
from .common import preset_id


def run(args: argparse.Namespace) -> None:
    import asyncio

    from ..inference.server import Limits, is_loopback, serve

    token = args.token or os.environ.get("LIPSYNC_TOKEN") or None
    if not is_loopback(args.host):
        print(f"lipsync: warning: listening on {args.host}, beyond this machine: whoever can reach the port can "
              f"connect{'' if token else '; give --token (or LIPSYNC_TOKEN) to require a secret'}.", file=sys.stderr)

    async def main() -> None:
        ready = asyncio.get_running_loop().create_future()
        ready.add_done_callback(lambda port: print(
            f"lipsync: serving live lip sync on ws://{args.host}:{port.result()} (Ctrl-C stops)", file=sys.stderr))
        await serve(args.host, args.port, args.preset, ready, limits=Limits(connections=args.max_connections),
                    origins=tuple(args.allow_origin), token=token)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise LipsyncError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.") from None


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="live lip sync over a WebSocket (see docs/realtime.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--port", type=PORT.arg("port"), default=8765)
    p.add_argument("--preset", type=preset_id, metavar="ID", help="send these rig targets instead of viseme weights")
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="also accept browser pages of this Origin, e.g. https://app.example (repeatable); "
                        "pages on this machine and clients that send no Origin are always accepted")
    p.add_argument("--token", metavar="SECRET",
                   help="clients must connect to ws://HOST:PORT/?token=SECRET (also LIPSYNC_TOKEN)")
    p.add_argument("--max-connections", type=CONNECTIONS.arg("max connections"), default=16,
                   metavar="N", help="connections served at once (default 16)")
    p.set_defaults(run=run)
