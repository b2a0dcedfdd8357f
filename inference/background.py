"""Background jobs, so Blender's UI stays responsive: the ``Job`` protocol that the modal operators drive
(``operators/jobs.py``), and one line timed on a background thread."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from ..core.errors import LipsyncError
from .pipeline import STAGES, LineJob, LineResult, run_line
from .timing import Timer

log = logging.getLogger(__name__)


class Job(Protocol):
    """Work that runs away from Blender's main thread, polled by a timer there.

    Once ``done``, either ``error`` holds the one line the user sees, or ``result`` holds what the job made
    (None if it was cancelled); a job never raises into the poll.
    """

    @property
    def stage(self) -> str:
        """What the job is doing now, for the panel and status bar."""
        ...

    @property
    def progress(self) -> float:
        """Share done, 0..1."""
        ...

    @property
    def done(self) -> bool: ...

    @property
    def cancelled(self) -> bool: ...

    @property
    def error(self) -> str | None: ...

    @property
    def result(self) -> object | None: ...

    def poll(self) -> None:
        """Take in what finished since the last poll (main thread, returns at once)."""
        ...

    def cancel(self) -> None:
        """Stop the job and drop its result; returns at once."""
        ...


def internal_error(exc: Exception) -> str:
    """The one line a user sees for a bug (the traceback goes to the log)."""
    return f"Internal error ({type(exc).__name__}: {exc}). Please report it."


class Cancelled(Exception):
    pass


class BackgroundLine:
    """A ``Job``: ``run_line`` on a daemon thread; ``result`` is its ``LineResult``.

    ``cancel()`` returns at once; the thread stops at its next stage and its result is dropped.
    """

    def __init__(self, job: LineJob, timer: Timer | None = None) -> None:
        self.stage = "Starting"
        self.result: LineResult | None = None
        self.error: str | None = None
        self._index = 0
        self._done = 0.0
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job, timer), name="lipsync-line", daemon=True)
        self._thread.start()

    def _run(self, job: LineJob, timer: Timer | None) -> None:
        try:
            result = run_line(job, stage=self._enter, timer=timer)
            if not self._cancel.is_set():
                self.result = result
        except Cancelled:
            pass
        except LipsyncError as exc:
            self.error = str(exc)
        except Exception as exc:  # a bug must end the job with a message, not leave it hanging
            log.exception("Timing %s failed unexpectedly", job.audio_path)
            self.error = internal_error(exc)

    def _enter(self, stage: str, done: float) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self._index, self._done = STAGES.index(stage), done
        self.stage = f"{stage} ({done:.0%})" if done else stage

    @property
    def progress(self) -> float:
        """Share of the stages done, 0..1."""
        return (self._index + self._done) / len(STAGES)

    def poll(self) -> None:
        """Nothing to take in: the thread sets ``result`` or ``error`` itself."""

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
