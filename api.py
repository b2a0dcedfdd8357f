"""The Python API for other applications (chatbots, e-learning, games): the engine of the panel and of
``lipsync align`` without Blender. ``align`` times a clip into a ``Result`` (dataclasses, JSON and every export of
``lipsync align``); ``Stream`` drives a mouth live from audio chunks. See docs/api.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .core.animation import KeyframePlan
from .core.errors import LipsyncError
from .core.export_formats import EXTENDED_SHAPES, FORMATS, MOUTH_NAMES, Timed, extended_shapes
from .core.types import Alignment, Segment
from .inference.streaming import Stream

__all__ = ["LipsyncError", "Result", "Segment", "Stream", "align", "preset_binding"]


@dataclass(frozen=True, kw_only=True)
class Result:
    """A timed clip: words, phonemes and visemes (``Segment``: label, start and end in seconds, and for a
    recognised word its confidence), with the keys of ``preset`` at ``fps`` when ``align`` was given one."""

    audio: Path
    alignment: Alignment
    words_from: str
    """Where the words came from: the transcript given, the ``.txt`` beside the audio, or why audio-only."""
    plan: KeyframePlan | None = None
    fps: int = 24

    @property
    def duration(self) -> float:
        return self.alignment.duration

    @property
    def words(self) -> list[Segment]:
        return self.alignment.words

    @property
    def phonemes(self) -> list[Segment]:
        return self.alignment.phonemes

    @property
    def visemes(self) -> list[Segment]:
        from .core.visemes import viseme_track

        return viseme_track(self.alignment.phonemes)

    @property
    def warnings(self) -> list[str]:
        return self.alignment.warnings

    def to_dict(self) -> dict:
        """The RESULT.json schema (README.md) as a dict."""
        from .core.result import result_json

        return result_json(self.alignment)

    def to_json(self) -> str:
        """RESULT.json, as ``lipsync align`` writes it."""
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False)

    def export(self, format: str, *, extended: str = EXTENDED_SHAPES, mouth_names: str = MOUTH_NAMES[0]) -> str:
        """The text of a ``lipsync align --format`` (``rhubarb-tsv``, ``moho``, ``arkit-json``...; docs/batch.md).
        ``csv`` and ``arkit-json`` need the keys: give ``align`` a ``preset``."""
        if format not in FORMATS:
            raise LipsyncError(f"Unknown format '{format}'. Use one of: {', '.join(FORMATS)}.")
        if mouth_names not in MOUTH_NAMES:
            raise LipsyncError(f"Unknown mouth names '{mouth_names}'. Use {' or '.join(MOUTH_NAMES)}.")
        if FORMATS[format].needs_preset and self.plan is None:
            raise LipsyncError(f"The {format} export has a preset's targets: call align(..., preset='arkit').")
        return FORMATS[format].write(Timed(alignment=self.alignment, plan=self.plan, sound_file=str(self.audio),
                                           fps=self.fps, extended_shapes=extended_shapes(extended),
                                           mouth_names=mouth_names))


def preset_binding(preset_id: str):
    """A rig preset (``lipsync preset list``) bound to exactly the targets it drives, under their first names
    (ARKit's own for ``arkit``): for ``Stream(binding=...)`` and keys without a rig."""
    from .core.exports import driven_binding
    from .core.preset_files import load_preset

    return driven_binding(load_preset(preset_id))


def align(audio: str | Path, transcript: str | None = None, language: str = "en-us", *, preset: str | None = None,
          fps: int = 24, device: str = "cpu") -> Result:
    """Time the clip ``audio`` (WAV, FLAC, OGG, MP3). The words are ``transcript``, else the ``.txt`` beside the
    audio (``line.wav`` → ``line.txt``), else recognised from the audio (pocketsphinx for English). With a
    ``preset`` the result also holds that preset's keys at ``fps`` (for the ``csv`` and ``arkit-json`` exports).
    Raises ``LipsyncError`` with a one-line message on bad input."""
    from .core.phonemes import check_language
    from .core.presets import settings_for
    from .core.transcripts import find_words
    from .inference.pipeline import LineJob, run_line

    if fps < 1:
        raise LipsyncError(f"fps {fps} is not a whole number of at least 1.")
    words = find_words(audio, transcript)
    check_language(language)
    binding = preset_binding(preset) if preset else None
    settings = settings_for(binding.preset, fps=fps, start_frame=1, reduce_keys=False) if binding else None
    job = LineJob(audio_path=Path(audio), transcript=words.text, language=language, binding=binding,
                  settings=settings, device=device)
    line = run_line(job)
    return Result(audio=Path(audio), alignment=line.alignment, words_from=words.origin, plan=line.plan, fps=fps)
