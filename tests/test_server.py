"""``lipsync serve``: PCM in, weights out; bad messages get an error frame; disconnects and 8 clients are fine."""

import json
import threading
import time

import pytest
import soundfile
from websockets.sync.client import connect

from conftest import DEMO_AUDIO, serving


@pytest.fixture(scope="module")
def url():
    with serving() as address:
        yield address


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


def test_eight_streams_at_once_each_get_every_hop_in_order(url, pcm):
    """Latency is measured in bench/realtime.py; here: every hop answered, in order, no stream starved."""
    times: dict[int, list[float]] = {}
    errors: list[BaseException] = []

    def client_run(number: int):
        try:
            with connect(url) as client:
                client.send(pcm[:400].tobytes())  # first frames need 25 ms of audio
                got = []
                for start in range(400, 400 + 100 * 160, 160):  # one second, one hop per message
                    client.send(pcm[start:start + 160].tobytes())
                    got += [f["t"] for f in frames_of(client, 1)]
                times[number] = got
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=client_run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors
    assert sorted(times) == list(range(8))
    for got in times.values():
        assert len(got) >= 100 and got == sorted(got) and got[:2] == [0.0, 0.01]
        assert all(abs(b - a - 0.01) < 1e-6 for a, b in zip(got, got[1:], strict=False))
