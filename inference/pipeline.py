"""One dialogue line from audio to a keyframe plan, without Blender: what the operator and batch workers run."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.animation import AnimationSettings, KeyframePlan, frame_times, plan_keyframes
from ..core.audio import load_audio
from ..core.cache import AlignmentCache, alignment_key, file_digest
from ..core.emotion import EmotionLayer
from ..core.envelope import loudness, pitch
from ..core.presets import RigBinding
from ..core.types import Alignment, Audio
from ..core.visemes import viseme_track
from .engine import align
from .model import WEIGHTS


@dataclass(frozen=True)
class LineJob:
    """Everything one line needs, as plain data (it is sent to worker processes)."""

    audio_path: Path
    transcript: str | None
    """None is audio-only mode."""
    language: str
    binding: RigBinding | None
    """The preset bound to the character; None times the line only (for exports)."""
    settings: AnimationSettings
    emotion: EmotionLayer | None = None
    device: str = "cpu"


@dataclass
class LineResult:
    alignment: Alignment
    plan: KeyframePlan | None
    cached: bool
    """The alignment came from the cache (the network did not run)."""
    seconds: float


@functools.cache
def model_digest() -> str:
    return file_digest(WEIGHTS)


def job_key(job: LineJob) -> str:
    """The alignment's identity: audio bytes, transcript, language and the network's weights."""
    return alignment_key(file_digest(job.audio_path), job.transcript, job.language, model_digest())


STAGES = ("Reading audio", "Timing phonemes", "Planning keys")
"""What ``run_line`` reports to its ``stage`` callback, in order."""


def run_line(job: LineJob, cache: AlignmentCache | None = None,
             stage: Callable[[str], None] = lambda name: None) -> LineResult:
    """Time the line (or take its alignment from ``cache``) and plan its keys. Raises LipsyncError.

    ``stage`` is called with each of ``STAGES`` as it starts; an exception it raises (a cancel) ends the run.
    """
    started = time.perf_counter()
    stage(STAGES[0])
    audio = load_audio(job.audio_path)
    key = job_key(job) if cache else ""
    alignment = cache.get(key) if cache else None
    cached = alignment is not None
    if alignment is None:
        stage(STAGES[1])
        alignment = align(audio, job.transcript, job.language, device=job.device)
        if cache:
            cache.put(key, alignment)
    plan = None
    if job.binding is not None:
        stage(STAGES[2])
        plan = plan_line(job, alignment, audio)
    return LineResult(alignment, plan, cached, time.perf_counter() - started)


def plan_line(job: LineJob, alignment: Alignment, audio: Audio | None) -> KeyframePlan:
    """The line's keys from its timing; the audio's loudness and pitch shape the jaw and emotion when given."""
    envelopes = {}
    if audio is not None:
        _, times = frame_times(alignment.duration, job.settings)
        envelopes = {"loudness": loudness(audio, times), "pitch": pitch(audio, times)}
    return plan_keyframes(viseme_track(alignment.phonemes), alignment.duration, job.binding, job.settings,
                          envelopes, job.emotion)
