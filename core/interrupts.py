"""Ctrl-C held back while code that must not be cut short runs (bpy's import, Blender reading a file)."""

from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred_interrupts():
    """Hold Ctrl-C until the block ends, then raise KeyboardInterrupt.

    Interrupted midway, ``import bpy`` crashes the process, and Blender reading a .blend swallows the
    KeyboardInterrupt in its own callbacks and goes on. Where Ctrl-C is ignored (a background job), it stays so.
    """
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, None):
        yield
        return
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if seen:
        raise KeyboardInterrupt
