"""``lipsync generate``: key lip sync on one object of a .blend (through bpy) and save it."""

from __future__ import annotations

import argparse

from ..core.errors import LipsyncError
from ..core.presets import EMOTIONS
from ..core.settings import TIMING
from ..core.validate import SETTINGS, START_FRAME
from .common import blender_session, device_arg, preset_id, transcript, transcript_args


def run(args: argparse.Namespace) -> None:
    from ..core.paths import output_file

    inputs = [args.audio] + ([args.transcript_file] if args.transcript_file else [])
    save = output_file(args.save, inputs, "the .blend")
    session = blender_session()
    from ..blender.generate import Request

    words = transcript(args)
    if words is not None and not words.strip():
        raise LipsyncError("The transcript is empty. Give the spoken words, or leave it out for audio-only mode.")
    timing = {name: getattr(args, name) for name in TIMING if getattr(args, name) is not None}
    request = Request(audio_path=args.audio, transcript=words, language=args.lang, preset=args.preset,
                      start_frame=args.start_frame, nla=args.nla, intensity=args.intensity, emotion=args.emotion,
                      emotion_intensity=args.emotion_intensity, timing=timing, device=args.device)
    result = session.generate_in_file(args.blend, args.object, request, str(save))
    if result.detection:
        print(result.detection)
    print(result.summary)


def _timing(name: str):
    return SETTINGS[name].arg(name.replace("_", " "))


def add_parser(sub) -> None:
    p = sub.add_parser("generate", help="key lip sync on an object of a .blend and save it")
    p.add_argument("--blend", required=True, metavar="IN.blend")
    p.add_argument("--object", required=True, metavar="NAME")
    p.add_argument("--audio", required=True)
    transcript_args(p)
    p.add_argument("--preset", type=preset_id, default="auto", metavar="ID",
                   help="rig preset id, or auto (default) to detect")
    p.add_argument("--start-frame", type=START_FRAME.arg("start frame"), default=1, metavar="N")
    p.add_argument("--nla", action="store_true", help="place the clip as an NLA strip at the start frame")
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
    timing.add_argument("--stepped", action="store_true", default=None, help="constant interpolation (2D style)")
    timing.add_argument("--no-reduce", dest="reduce_keys", action="store_false", default=None,
                        help="key every frame instead of only where the pose changes")
    timing.add_argument("--key-tolerance", type=_timing("key_tolerance"), metavar="F",
                        help="largest error a removed key may leave")
    device_arg(p)
    p.add_argument("--save", required=True, metavar="OUT.blend")
    p.set_defaults(run=run)
