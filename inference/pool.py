"""Worker processes (``spawn.SpawnedExecutor``) that time and plan many lines at once; Blender data stays in the
parent process."""

from __future__ import annotations

import logging
import os
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..core.cache import AlignmentCache
from ..core.errors import LipsyncError
from ..core.manifest import Line, Outcome
from .pipeline import LineJob, LineResult, run_line
from .spawn import SpawnedExecutor

log = logging.getLogger(__name__)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _work(job: LineJob, cache_folder: str | None) -> LineResult:
    return run_line(job, AlignmentCache(Path(cache_folder)) if cache_folder else None)


class LinePool:
    """``jobs`` worker processes sharing an alignment cache folder (None: no cache)."""

    def __init__(self, jobs: int, cache_folder: Path | None = None) -> None:
        threads = max(1, default_jobs() // jobs)
        self.cache_folder = str(cache_folder) if cache_folder else None
        self.executor = SpawnedExecutor(jobs, threads)

    def submit(self, job: LineJob) -> Future:
        return self.executor.submit(_work, job, self.cache_folder)

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to end; with ``cancel``, drop queued lines and stop the workers now."""
        if cancel:
            self.executor.terminate()
        self.executor.shutdown(wait=True, cancel_futures=cancel)


class LineBatch:
    """Manifest lines timed (and planned) in a ``LinePool``; ``step()`` collects them as they finish."""

    def __init__(self, jobs: dict[Line, LineJob], workers: int, cache_folder: Path | None) -> None:
        self.results: dict[int, LineResult] = {}
        """Each finished line's result by row."""
        self._pool = LinePool(min(workers, len(jobs)), cache_folder) if jobs else None
        self._futures = {self._pool.submit(job): line for line, job in jobs.items()} if jobs else {}

    @property
    def running(self) -> bool:
        return bool(self._futures)

    def step(self, timeout: float | None = None) -> list[Outcome]:
        """The lines finished since the last call, waiting up to ``timeout`` seconds for one."""
        if not self._futures:
            return []
        finished, _ = wait(self._futures, timeout, return_when=FIRST_COMPLETED)
        done = []
        for future in finished:
            line = self._futures.pop(future)
            try:
                result = future.result()
            except LipsyncError as exc:
                done.append(Outcome(line, "failed", str(exc)))
            except BrokenProcessPool:
                done.append(Outcome(line, "failed", "its worker process ended unexpectedly; run again to resume"))
            except Exception as exc:  # a bug in one line must not stop the others
                log.exception("Line %d (%s) failed unexpectedly", line.row, line.audio)
                done.append(Outcome(line, "failed", f"{type(exc).__name__}: {exc}"))
            else:
                self.results[line.row] = result
                status = "cached" if result.cached else "keyed"
                done.append(Outcome(line, status, "", result.seconds, result.alignment.duration))
        return done

    def close(self, cancel: bool = False) -> None:
        if self._pool:
            self._pool.close(cancel)
        self._futures.clear()

    def cancel(self) -> None:
        self.close(cancel=True)
