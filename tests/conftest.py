import asyncio
import contextlib
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile

ROOT = Path(__file__).resolve().parents[1]
DEMO_AUDIO = ROOT / "demo" / "dialogue.wav"
DEMO_TEXT = (ROOT / "demo" / "dialogue.txt").read_text(encoding="utf-8")
LIPSYNC = Path(sys.executable).parent / "lipsync"


@pytest.fixture
def write_wav(tmp_path):
    """Write samples to a WAV in tmp_path and return its path."""

    def write(samples: np.ndarray, rate: int = 16000, name: str = "clip.wav") -> Path:
        path = tmp_path / name
        soundfile.write(path, samples, rate)
        return path

    return write


@pytest.fixture(scope="module")
def demo_character(tmp_path_factory):
    """The demo character (scripts/build_demo_character.py) as a .blend."""
    path = tmp_path_factory.mktemp("rig") / "character.blend"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(path)],
                   check=True, capture_output=True, timeout=300)
    return path


def run_lipsync(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LIPSYNC), *map(str, args)], capture_output=True, text=True, timeout=300)


def sphere_with_shape_keys(names):
    """A factory-fresh empty scene holding one active sphere with a Basis and the named shape keys."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.mesh.primitive_uv_sphere_add()
    obj = bpy.context.active_object
    obj.shape_key_add(name="Basis")
    for name in names:
        obj.shape_key_add(name=name)
    return obj


@pytest.fixture(scope="module")
def addon():
    """The add-on registered for a test module, as Blender does when it is enabled."""
    import lipsync_ai

    lipsync_ai.register()
    yield
    lipsync_ai.unregister()


@contextlib.contextmanager
def serving(**options):
    """``inference.server.serve`` on 127.0.0.1 (a free port) in a thread; yields its ws:// URL."""
    from lipsync_ai.inference.server import serve

    loop = asyncio.new_event_loop()
    ready = loop.create_future()
    task = loop.create_task(serve("127.0.0.1", 0, ready=ready, **options))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(asyncio.wait_for(asyncio.shield(ready), 60), loop).result(90)
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        async def shutdown():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
