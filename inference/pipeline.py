"""One dialogue line from audio to a keyframe plan, without Blender: what the operator and batch workers run."""

from __future__ import annotations

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
from .engine import align, default_timer
from .model import WEIGHTS
from .network_timer import DecodeConfig, network_identity
from .recogniser import PHONE_LOOP, Recogniser, recogniser_for
from .timing import Timer


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
    asr_model: Path | None = None
    """A Vosk model folder that recognises the words in audio-only mode (None: pocketsphinx for English, the
    network's phone loop otherwise)."""
    asr_jobs: int = 1
    """Worker processes the recogniser may use (a batch runs lines in parallel instead)."""
    weights: Path = WEIGHTS
    """The timing network's weights file."""
    decode: DecodeConfig = DecodeConfig()
    """How the network's posteriors are decoded into phones."""


@dataclass
class LineResult:
    alignment: Alignment
    plan: KeyframePlan | None
    cached: bool
    """The alignment came from the cache (the network did not run)."""
    seconds: float


def job_recogniser(job: LineJob) -> Recogniser | None:
    """What finds the words of an audio-only line; None with a transcript or for the network's phone loop."""
    return None if job.transcript is not None else recogniser_for(job.language, job.asr_model, job.asr_jobs)


def job_key(job: LineJob, timer: Timer | None = None) -> str:
    """The alignment's identity: audio bytes, transcript, language, the timer (``timer``, else the job's network
    with its weights and decode settings) and the recogniser with its settings."""
    recogniser = job_recogniser(job)
    how = recogniser.identity if recogniser else (PHONE_LOOP if job.transcript is None else None)
    timed_by = timer.identity if timer else network_identity(job.weights, job.decode)
    return alignment_key(file_digest(job.audio_path), job.transcript, job.language, timed_by, how)


STAGES = ("Reading audio", "Recognising words", "Timing phonemes", "Planning keys")
"""What ``run_line`` reports to its ``stage`` callback, in order (words are recognised in audio-only mode)."""

Stage = Callable[[str, float], None]
"""Called with a stage's name and the share of it done (0 as it starts)."""


def run_line(job: LineJob, cache: AlignmentCache | None = None, stage: Stage = lambda name, done: None,
             timer: Timer | None = None) -> LineResult:
    """Time the line (or take its alignment from ``cache``) and plan its keys. Raises LipsyncError.

    ``stage`` is called as each of ``STAGES`` starts, and during recognition as it goes; an exception it raises
    (a cancel) ends the run. ``timer`` replaces the job's network (a test's small timer, another model).
    """
    started = time.perf_counter()
    stage(STAGES[0], 0.0)
    audio = load_audio(job.audio_path)
    key = job_key(job, timer) if cache else ""
    alignment = cache.get(key) if cache else None
    cached = alignment is not None
    if alignment is None:
        recogniser = job_recogniser(job)
        stage(STAGES[1] if recogniser else STAGES[2], 0.0)

        def recognised(done: float) -> None:  # the network times the phones once the words are known
            stage(*((STAGES[1], done) if done < 1 else (STAGES[2], 0.0)))

        timer = timer or default_timer(job.device, job.weights, job.decode)
        alignment = align(audio, job.transcript, job.language, timer, recogniser=recogniser, progress=recognised)
        if cache:
            cache.put(key, alignment)
    plan = None
    if job.binding is not None:
        stage(STAGES[3], 0.0)
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
