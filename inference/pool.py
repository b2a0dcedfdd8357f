"""Worker processes (``spawn.SpawnedExecutor``) that time and plan many lines at once; Blender data stays in the
parent process."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..core.cache import AlignmentCache
from ..core.errors import LipsyncError
from ..core.manifest import Line, Outcome
from .pipeline import LineJob, LineResult, run_line
from .spawn import SpawnedExecutor, default_jobs

log = logging.getLogger(__name__)


def _work(job: LineJob, cache_folder: str | None, marker: str) -> LineResult:
    Path(marker).write_text(str(os.getpid()))  # which worker has the line, should it die
    return run_line(job, AlignmentCache(Path(cache_folder)) if cache_folder else None)


class LinePool:
    """``jobs`` worker processes sharing an alignment cache folder (None: no cache)."""

    def __init__(self, jobs: int, cache_folder: Path | None = None) -> None:
        threads = max(1, default_jobs() // jobs)
        self.cache_folder = str(cache_folder) if cache_folder else None
        self.executor = SpawnedExecutor(jobs, threads)
        self.processes: dict[int, object] = {}
        """Every worker started, by pid (its exit code tells a killed worker from one stopped with the pool)."""

    def submit(self, job: LineJob, marker: Path) -> Future:
        future = self.executor.submit(_work, job, self.cache_folder, str(marker))
        self.processes.update(self.executor.processes())
        return future

    def died(self, pid: int) -> bool:
        """Whether worker ``pid`` ended on its own (killed, crashed), not stopped by the broken pool."""
        process = self.processes.get(pid)
        return process is not None and process.exitcode not in (None, 0, -signal.SIGTERM)

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to end; with ``cancel``, drop queued lines and stop the workers now."""
        if cancel:
            self.executor.terminate()
        self.executor.shutdown(wait=True, cancel_futures=cancel)


RETRIES = 2
"""Fresh pools a line is tried on after the pool it was in broke under another line's worker."""


class LineBatch:
    """Manifest lines timed (and planned) in a ``LinePool``; ``step()`` collects them as they finish.

    A worker that dies (killed, out of memory, crashed) fails only the line it had: the pool's other lines run
    again on a fresh pool.
    """

    def __init__(self, jobs: dict[Line, LineJob], workers: int, cache_folder: Path | None) -> None:
        self.results: dict[int, LineResult] = {}
        """Each finished line's result by row."""
        self._jobs, self._workers, self._cache = jobs, min(workers, len(jobs)), cache_folder
        self._markers = Path(tempfile.mkdtemp(prefix="lipsync-lines-"))
        self._tries = dict.fromkeys(jobs, 0)
        self._pool: LinePool | None = None
        self._futures: dict[Future, Line] = {}
        if jobs:
            self._submit(list(jobs))

    def _submit(self, lines: list[Line]) -> None:
        self._pool = LinePool(self._workers, self._cache)
        for line in lines:
            marker = self._markers / str(line.row)
            marker.unlink(missing_ok=True)
            self._tries[line] += 1
            self._futures[self._pool.submit(self._jobs[line], marker)] = line

    @property
    def running(self) -> bool:
        return bool(self._futures)

    def step(self, timeout: float | None = None) -> list[Outcome]:
        """The lines finished since the last call, waiting up to ``timeout`` seconds for one."""
        if not self._futures:
            return []
        finished, _ = wait(self._futures, timeout, return_when=FIRST_COMPLETED)
        if any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
            wait(self._futures)  # a broken pool fails all its lines at once
            finished = set(self._futures)
        done, again = [], []
        for future in finished:
            line = self._futures.pop(future)
            try:
                result = future.result()
            except LipsyncError as exc:
                done.append(Outcome(line, "failed", str(exc)))
            except BrokenProcessPool:
                if self._had(line) or self._tries[line] > RETRIES:
                    done.append(Outcome(line, "failed", "its worker process died (killed, out of memory or "
                                                        "crashed); run again to retry it"))
                else:
                    again.append(line)
            except Exception as exc:  # a bug in one line must not stop the others
                log.exception("Line %d (%s) failed unexpectedly", line.row, line.audio)
                done.append(Outcome(line, "failed", f"{type(exc).__name__}: {exc}"))
            else:
                self.results[line.row] = result
                status = "cached" if result.cached else "keyed"
                done.append(Outcome(line, status, "", result.seconds, result.alignment.duration))
        if again:
            self._pool.close()
            self._submit(sorted(again, key=lambda line: line.row))
        return done

    def _had(self, line: Line) -> bool:
        """Whether the worker that died had ``line``."""
        try:
            pid = int((self._markers / str(line.row)).read_text())
        except (OSError, ValueError):
            return False  # not started yet
        return self._pool.died(pid)

    def close(self, cancel: bool = False) -> None:
        if self._pool:
            self._pool.close(cancel)
        self._futures.clear()
        shutil.rmtree(self._markers, ignore_errors=True)

    def cancel(self) -> None:
        self.close(cancel=True)
