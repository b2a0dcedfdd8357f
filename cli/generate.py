"""``lipsync generate``: key lip sync on one object of a .blend (through bpy) and save it."""

from __future__ import annotations

import argparse

from ..core.errors import LipsyncError
from ..core.presets import EMOTIONS
from ..core.settings import TIMING
from ..core.validate import SETTINGS, START_FRAME
from .common import blender_session, device_arg, given_transcript, preset_id, say_words, scene_args, transcript_args


def run(args: argparse.Namespace) -> None:
    from ..core.paths import output_file

    save = output_file(args.save, [path for path in (args.audio, args.transcript_file) if path], "the .blend")
    session = blender_session()
    from ..blender.generate import Request

    if bool(args.audio) == bool(args.sound_strip):
        raise LipsyncError("Give the line's audio as --audio FILE or --sound-strip NAME (one of them).")
    timing = {name: getattr(args, name) for name in TIMING if getattr(args, name) is not None}
    request = Request(audio_path=args.audio or "", transcript=None, language=args.lang, preset=args.preset,
                      start_frame=args.start_frame, nla=args.nla, intensity=args.intensity, emotion=args.emotion,
                      emotion_intensity=args.emotion_intensity, timing=timing, markers=args.markers.upper(),
                      add_sound_strip=args.add_sound_strip, device=args.device,
                      asr_model=args.asr_model or "")
    given = given_transcript(args)
    result, words = session.generate_in_file(args.blend, args.object, request, str(save), args.sound_strip or "",
                                             *given)
    say_words(words, result.recogniser)
    if result.detection:
        print(result.detection)
    print(result.summary)


def _timing(name: str):
    return SETTINGS[name].arg(name.replace("_", " "))


def add_parser(sub) -> None:
    p = sub.add_parser("generate", help="key lip sync on an object of a .blend and save it")
    p.add_argument("--blend", required=True, metavar="IN.blend")
    p.add_argument("--object", required=True, metavar="NAME")
    source = p.add_argument_group("the line (as the panel takes it)")
    source.add_argument("--audio", metavar="FILE", help="the audio file (its line.txt beside it is the transcript "
                                                        "unless one is given)")
    source.add_argument("--sound-strip", metavar="NAME", help="a sound strip of the .blend instead: its audio, and "
                                                              "its start frame")
    transcript_args(p)
    p.add_argument("--preset", type=preset_id, default="auto", metavar="ID",
                   help="rig preset id, or auto (default) to detect")
    p.add_argument("--start-frame", type=START_FRAME.arg("start frame"), default=1, metavar="N",
                   help="where the audio starts (a sound strip gives its own)")
    scene_args(p)
    p.add_argument("--intensity", type=SETTINGS["intensity"].arg("intensity"), default=1.0,
                   help="scale the mouth shapes (closures still close)")
    p.add_argument("--emotion", default="none", choices=("none", *EMOTIONS))
    p.add_argument("--emotion-intensity", default="1.0", metavar="V",
                   help="a number, loudness, pitch, or points seconds:value,... (e.g. 0:0,2:1)")
    timing = p.add_argument_group("timing (default: the preset's)")
    timing.add_argument("--min-hold", type=_timing("min_hold"), metavar="FRAMES",
                        help="frames a viseme is held at least")
    timing.add_argument("--blend-time", type=_timing("blend_time"), metavar="S",
                        help="seconds a viseme fades into the next")
    timing.add_argument("--anticipation", type=_timing("anticipation"), metavar="S",
                        help="seconds the lips form a viseme early")
    timing.add_argument("--max-rate", type=_timing("max_rate"), metavar="N",
                        help="visemes per second the mouth can articulate")
    timing.add_argument("--jaw-balance", type=_timing("jaw_balance"), metavar="F",
                        help="0-1: how much loudness drives the jaw")
    timing.add_argument("--jaw-rate", type=_timing("jaw_rate"), metavar="HZ",
                        help="the jaw's opening low-passed to this syllable rate (default 4; 0: off)")
    timing.add_argument("--stepped", action="store_true", default=None, help="constant interpolation (2D style)")
    timing.add_argument("--no-reduce", dest="reduce_keys", action="store_false", default=None,
                        help="key every frame instead of only where the pose changes")
    timing.add_argument("--key-tolerance", type=_timing("key_tolerance"), metavar="F",
                        help="largest error the reduced keys may leave (default 0.02)")
    device_arg(p)
    p.add_argument("--save", required=True, metavar="OUT.blend",
                   help="the .blend to write, or the character with its animation for other tools: .glb (glTF "
                        "morph targets), .fbx, .usd/.usdc/.usda")
    p.set_defaults(run=run)
