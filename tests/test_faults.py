"""Faults in a batch: a killed worker fails only its own line (the others run again on a fresh pool), and workers
do not outlive a parent that was killed outright."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile

from conftest import DEMO_AUDIO, ROOT
from lipsync_ai.core.manifest import Line
from lipsync_ai.inference.pipeline import LineJob
from lipsync_ai.inference.pool import LineBatch


def _clips(tmp_path: Path, count: int) -> dict:
    samples, rate = soundfile.read(DEMO_AUDIO, dtype="float32")
    lines = {}
    for row in range(2, 2 + count):
        clip = tmp_path / f"clip{row}.wav"
        soundfile.write(clip, np.tile(samples, 2)[: int((12 + 0.1 * row) * rate)], rate)  # long: still running
        lines[Line(row, clip, "", None, "en-us", "auto", None, f"line {row}")] = LineJob(
            audio_path=clip, transcript=None, language="en-us", binding=None, settings=None)
    return lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_killed_worker_fails_only_its_own_line(tmp_path):
    batch = LineBatch(_clips(tmp_path, 5), 2, None)
    markers = batch._markers
    victim = None
    for _ in range(600):  # until some worker has started a line (bounded)
        started = sorted(markers.glob("*"))
        if started and started[0].read_text():
            victim = int(started[0].name)
            os.kill(int(started[0].read_text()), signal.SIGKILL)
            break
        time.sleep(0.1)
    assert victim is not None
    outcomes = []
    for _ in range(600):
        if not batch.running:
            break
        outcomes += batch.step(1.0)
    batch.close()
    status = {o.line.row: o.status for o in outcomes}
    assert sorted(status) == [2, 3, 4, 5, 6]
    failed = [row for row, s in status.items() if s == "failed"]
    assert failed in ([victim], [])  # the victim's line fails (unless it was done before the kill); no other does
    if failed:
        assert "worker process died" in next(o.detail for o in outcomes if o.line.row == victim)


PARENT = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_faults import _clips
from lipsync_ai.inference.pool import LineBatch
batch = LineBatch(_clips(Path(sys.argv[2]), 4), 2, None)
while len(batch._pool.processes) < 2:
    time.sleep(0.1)
print(*batch._pool.processes, flush=True)
time.sleep(600)
"""


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT / "tests"), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(map(_alive, workers))
    parent.kill()
    parent.wait(30)
    for _ in range(300):  # bounded: the workers check on their parent twice a second
        if not any(map(_alive, workers)):
            break
        time.sleep(0.1)
    assert not any(map(_alive, workers))
