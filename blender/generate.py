"""The one generation path behind the operator, ``lipsync generate`` and (per line) ``lipsync batch``: a
``Request`` in, keyframes out and a ``Result`` back, or a ``LipsyncError``."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import bpy

from ..core.audio import audio_duration
from ..core.detect import Detection, detect
from ..core.emotion import EmotionLayer, parse_intensity
from ..core.phonemes import check_language
from ..core.preset_files import load_all, load_preset
from ..core.presets import RigBinding, bind, settings_for
from ..core.validate import check_frames, check_settings
from ..inference.pipeline import LineJob, LineResult, run_line
from ..inference.pool import default_jobs
from .markers import KEY as MARKERS_KEY
from .markers import place_markers
from .poses import read_poses
from .rig import Character, find_character
from .sources import add_sound_strip
from .timing import store_timing
from .user_presets import search_dirs
from .writer import write_plan


@dataclass(frozen=True, kw_only=True)
class Request:
    """One line as the user asked for it (panel, script, ``lipsync generate`` or a manifest row)."""

    audio_path: str
    transcript: str | None
    """None is audio-only mode."""
    language: str
    preset: str
    """A preset id, or ``auto`` to detect the best one."""
    start_frame: int
    nla: bool = False
    """Place the Action as an NLA strip at ``start_frame`` instead of making it the active Action."""
    intensity: float = 1.0
    emotion: str = "none"
    emotion_intensity: str = "1.0"
    """A number, ``loudness``, ``pitch`` or points ``seconds:value,...``."""
    timing: dict = field(default_factory=dict)
    """``AnimationSettings`` values that override the preset's (min_hold, blend_time, stepped, ...)."""
    markers: str = "NONE"
    """Timeline markers for the clip's ``WORDS`` or ``PHONEMES``, or ``NONE``."""
    add_sound_strip: bool = False
    """Put the audio in the Sequencer at ``start_frame`` (when it came from a file)."""
    device: str = "cpu"
    """Where the timing network runs: ``cpu`` or ``cuda``."""
    asr_model: str = ""
    """A Vosk model folder that recognises the words in audio-only mode ("": pocketsphinx for English)."""
    clip: str = ""
    """The clip's name (its Action's); "": the audio file's name without its extension."""


@dataclass(frozen=True, kw_only=True)
class Result:
    """What a generated line reports: one summary line, and with ``auto`` the detection's explanation."""

    summary: str
    detection: str = ""
    recogniser: str | None = None
    """What found the words of an audio-only line (None with a transcript)."""


@dataclass(kw_only=True)
class Prepared:
    """A line ready to be timed: the character, its job, and what picked the preset."""

    character: Character
    job: LineJob
    detection: Detection | None
    request: Request
    started: float = field(default_factory=time.perf_counter)


def resolve_preset(character: Character, preset_id: str) -> tuple[RigBinding, Detection | None]:
    """Bind the named preset, or with ``auto`` the best-scoring one (with the detection that chose it), its pose
    Actions read."""
    rig = character.rig_info()
    if preset_id != "auto":
        preset = load_preset(preset_id, search_dirs())
        if not preset.sprite and not preset.pose_actions():
            character.require_rig()
        return read_poses(character, bind(preset, rig)), None
    character.require_rig()
    detection = detect(load_all(search_dirs()), rig)
    return read_poses(character, detection.binding()), detection


def prepare(obj: bpy.types.Object | None, scene: bpy.types.Scene, request: Request) -> Prepared:
    """Find the character, bind its preset and settle the settings (main thread; raises LipsyncError)."""
    character = find_character(obj)
    job, detection = line_job(character, scene, request)
    job = replace(job, asr_jobs=default_jobs())  # one line: its recognition may use every core
    return Prepared(character=character, job=job, detection=detection, request=request)


def line_job(character: Character, scene: bpy.types.Scene, request: Request) -> tuple[LineJob, Detection | None]:
    """What the character and scene give the line: bound preset and settings (main thread; raises LipsyncError)."""
    check_language(request.language)  # audio-only lines too: the same refusal as with a transcript
    check_settings({"intensity": request.intensity, **request.timing})
    audio_path = Path(bpy.path.abspath(request.audio_path))
    fps = scene.render.fps / scene.render.fps_base
    check_frames(request.start_frame, audio_duration(audio_path) if audio_path.is_file() else 0.0, fps)
    binding, detection = resolve_preset(character, request.preset)
    binding = character.own(binding)
    emotion = None
    if request.emotion != "none":
        emotion = EmotionLayer(request.emotion, parse_intensity(request.emotion_intensity))
    settings = settings_for(binding.preset, fps=fps, start_frame=request.start_frame, **request.timing)
    settings = replace(settings, intensity=settings.intensity * request.intensity)
    job = LineJob(audio_path=audio_path, transcript=request.transcript, language=request.language, binding=binding,
                  settings=settings, emotion=emotion, device=request.device,
                  asr_model=Path(request.asr_model) if request.asr_model else None)
    return job, detection


def apply(prepared: Prepared, result: LineResult, scene: bpy.types.Scene) -> Result:
    """Write the timed line's keys (main thread) and say what was done."""
    job, request, detection = prepared.job, prepared.request, prepared.detection
    alignment, plan, binding = result.alignment, result.plan, job.binding
    clip = request.clip or job.audio_path.stem
    action, notes = write_plan(plan, prepared.character, clip, "nla" if request.nla else "active")
    store_timing(action, alignment, asdict(request))
    if request.markers != "NONE" or MARKERS_KEY in scene:
        count = place_markers(scene, clip, alignment, request.markers, plan.frame_start, job.settings.fps)
        if count:
            notes.append(f"{count} {request.markers.lower()} markers")
    if request.add_sound_strip:
        notes.append(add_sound_strip(scene, str(job.audio_path), plan.frame_start))
    phones = sum(1 for p in alignment.phonemes if p.label != "SIL")
    summary = (
        f"{action.name}: {len(alignment.words)} words"
        f"{f' (audio only: {alignment.recogniser})' if alignment.recogniser else ''}, {phones} phonemes, "
        f"{alignment.duration:.1f} s, "
        f"frames {plan.frame_start}-{plan.frame_end}, {plan.keys} keys (of {plan.dense_keys}), "
        f"{plan.key_rate()}, "
        f"preset {binding.preset.id}{' (auto)' if detection else ''}"
        f"{', NLA strip' if request.nla else ''}, {time.perf_counter() - prepared.started:.1f} s"
    )
    if binding.missing:
        summary += f"; not on this rig: {', '.join(binding.missing)}"
    if job.emotion and job.emotion.name not in binding.preset.emotions:
        notes.append(f"preset {binding.preset.id} has no {job.emotion.name} layer, the emotion was left out")
    return Result(summary="; ".join([summary, *notes, *alignment.warnings]),
                  detection=detection.explain() if detection else "", recogniser=alignment.recogniser)


def generate(obj: bpy.types.Object | None, scene: bpy.types.Scene, request: Request) -> Result:
    """Key lip sync for the character of ``obj``, blocking. Raises LipsyncError."""
    prepared = prepare(obj, scene, request)
    return apply(prepared, run_line(prepared.job), scene)
