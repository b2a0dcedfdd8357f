"""A line timed on a background thread: stages reported, cancel drops the result, errors end the job cleanly."""

import threading
from pathlib import Path

import numpy as np
import soundfile
from timers import BrokenTimer, RestingTimer

from conftest import DEMO_AUDIO, DEMO_TEXT
from lipsync_ai.inference.background import BackgroundLine
from lipsync_ai.inference.pipeline import STAGES, LineJob


def job(audio=DEMO_AUDIO, transcript=DEMO_TEXT) -> LineJob:
    return LineJob(Path(audio), transcript, "en-us", None, None)


def test_the_result_arrives_and_the_thread_ends():
    line = BackgroundLine(job())
    line.join(120)
    assert line.done and line.error is None
    assert len(line.result.alignment.words) == 24
    assert line.stage == STAGES[2] and not [t for t in threading.enumerate() if t.name == "lipsync-line"]


def test_cancel_stops_at_the_next_stage_and_drops_the_result():
    gate = threading.Event()
    timer = RestingTimer(gate=gate)
    line = BackgroundLine(job(), timer)
    assert timer.entered.wait(60) and line.stage == STAGES[2] and not line.done
    line.cancel()
    gate.set()
    line.join(60)
    assert line.done and line.result is None and line.error is None


def test_a_bad_clip_ends_the_job_with_its_message(tmp_path):
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(16000, np.float32), 16000)
    line = BackgroundLine(job(silent, None))
    line.join(60)
    assert line.done and line.result is None and "is silent" in line.error


def test_a_bug_ends_the_job_with_a_message_and_logs_the_traceback(caplog):
    line = BackgroundLine(job(), BrokenTimer())
    line.join(10)
    assert line.done and line.error == "Internal error (ZeroDivisionError: oops). Please report it."
    assert caplog.records[-1].exc_info[0] is ZeroDivisionError
