"""Spawned worker processes that run this package's code, from a plain Python or from inside Blender.

Workers are spawned (never forked from a process holding Blender), without the parent's main script; they ignore
Ctrl-C, which the parent handles, and exit when the parent dies (a thread watches it). Inside Blender the extension
is a sub-package of namespaces Blender makes at run time (``bl_ext.<repo>``); a worker recreates them before
importing anything of ours, so the same code runs installed or from the repository.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor

PACKAGE = __package__.rsplit(".", 1)[0]

PARENT_POLL = 0.5
"""Seconds between a worker's checks that its parent is alive."""


def default_jobs() -> int:
    """The cores this process may use."""
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
        f"_init_worker({os.getpid()})\n"
    )


def _init_worker(parent: int) -> None:
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch_parent() -> None:  # a parent killed outright cannot stop its workers: they stop themselves
        while os.getppid() == parent:
            threading.Event().wait(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch_parent, name="lipsync-parent-watch", daemon=True).start()


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


class SpawnedExecutor(ProcessPoolExecutor):
    """A process pool of ``workers`` spawned workers, each limited to ``threads`` threads of maths."""

    def __init__(self, workers: int, threads: int = 1) -> None:
        super().__init__(workers, mp_context=multiprocessing.get_context("spawn"), initializer=exec,
                         initargs=(_bootstrap(threads),))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with _main_hidden():  # workers start inside submit
            return super().submit(fn, *args, **kwargs)

    def processes(self) -> dict:
        """The worker processes started so far, by pid."""
        return dict(self._processes or {})

    def terminate(self) -> None:
        """Stop the workers now (Python 3.14 has terminate_workers(); before it, the executor's process table)."""
        for process in list((self._processes or {}).values()):
            process.terminate()


_early: list[SpawnedExecutor] = []


def _call(module: str, function: str) -> None:
    getattr(importlib.import_module(f"{PACKAGE}.{module}"), function)()


def start_early(workers: int, module: str, function: str) -> None:
    """Start ``workers`` workers now, each first running ``module.function()`` (``module`` within this package,
    named so that the caller imports none of it), so that they load while this process imports and reads its
    input; the next ``take_early()`` hands them over."""
    executor = SpawnedExecutor(workers)
    for _ in range(workers):
        executor.submit(_call, module, function)
    _early.append(executor)


def take_early() -> SpawnedExecutor | None:
    """The workers ``start_early`` started, once; None if none are waiting."""
    return _early.pop() if _early else None


def stop_early() -> None:
    """Stop the workers ``start_early`` started that nothing took (the run ended before it needed them)."""
    while _early:
        executor = _early.pop()
        executor.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
