"""Worker processes that time and plan many lines at once; Blender data stays in the parent process.

Workers are spawned (never forked from a process holding Blender), without the parent's main script, and ignore
Ctrl-C, which the parent handles.
Inside Blender the extension is a sub-package of namespaces Blender makes at run time (``bl_ext.<repo>``); the
worker recreates them before importing this module, so the same code runs installed or from the repository.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..core.cache import AlignmentCache
from ..core.errors import LipsyncError
from ..core.manifest import Line, Outcome
from .pipeline import LineJob, LineResult, run_line

PACKAGE = __package__.rsplit(".", 1)[0]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _bootstrap(threads: int) -> str:
    """Code a fresh interpreter runs first: its share of the threads (before numpy loads), Blender's run-time
    namespaces, then ``_init_worker``."""
    parts = PACKAGE.split(".")
    namespaces = {name: list(getattr(sys.modules[name], "__path__", []))
                  for name in (".".join(parts[:i]) for i in range(1, len(parts)))}
    return (
        "import importlib, os, sys, types\n"
        f"os.environ['OMP_NUM_THREADS'] = os.environ['OPENBLAS_NUM_THREADS'] = '{threads}'\n"
        f"for name, path in {namespaces!r}.items():\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        sys.modules[name] = module = types.ModuleType(name)\n"
        "        module.__path__ = path\n"
        f"from {__name__} import _init_worker\n"
        "_init_worker()\n"
    )


@contextlib.contextmanager
def _main_hidden():
    """Spawned workers run the parent's main script again unless it is hidden; Blender's (``--python``) or any
    script importing bpy cannot run in a plain worker, and none of it is needed there."""
    main = sys.modules["__main__"]
    saved_file, saved_spec = main.__dict__.pop("__file__", None), getattr(main, "__spec__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__spec__ = saved_spec
        if saved_file is not None:
            main.__file__ = saved_file


def _init_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(job: LineJob, cache_folder: str | None) -> LineResult:
    return run_line(job, AlignmentCache(Path(cache_folder)) if cache_folder else None)


class LinePool:
    """``jobs`` worker processes sharing an alignment cache folder (None: no cache)."""

    def __init__(self, jobs: int, cache_folder: Path | None = None) -> None:
        threads = max(1, default_jobs() // jobs)
        self.cache_folder = str(cache_folder) if cache_folder else None
        self.executor = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=exec, initargs=(_bootstrap(threads),))

    def submit(self, job: LineJob) -> Future:
        with _main_hidden():  # workers start inside submit
            return self.executor.submit(_work, job, self.cache_folder)

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to end; with ``cancel``, drop queued lines and stop the workers now."""
        if cancel:  # Python 3.14 has terminate_workers(); before it, the executor's own process table
            for process in list((self.executor._processes or {}).values()):
                process.terminate()
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
