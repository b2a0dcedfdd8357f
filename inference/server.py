"""``lipsync serve``: live lip sync for other applications over a WebSocket (protocol in docs/realtime.md).

A client sends binary messages of mono PCM (16-bit little-endian by default, or 32-bit float) and gets back, for
every 10 ms hop the audio completed, the smoothed viseme weights (or a preset's targets) as JSON. Each connection
is its own ``Stream``; a bad message gets an error frame and the connection stays usable.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import numpy as np

from ..core.errors import LipsyncError
from ..core.preset_files import load_preset
from ..core.presets import bind, own_rig
from .streaming import Stream, load_stream_model

FORMATS = {"s16": np.dtype("<i2"), "f32": np.dtype("<f4")}


@dataclass
class _Session:
    stream: Stream
    dtype: np.dtype


def _start(message: dict, default_preset: str | None) -> _Session:
    """A session from a ``start`` message: ``sample_rate``, ``format`` (s16 or f32), ``preset`` (or null)."""
    rate = message.get("sample_rate", 16000)
    if not isinstance(rate, int) or not 8000 <= rate <= 192000:
        raise LipsyncError("sample_rate must be a whole number of Hz between 8000 and 192000")
    fmt = message.get("format", "s16")
    if fmt not in FORMATS:
        raise LipsyncError(f"format must be one of {', '.join(FORMATS)}")
    preset_id = message.get("preset", default_preset)
    binding = None
    if preset_id:
        preset = load_preset(preset_id)
        binding = bind(preset, own_rig(preset))
    return _Session(Stream(rate, binding=binding), FORMATS[fmt])


def _frames(out: list[tuple[float, dict[str, float]]]) -> str:
    return json.dumps({"type": "weights", "frames": [
        {"t": round(t, 3), "w": {k: round(v, 4) for k, v in w.items()}} for t, w in out]})


def _error(message: str) -> str:
    return json.dumps({"type": "error", "message": message})


async def _serve_client(connection, default_preset: str | None) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        await _handle(connection, default_preset)
    except ConnectionClosed:  # the client went away; its stream goes with it
        pass


async def _handle(connection, default_preset: str | None) -> None:
    session = None
    async for message in connection:
        if isinstance(message, bytes):
            if session is None:
                session = _start({}, default_preset)
            if len(message) % session.dtype.itemsize:
                await connection.send(_error(f"a {session.dtype.itemsize}-byte sample was cut in half; "
                                             "send whole samples"))
                continue
            samples = np.frombuffer(message, session.dtype).astype(np.float32)
            if session.dtype.kind == "i":
                samples /= 32768.0
            out = session.stream.push(samples)
            if out:
                await connection.send(_frames(out))
            continue
        try:
            request = json.loads(message)
            kind = request.get("type") if isinstance(request, dict) else None
            if kind == "start":
                session = _start(request, default_preset)
                await connection.send(json.dumps({"type": "started", "hop": 0.01,
                                                  "latency": load_stream_model().latency}))
            elif kind == "end":
                await connection.close()
                return
            else:
                raise LipsyncError("unknown message: send binary PCM, or JSON with type start or end")
        except json.JSONDecodeError:
            await connection.send(_error("text messages must be JSON"))
        except LipsyncError as exc:
            await connection.send(_error(str(exc)))


async def serve(host: str, port: int, preset: str | None = None, ready: asyncio.Future | None = None) -> None:
    """Serve until cancelled; ``ready`` gets the port once listening (useful with ``port=0``)."""
    from websockets.asyncio.server import serve as websocket_serve

    load_stream_model()  # load once, before the first client waits for it
    async with websocket_serve(lambda c: _serve_client(c, preset), host, port) as server:
        if ready is not None:
            ready.set_result(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().create_future()
