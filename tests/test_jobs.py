"""The one modal loop drives any ``Job``: progress while it runs, Esc or Cancel drops it, an error is one line, and
``finish`` gets the job once it is done; the running line and the batch both are ``Job``s."""

from types import SimpleNamespace

import pytest

from lipsync_ai.inference.background import BackgroundLine, Job
from lipsync_ai.operators import jobs


class FakeJob:
    stage, progress, done, cancelled, error, result = "Timing phonemes", 0.5, False, False, None, None

    def __init__(self):
        self.polls = 0

    def poll(self):
        self.polls += 1

    def cancel(self):
        self.cancelled = True


class FakeWindowManager:
    def __init__(self):
        self.timers = []

    def event_timer_add(self, step, window):
        self.timers.append(step)
        return step

    def event_timer_remove(self, timer):
        self.timers.remove(timer)

    def modal_handler_add(self, operator): ...
    def progress_begin(self, low, high): ...
    def progress_update(self, value): ...
    def progress_end(self): ...


class Operator(jobs.JobOperator):
    bl_idname = "test.job"
    job_title = "Test"

    def __init__(self):
        self.reports, self.finished = [], None

    def report(self, kind, message):
        self.reports.append((kind.pop(), message))

    def finish(self, context, job):
        self.finished = job
        return {"FINISHED"}


@pytest.fixture
def context():
    status = []
    return SimpleNamespace(
        window_manager=FakeWindowManager(), window=None, screen=SimpleNamespace(areas=[]), status=status,
        workspace=SimpleNamespace(status_text_set=status.append),
        scene=SimpleNamespace(lipsync=SimpleNamespace(progress=0.0, stage="", last_result="")))


def tick(operator, context, kind="TIMER"):
    return operator.modal(context, SimpleNamespace(type=kind))


def test_a_running_job_shows_its_stage_then_finishes(context):
    operator, job = Operator(), FakeJob()
    assert operator.start(context, job) == {"RUNNING_MODAL"} and jobs.running("test.job") == [job]
    assert tick(operator, context, "MOUSEMOVE") == {"PASS_THROUGH"} and job.polls == 0
    assert tick(operator, context) == {"RUNNING_MODAL"} and job.polls == 1
    assert context.scene.lipsync.stage == "Timing phonemes" and context.scene.lipsync.progress == 50.0
    job.done = True
    assert tick(operator, context) == {"FINISHED"} and operator.finished is job
    assert jobs.running() == [] and context.window_manager.timers == [] and context.scene.lipsync.stage == ""


@pytest.mark.parametrize("how", ["ESC", "cancel"])
def test_esc_or_cancel_drops_the_job(context, how):
    operator, job = Operator(), FakeJob()
    operator.start(context, job)
    if how == "cancel":
        for running in jobs.running():
            running.cancel()
    assert tick(operator, context, "ESC" if how == "ESC" else "TIMER") == {"CANCELLED"}
    assert job.cancelled and operator.finished is None and jobs.running() == []
    assert operator.reports == [("WARNING", "Test cancelled; nothing was changed")]


def test_an_error_ends_the_job_with_one_line(context):
    operator, job = Operator(), FakeJob()
    operator.start(context, job)
    job.done, job.error = True, "The audio file is silent."
    assert tick(operator, context) == {"CANCELLED"} and operator.finished is None
    assert operator.reports == [("ERROR", "The audio file is silent.")]
    assert context.scene.lipsync.last_result == "Error: The audio file is silent."


def test_the_line_and_the_batch_are_jobs():
    from lipsync_ai.blender.batch import BatchRun

    members = [name for name in dir(Job) if not name.startswith("_")]
    for cls in (BackgroundLine, BatchRun):
        assert all(hasattr(cls, name) for name in members if name not in ("stage", "error", "result"))


def test_a_bug_while_finishing_is_one_line_and_a_logged_traceback(context, caplog):
    class Broken(Operator):
        def finish(self, context, job):
            raise ZeroDivisionError("oops")

    operator, job = Broken(), FakeJob()
    operator.start(context, job)
    job.done = True
    assert tick(operator, context) == {"CANCELLED"} and jobs.running() == []
    assert operator.reports == [("ERROR", "Internal error (ZeroDivisionError: oops). Please report it.")]
    assert caplog.records[-1].exc_info[0] is ZeroDivisionError
