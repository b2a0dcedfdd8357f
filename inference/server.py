"""``lipsync serve``: live lip sync for other applications over a WebSocket (protocol and security model in
docs/realtime.md).

A client sends binary messages of mono PCM (16-bit little-endian by default, or 32-bit float) and gets back, for
every 10 ms hop the audio completed, the smoothed viseme weights (or a preset's targets) as JSON. Each connection
is its own ``Stream``; a bad message gets an error frame and the connection stays usable.

What keeps one client from hurting the others or the machine: only allowed Origins (loopback pages and clients
that send none, by default), at most ``Limits.connections`` at once, messages of at most ``Limits.message``
bytes, a bounded queue of received messages per connection (when it is full the server stops reading that
socket, so the sender waits: back-pressure), long messages worked through in slices that let the other
connections in between, and samples that must be finite and bounded.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import numpy as np

from ..core.errors import LipsyncError
from ..core.preset_files import load_preset
from ..core.presets import bind, own_rig
from ..core.validate import SAMPLE_RATE, check_id
from .streaming import Stream, load_stream_model

log = logging.getLogger(__name__)

FORMATS = {"s16": np.dtype("<i2"), "f32": np.dtype("<f4")}

LOOPBACK_ORIGIN = re.compile(r"https?://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?")
"""Pages served from this machine; any other web page in the user's browser is refused."""

PEAK = 32.0
"""Largest f32 sample accepted (+30 dBFS); beyond it a message is refused, not fed to the stream."""


@dataclass(frozen=True, kw_only=True)
class Limits:
    connections: int = 16
    """Connections served at once; one more is refused (HTTP 503) before the WebSocket opens."""
    message: int = 256 * 1024
    """Largest message in bytes (8 s of 16 kHz s16 audio); a larger one closes the connection (1009)."""
    queue: int = 8
    """Received messages waiting per connection; when full, that socket is not read until there is room."""
    slice_seconds: float = 0.1
    """Audio worked through before the other connections get their turn."""


@dataclass(kw_only=True)
class Access:
    """Who may connect: ``origins`` besides loopback pages and none, and a ``token`` (``?token=...``) if set."""

    origins: tuple[str, ...] = ()
    token: str | None = None
    open: set = field(default_factory=set)
    """The connections being served."""


@dataclass
class _Session:
    stream: Stream
    dtype: np.dtype
    rate: int


def _start(message: dict, default_preset: str | None) -> _Session:
    """A session from a ``start`` message: ``sample_rate``, ``format`` (s16 or f32), ``preset`` (or null)."""
    rate = SAMPLE_RATE.check("sample_rate (Hz)", message.get("sample_rate", 16000))
    fmt = message.get("format", "s16")
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise LipsyncError(f"format must be one of {', '.join(FORMATS)}")
    preset_id = message.get("preset", default_preset)
    binding = None
    if preset_id is not None:
        preset = load_preset(check_id(preset_id))
        binding = bind(preset, own_rig(preset))
    return _Session(Stream(rate, binding=binding), FORMATS[fmt], rate)


def _samples(message: bytes, dtype: np.dtype) -> np.ndarray:
    """A binary message as float32 samples; cut samples, NaN, inf and huge values raise LipsyncError."""
    if len(message) % dtype.itemsize:
        raise LipsyncError(f"a {dtype.itemsize}-byte sample was cut in half; send whole samples")
    samples = np.frombuffer(message, dtype).astype(np.float32)
    if dtype.kind == "i":
        return samples / np.float32(32768.0)
    if not np.isfinite(samples).all() or (len(samples) and float(np.abs(samples).max()) > PEAK):
        raise LipsyncError(f"f32 samples must be finite numbers within ±{PEAK:g}; the message was dropped")
    return samples


def _frames(out: list[tuple[float, dict[str, float]]]) -> str:
    return json.dumps({"type": "weights", "frames": [
        {"t": round(t, 3), "w": {k: round(v, 4) for k, v in w.items()}} for t, w in out]}, allow_nan=False)


def _error(message: str) -> str:
    return json.dumps({"type": "error", "message": message})


async def _serve_client(connection, default_preset: str | None, limits: Limits, access: Access) -> None:
    from websockets.exceptions import ConnectionClosed

    access.open.add(connection)
    try:
        await _handle(connection, default_preset, limits)
    except ConnectionClosed:  # the client went away; its stream goes with it
        pass
    except Exception:
        log.exception("live stream failed unexpectedly")
        await connection.close(1011, "internal error (logged by the server)")
    finally:
        access.open.discard(connection)


async def _push(connection, session: _Session, samples: np.ndarray, limits: Limits) -> None:
    """Feed ``samples`` slice by slice, sending each slice's hops and letting the other connections in between."""
    step = max(1, int(session.rate * limits.slice_seconds))
    for start in range(0, len(samples), step):
        out = session.stream.push(samples[start:start + step])
        if out:
            await connection.send(_frames(out))
        await asyncio.sleep(0)


async def _handle(connection, default_preset: str | None, limits: Limits) -> None:
    session = None
    async for message in connection:
        try:
            if isinstance(message, bytes):
                if session is None:
                    session = _start({}, default_preset)
                await _push(connection, session, _samples(message, session.dtype), limits)
                continue
            try:
                request = json.loads(message)
            except ValueError:  # not JSON, or numbers Python cannot hold
                raise LipsyncError("text messages must be JSON") from None
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
        except LipsyncError as exc:
            await connection.send(_error(str(exc)))


def _admit(access: Access, limits: Limits):
    """The handshake check: the token (when one is set) and the connection cap."""

    def check(connection, request):
        if access.token is not None:
            given = parse_qs(urlsplit(request.path).query).get("token", [""])[0]
            if not hmac.compare_digest(given.encode(), access.token.encode()):
                return connection.respond(401, "a valid ?token= is required\n")
        if len(access.open) >= limits.connections:
            return connection.respond(503, f"at most {limits.connections} connections at once\n")
        return None

    return check


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve(host: str, port: int, preset: str | None = None, ready: asyncio.Future | None = None, *,
                limits: Limits = Limits(), origins: tuple[str, ...] = (), token: str | None = None) -> None:
    """Serve until cancelled; ``ready`` gets the port once listening (useful with ``port=0``). ``origins`` are
    allowed besides loopback pages and none; with ``token``, clients must connect to ``/?token=TOKEN``.
    Raises LipsyncError for an unknown preset before listening."""
    from websockets.asyncio.server import serve as websocket_serve

    if preset is not None:
        load_preset(check_id(preset))
    load_stream_model()  # load once, before the first client waits for it
    access = Access(origins=tuple(origins), token=token)
    allowed = [None, LOOPBACK_ORIGIN, *access.origins]
    async with websocket_serve(lambda c: _serve_client(c, preset, limits, access), host, port, origins=allowed,
                               process_request=_admit(access, limits), compression=None,
                               max_size=limits.message, max_queue=limits.queue) as server:
        if ready is not None:
            ready.set_result(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().create_future()
