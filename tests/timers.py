"""Small ``Timer``s the tests hand to ``run_line`` and ``BackgroundLine`` instead of the network."""

import threading

from lipsync_ai.core.types import SILENCE, Alignment, Segment


class RestingTimer:
    """Times every clip as one rest; ``gate`` (when given) holds each call until it is set."""

    def __init__(self, identity: str = "resting", gate: threading.Event | None = None) -> None:
        self.identity = identity
        self.gate = gate
        self.entered = threading.Event()

    def align(self, audio, words, language):
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(30)
        return Alignment(audio.duration, language, [], [Segment(SILENCE, 0.0, audio.duration)])

    def align_recognised(self, audio, stretches, language):
        return self.align(audio, None, language)


class BrokenTimer(RestingTimer):
    """A timer with a bug."""

    def align(self, audio, words, language):
        raise ZeroDivisionError("oops")
