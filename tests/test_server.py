"""``lipsync serve``: PCM in, weights out; bad messages get an error frame; disconnects and 8 clients are fine."""

import asyncio
import contextlib
import json
import threading
import time

import numpy as np
import pytest
import soundfile
from websockets.sync.client import connect

from conftest import DEMO_AUDIO
from lipsync_ai.inference.server import serve


@pytest.fixture(scope="module")
def url():
    loop = asyncio.new_event_loop()
    ready = loop.create_future()
    task = loop.create_task(serve("127.0.0.1", 0, ready=ready))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(asyncio.wait_for(asyncio.shield(ready), 60), loop).result(90)
    yield f"ws://127.0.0.1:{port}"

    async def shutdown():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(scope="module")
def pcm():
    samples, _ = soundfile.read(DEMO_AUDIO, dtype="int16")
    return samples


def frames_of(client, expected: int, timeout: float = 30) -> list[dict]:
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < expected:
        message = json.loads(client.recv(timeout=max(0.1, deadline - time.monotonic())))
        assert message["type"] == "weights", message
        frames += message["frames"]
    return frames


def test_pcm_in_timestamped_weights_out(url, pcm):
    with connect(url) as client:
        client.send(json.dumps({"type": "start", "sample_rate": 16000, "format": "s16"}))
        started = json.loads(client.recv(timeout=30))
        assert started["type"] == "started" and started["latency"] <= 0.05
        client.send(pcm[:16000].tobytes())
        frames = frames_of(client, 97)  # 1 + (200 + 16000 - 400) // 160 frames, 2 held back
        assert [f["t"] for f in frames[:3]] == [0.0, 0.01, 0.02]
        assert set(frames[0]["w"]) >= {"sil", "PP", "aa", "U"}


def test_a_malformed_message_gets_an_error_and_the_connection_stays(url, pcm):
    with connect(url) as client:
        for bad, reason in (("not json", "must be JSON"), (json.dumps({"type": "dance"}), "unknown message"),
                            (json.dumps({"type": "start", "format": "mp3"}), "format must be"),
                            (json.dumps({"type": "start", "preset": "nope"}), "Unknown preset"),
                            (b"\x01\x02\x03", "cut in half")):
            client.send(bad)
            error = json.loads(client.recv(timeout=30))
            assert error["type"] == "error" and reason in error["message"], error
        client.send(pcm[:1600].tobytes())
        assert len(frames_of(client, 7)) == 7


def test_a_client_that_vanishes_does_not_disturb_the_others(url, pcm):
    gone = connect(url)
    gone.send(pcm[:800].tobytes())
    gone.socket.close()  # no closing handshake
    with connect(url) as client:
        client.send(json.dumps({"type": "start", "preset": "arkit"}))
        client.recv(timeout=30)
        client.send(pcm[:3200].tobytes())
        frames = frames_of(client, 17)
        assert "jawOpen" in frames[-1]["w"]


def test_eight_streams_at_once_answer_each_hop_quickly(url, pcm):
    delays: list[float] = []
    errors: list[BaseException] = []

    def client_run():
        try:
            with connect(url) as client:
                client.send(pcm[:400].tobytes())  # first frames need 25 ms of audio
                for start in range(400, 400 + 100 * 160, 160):  # one second, one hop per message
                    sent = time.perf_counter()
                    client.send(pcm[start:start + 160].tobytes())
                    frames_of(client, 1)
                    delays.append(time.perf_counter() - sent)
                    time.sleep(max(0.0, 0.01 - (time.perf_counter() - sent)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=client_run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(delays) == 800
    assert float(np.median(delays)) < 0.02, "each hop answered well within the 50 ms latency budget"
