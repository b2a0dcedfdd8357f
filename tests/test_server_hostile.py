"""``lipsync serve`` against hostile clients on 127.0.0.1: refused Origins, tokens and connections over the cap,
oversized messages, poisoned samples and malformed start messages; none of it harms the other connections."""

import json
import threading

import numpy as np
import pytest
import soundfile
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from conftest import DEMO_AUDIO, serving
from lipsync_ai.inference.server import Limits


def _strict(text: str) -> dict:
    """JSON as a browser parses it: NaN and Infinity are errors."""
    def refuse(name):
        raise ValueError(f"{name} in the server's JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def pcm():
    samples, _ = soundfile.read(DEMO_AUDIO, dtype="int16")
    return samples


@pytest.fixture(scope="module")
def url():
    with serving(limits=Limits(connections=3, message=64 * 1024), origins=("https://app.example",)) as address:
        yield address


def _hops(client, count: int) -> list[float]:
    times = []
    for _ in range(50):  # bounded
        if len(times) >= count:
            break
        message = _strict(client.recv(timeout=60))
        assert message["type"] == "weights", message
        times += [f["t"] for f in message["frames"]]
        assert all(np.isfinite(v) for f in message["frames"] for v in f["w"].values())
    return times


def _refused(url: str, **headers) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, **headers).close()
    return refused.value.response.status_code


def test_origins_outside_the_allow_list_are_refused(url, pcm):
    assert _refused(url, origin="https://evil.example") == 403
    assert _refused(url, origin="http://localhost.evil.example") == 403
    for origin in (None, "http://localhost:3000", "http://127.0.0.1", "https://app.example"):
        with connect(url, origin=origin) as client:
            client.send(pcm[:800].tobytes())
            assert _hops(client, 1)


def test_connections_beyond_the_cap_are_refused_and_a_freed_slot_is_reused(url, pcm):
    held = [connect(url) for _ in range(3)]
    try:
        assert _refused(url) == 503
    finally:
        held.pop().close()
    for _ in range(100):  # the server notices the close (bounded)
        try:
            with connect(url) as client:
                client.send(pcm[:800].tobytes())
                assert _hops(client, 1)
            break
        except InvalidStatus:
            continue
    else:
        pytest.fail("the freed connection slot was never reused")
    for client in held:
        client.close()


def test_an_oversized_message_closes_only_that_connection(url, pcm):
    with connect(url) as calm:
        with connect(url) as big:
            big.send(b"\0" * (64 * 1024 + 2))
            with pytest.raises(ConnectionClosed) as closed:
                big.recv(timeout=60)
            assert closed.value.rcvd.code == 1009
        calm.send(pcm[:800].tobytes())
        assert _hops(calm, 1)


@pytest.mark.parametrize("poison", [np.nan, np.inf, -np.inf, 1e30, 3.4e38])
def test_poisoned_f32_samples_are_refused_and_the_stream_stays_healthy(url, pcm, poison):
    with connect(url) as client:
        client.send(json.dumps({"type": "start", "format": "f32"}))
        assert _strict(client.recv(timeout=60))["type"] == "started"
        audio = (pcm[:1600] / 32768).astype("<f4")
        bad = audio.copy()
        bad[100] = poison
        client.send(bad.tobytes())
        error = _strict(client.recv(timeout=60))
        assert error["type"] == "error" and "finite" in error["message"]
        client.send(audio.tobytes())
        assert _hops(client, 7)


@pytest.mark.parametrize("start, reason", [
    ({"format": ["s16"]}, "format must be"), ({"format": {"a": 1}}, "format must be"), ({"format": 16}, "format"),
    ({"sample_rate": True}, "sample_rate"), ({"sample_rate": "16000"}, "sample_rate"),
    ({"sample_rate": 1}, "sample_rate"), ({"sample_rate": 10 ** 40}, "sample_rate"),
    ({"sample_rate": 16000.5}, "sample_rate"), ({"preset": "../../../etc/passwd"}, "is not an id"),
    ({"preset": "../rig_presets/arkit"}, "is not an id"), ({"preset": ["arkit"]}, "is not an id"),
    ({"preset": "nope"}, "Unknown preset"),
])
def test_a_malformed_start_gets_an_error_and_the_connection_stays(url, pcm, start, reason):
    with connect(url) as client:
        client.send(json.dumps({"type": "start", **start}))
        error = _strict(client.recv(timeout=60))
        assert error["type"] == "error" and reason in error["message"], error
        client.send(pcm[:800].tobytes())
        assert _hops(client, 1)


@pytest.mark.parametrize("text", ["[1, 2", "NaN", "1e999999", '"start"', "[]", "null", '{"type": null}',
                                  '{"type": ["start"]}', "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")])
def test_odd_text_messages_get_an_error(url, text):
    with connect(url) as client:
        client.send(text)
        assert _strict(client.recv(timeout=60))["type"] == "error"


def test_a_flooding_client_is_held_back_and_the_others_are_served(url, pcm):
    flooder = connect(url)
    chunk = np.resize(pcm, 32 * 1024).tobytes()  # 64 kB: the largest message allowed
    sent = []

    def flood():  # never reads its replies; the server stops reading it, so these sends block
        try:
            for _ in range(400):  # 26 MB, more than the socket buffers hold
                flooder.send(chunk)
                sent.append(1)
        except (ConnectionClosed, OSError):
            pass

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    try:
        with connect(url) as client:
            client.send(pcm[:400].tobytes())
            got = []
            for start in range(400, 400 + 50 * 160, 160):
                client.send(pcm[start:start + 160].tobytes())
                got += _hops(client, 1)
        assert len(got) >= 50 and got == sorted(got)
        assert thread.is_alive() and len(sent) < 400, "the flooder was held back while the other was served"
    finally:
        flooder.socket.close()
        thread.join(30)


def test_a_token_is_required_when_set(pcm):
    with serving(token="s3cret") as url:
        assert _refused(url) == 401
        assert _refused(url + "/?token=wrong") == 401
        with connect(url + "/?token=s3cret") as client:
            client.send(pcm[:800].tobytes())
            assert _hops(client, 1)
