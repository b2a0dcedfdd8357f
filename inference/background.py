"""One line timed on a background thread, so Blender's UI stays responsive: polled for its stage, cancellable."""

from __future__ import annotations

import threading

from ..core.errors import LipsyncError
from .pipeline import STAGES, LineJob, LineResult, run_line


class Cancelled(Exception):
    pass


class BackgroundLine:
    """``run_line`` on a daemon thread. Poll ``done``; then ``result`` or ``error`` is set (neither if cancelled).

    ``cancel()`` returns at once; the thread stops at its next stage and its result is dropped.
    """

    def __init__(self, job: LineJob) -> None:
        self.stage = "Starting"
        self.result: LineResult | None = None
        self.error: str | None = None
        self._index = 0
        self._done = 0.0
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job,), name="lipsync-line", daemon=True)
        self._thread.start()

    def _run(self, job: LineJob) -> None:
        try:
            result = run_line(job, stage=self._enter)
            if not self._cancel.is_set():
                self.result = result
        except Cancelled:
            pass
        except LipsyncError as exc:
            self.error = str(exc)
        except Exception as exc:  # a bug must end the job with a message, not leave it hanging
            self.error = f"Internal error ({type(exc).__name__}: {exc}). Please report it."

    def _enter(self, stage: str, done: float) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self._index, self._done = STAGES.index(stage), done
        self.stage = f"{stage} ({done:.0%})" if done else stage

    @property
    def progress(self) -> float:
        """Share of the stages done, 0..1."""
        return (self._index + self._done) / len(STAGES)

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
