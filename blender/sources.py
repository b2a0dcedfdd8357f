"""Where a line comes from in Blender: a sound strip or a file, and its transcript (field, Text, or .txt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy

from ..core.errors import LipsyncError
from ..core.transcripts import find_words


def _strips(scene: bpy.types.Scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all)  # 5.0 / 4.2


def sound_strips(scene: bpy.types.Scene) -> list:
    return [s for s in _strips(scene) if s.type == "SOUND" and s.sound is not None]


def sound_start(strip) -> int:
    """The frame a strip's sound starts at (Blender 5.1 renamed ``frame_start`` to ``content_start``)."""
    return round(strip.content_start if hasattr(strip, "content_start") else strip.frame_start)


def strip_source(scene: bpy.types.Scene, name: str) -> tuple[str, int]:
    """The audio file of the sound strip ``name`` and the frame its sound starts at."""
    strip = next((s for s in sound_strips(scene) if s.name == name), None)
    if strip is None:
        names = ", ".join(s.name for s in sound_strips(scene)) or "none"
        raise LipsyncError(f"No sound strip '{name}' in the Sequencer (sound strips: {names}).")
    path = bpy.path.abspath(strip.sound.filepath, library=strip.sound.library)
    if strip.sound.packed_file is not None and not Path(path).is_file():
        raise LipsyncError(f"The sound of strip '{name}' is packed in the .blend; unpack it (File > External Data) "
                           "so it can be read.")
    return path, sound_start(strip)


@dataclass(frozen=True)
class Source:
    """The audio of a line and the frame it starts at; ``from_strip`` when a sound strip gave both."""

    audio: str
    start_frame: int
    from_strip: bool = False


def line_source(scene: bpy.types.Scene, audio: str, strip: str, start_frame: int) -> Source:
    """The line's audio as the panel, the operator and ``lipsync generate`` take it: the sound strip ``strip``
    (its file, and the frame it starts at), else the file ``audio`` at ``start_frame``; with neither, the
    Sequencer's only sound strip."""
    if not strip and not audio:
        strips = sound_strips(scene)
        if len(strips) != 1:
            raise LipsyncError("Choose an audio file or a sound strip"
                               f"{' (the Sequencer has several)' if strips else ''}.")
        strip = strips[0].name
    if strip:
        return Source(*strip_source(scene, strip), from_strip=True)
    return Source(audio, start_frame)


def transcript_for(audio_path: str, typed: str, text_block: str, audio_only: bool) -> tuple[str | None, str]:
    """The transcript and where it came from: audio-only, the typed text, a Text datablock, or (as everywhere,
    ``core.transcripts.find_words``) a ``.txt`` with the audio's name beside it; None is audio-only mode."""
    if audio_only:
        return None, "audio only"
    if typed.strip():
        return typed.strip(), "typed"
    if text_block:
        text = bpy.data.texts.get(text_block)
        if text is None:
            raise LipsyncError(f"No Text '{text_block}' in this file (Text Editor).")
        if not text.as_string().strip():
            raise LipsyncError(f"The Text '{text_block}' is empty. Type the spoken words in it, or choose audio only.")
        return text.as_string().strip(), f"Text '{text_block}'"
    words = find_words(bpy.path.abspath(audio_path))
    return words.text, words.origin


def add_sound_strip(scene: bpy.types.Scene, path: str, frame: int) -> str:
    """Put the audio in the Sequencer at ``frame`` so it plays in sync; a strip of it already there is kept."""
    resolved = Path(bpy.path.abspath(path)).resolve()
    for strip in sound_strips(scene):
        if Path(bpy.path.abspath(strip.sound.filepath)).resolve() == resolved and sound_start(strip) == frame:
            return f"sound strip '{strip.name}' already plays it"
    editor = scene.sequence_editor or scene.sequence_editor_create()
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences
    channel = 1 + max((s.channel for s in _strips(scene)), default=0)
    try:
        strip = strips.new_sound(resolved.stem, str(resolved), channel, frame)
    except RuntimeError as exc:  # e.g. a Blender built without audio
        return f"could not add a sound strip ({str(exc).strip()})"
    return f"added sound strip '{strip.name}' at frame {frame}"


def sound_strip_items(self, context, edit_text):
    """Search candidates for a sound-strip property."""
    return [s.name for s in sound_strips(context.scene) if edit_text.lower() in s.name.lower()]
