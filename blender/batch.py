"""Many dialogue lines from a manifest into the open .blend: every row checked first, lines timed in worker
processes, keys written here on the main thread only once all are done (a cancelled run changes nothing)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bpy

from ..core.audio import audio_duration
from ..core.errors import LipsyncError
from ..core.manifest import Line, Outcome, read_manifest
from ..core.paths import cache_dir
from ..core.transcripts import find_words
from ..inference.pipeline import LineJob, LineResult, job_key
from ..inference.pool import LineBatch
from .generate import Request, line_job
from .markers import place_markers
from .rig import Character, find_character
from .sources import add_sound_strip
from .timing import store_timing
from .writer import INPUTS, TAG, write_plan


@dataclass(kw_only=True)
class Options:
    jobs: int
    """Worker processes timing lines in parallel."""
    nla: bool = False
    """Place each line as an NLA strip (lines without a start frame follow the character's previous line);
    otherwise each Action is only stored (with a fake user) for the animator to assign."""
    cache: Path | None = None
    """Alignment cache folder; None: ``.lipsync-cache`` beside the manifest."""
    device: str = "cpu"
    asr_model: str = ""
    """A Vosk model folder for the audio-only lines ("": pocketsphinx for English)."""
    language: str = "en-us"
    """Language of rows that leave the column empty."""
    markers: str = "NONE"
    """Timeline markers for each line's ``WORDS`` or ``PHONEMES`` (as the panel's option), or ``NONE``."""
    add_sound_strip: bool = False
    """Put each line's audio in the Sequencer at its start frame."""


@dataclass(kw_only=True)
class _Todo:
    line: Line
    character: Character
    job: LineJob
    request: Request
    inputs: str


@dataclass
class BatchRun:
    """A manifest checked against the open .blend: ``problems`` lists every bad row before any work starts.

    Then ``start()``, ``step()`` while ``running`` (the CLI in a loop; the operator polls it as a
    ``background.Job`` from a timer), and ``finish()`` writes the Actions; ``cancel()`` stops the workers and
    writes nothing.
    """

    manifest: Path
    options: Options
    problems: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    todo: list[_Todo] = field(default_factory=list)
    cancelled: bool = False
    error: str | None = None
    """Always None: a line that fails is an outcome, the others go on."""
    _batch: LineBatch | None = None

    def __post_init__(self) -> None:
        scene = bpy.context.scene
        manifest = read_manifest(self.manifest, set(bpy.data.objects.keys()), self.options.language)
        self.options.cache = cache_dir(self.options.cache, self.manifest)
        self.problems = manifest.problems
        next_frame: dict[str, int] = {}
        for line in manifest.lines:
            try:
                self._prepare(line, scene, next_frame)
            except LipsyncError as exc:
                self.problems.append(f"{self.manifest.name}:{line.row}: {exc}")

    @property
    def total(self) -> int:
        return len(self.todo) + len(self.outcomes)

    def _prepare(self, line: Line, scene: bpy.types.Scene, next_frame: dict[str, int]) -> None:
        character = find_character(bpy.data.objects[line.object])
        start = line.start_frame
        if start is None:
            start = next_frame.get(character.root.name, 1) if self.options.nla else 1
        fps = scene.render.fps / scene.render.fps_base
        next_frame[character.root.name] = start + math.ceil(audio_duration(line.audio) * fps) + 1
        words = find_words(line.audio, line.transcript)
        request = Request(audio_path=str(line.audio), transcript=words.text, language=line.language,
                          preset=line.preset, start_frame=start, nla=self.options.nla, intensity=line.intensity,
                          emotion=line.emotion, emotion_intensity=line.emotion_intensity, device=self.options.device,
                          asr_model=self.options.asr_model, markers=self.options.markers, clip=line.action)
        job, _ = line_job(character, scene, request)
        existing = bpy.data.actions.get(line.action)
        if existing is not None and TAG not in existing:
            raise LipsyncError(f"the .blend already has an Action '{line.action}' that is not a lip-sync clip; "
                               "name this line's action differently")
        inputs = _digest(job_key(job), job, line, self.options.nla)
        if existing is not None and existing.get(INPUTS) == inputs and existing.users:
            self.outcomes.append(Outcome(line, "unchanged", existing.name))
        else:
            self.todo.append(_Todo(line=line, character=character, job=job, request=request, inputs=inputs))

    def start(self) -> None:
        self._batch = LineBatch({item.line: item.job for item in self.todo}, self.options.jobs, self.options.cache)

    @property
    def running(self) -> bool:
        return self._batch is not None and self._batch.running

    def step(self, timeout: float | None = None) -> list[Outcome]:
        """The lines timed since the last call (waiting up to ``timeout`` for one); [] once all are in."""
        done = self._batch.step(timeout)
        for outcome in done:
            if outcome.status != "failed":
                outcome.detail = outcome.line.action
        self.outcomes += done
        return done

    def cancel(self) -> None:
        self.cancelled = True
        self._batch.close(cancel=True)

    @property
    def stage(self) -> str:
        return f"Batch: {len(self.outcomes)}/{self.total} lines"

    @property
    def progress(self) -> float:
        return len(self.outcomes) / self.total if self.total else 1.0

    @property
    def done(self) -> bool:
        return not self.running

    @property
    def result(self) -> dict[int, LineResult] | None:
        """The timed lines by row, once all are in (``finish`` writes them)."""
        return self._batch.results if self.done and not self.cancelled else None

    def poll(self) -> None:
        self.step(0)

    def finish(self) -> list[Outcome]:
        """Write every timed line's Action (main thread); returns all outcomes in manifest order."""
        self._batch.close()
        place = "nla" if self.options.nla else "store"
        outcomes = {o.line.row: o for o in self.outcomes}
        for item in self.todo:
            result = self._batch.results.get(item.line.row)
            if result is None:
                continue
            try:
                action, _ = write_plan(result.plan, item.character, item.line.action, place, item.line.action)
            except LipsyncError as exc:
                outcomes[item.line.row].status, outcomes[item.line.row].detail = "failed", str(exc)
                continue
            action[INPUTS] = item.inputs
            store_timing(action, result.alignment, asdict(item.request))
            self._place(item, result)
        return sorted(self.outcomes, key=lambda o: o.line.row)


    def _place(self, item: _Todo, result) -> None:
        """The line's markers and sound strip, as ``Options`` ask (the panel's options, per line)."""
        scene, start = bpy.context.scene, result.plan.frame_start
        if self.options.markers != "NONE":
            place_markers(scene, item.line.action, result.alignment, self.options.markers, start,
                          item.job.settings.fps)
        if self.options.add_sound_strip:
            add_sound_strip(scene, str(item.line.audio), start)


def _digest(alignment_key: str, job: LineJob, line: Line, nla: bool) -> str:
    """Everything a line's Action is made from: its alignment's inputs, the bound preset and every setting."""
    text = repr((alignment_key, job.binding, job.settings, job.emotion, line.object, nla))
    return hashlib.sha256(text.encode()).hexdigest()
