"""``lipsync batch`` (many lines into a .blend, through bpy) and ``lipsync batch-align`` (many lines to export
files, no Blender): bad rows are listed before any work starts, failing lines are reported and the rest go on,
and a re-run times only what changed (the alignment cache beside the manifest)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import LipsyncError
from ..core.export_formats import FORMATS
from ..core.validate import JOBS
from .align import export, export_args, export_job
from .common import INTERRUPTED, asr_arg, blender_session, device_arg, scene_args, write_atomic
from .progress import Progress

if TYPE_CHECKING:
    from ..core.manifest import Line, Outcome


def _audio_problems(manifest: Path, lines: list[Line]) -> list[str]:
    """Every line whose audio the run would refuse (unreadable, empty, silent), decoded as the run decodes it."""
    from ..core.audio import check_audio, load_audio

    problems = []
    for line in lines:
        try:
            check_audio(load_audio(line.audio), line.audio.name)
        except LipsyncError as exc:
            problems.append(f"{manifest.name}:{line.row}: {exc}")
    return problems


def _checked(manifest: Path, lines: list[Line], problems: list[str], check_only: bool) -> int | None:
    """Report every bad row; the exit code when there is nothing (more) to do, else None to go on.

    ``--check`` also decodes every good line's audio, so a clip the run would refuse is reported here."""
    if check_only:
        problems = problems + (audio := _audio_problems(manifest, lines))
    for problem in problems:
        print(problem, file=sys.stderr)
    if check_only:
        print(f"{len(lines) - len(audio)} lines OK, {len(problems)} bad rows")
        return 2 if problems else 0
    if not lines:
        raise LipsyncError("No good rows in the manifest; nothing was done.")
    return None


def _drive(batch, outcomes: list[Outcome], progress: Progress,
           on_done: Callable[[Outcome], None] = lambda outcome: None) -> None:
    """Step ``batch`` (a BatchRun or LineBatch) to the end, adding to ``outcomes``; Ctrl-C cancels and re-raises.

    Blender installs its own Ctrl-C handler (it only flags a break), so Python's is put back for the run.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while batch.running:
            for outcome in batch.step(0.5):
                on_done(outcome)
                outcomes.append(outcome)
                progress.update(outcome)
    except KeyboardInterrupt:
        batch.cancel()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _jobs(args: argparse.Namespace) -> int:
    from ..inference.pool import default_jobs

    return args.jobs or default_jobs()


def batch(args: argparse.Namespace) -> int:
    from ..core.paths import output_file, writable_dir

    started = time.perf_counter()
    save = output_file(args.save, [args.manifest], "the .blend")
    session = blender_session()
    from ..blender.batch import BatchRun, Options

    session.open_blend(args.blend)
    options = Options(jobs=_jobs(args), nla=args.nla, cache=args.cache_dir, device=args.device, language=args.lang,
                      markers=args.markers.upper(), add_sound_strip=args.add_sound_strip,
                      asr_model=args.asr_model or "")
    run = BatchRun(Path(args.manifest), options)
    lines = [item.line for item in run.todo] + [outcome.line for outcome in run.outcomes]
    if (checked := _checked(run.manifest, lines, run.problems, args.check)) is not None:
        return checked
    pictures = _pictures(args, run.manifest, lines)
    progress = Progress(args.progress, run.total)
    for unchanged in run.outcomes:
        progress.update(unchanged)
    run.start()
    try:
        _drive(run, [], progress)
    except KeyboardInterrupt:
        print("lipsync: interrupted; nothing was saved. Timed lines are cached: run again to resume.",
              file=sys.stderr)
        return INTERRUPTED
    outcomes = run.finish()
    session.save_blend(str(save))
    unpictured = []
    if pictures:
        from ..blender.plot import draw_batch

        unpictured = draw_batch(run, pictures, writable_dir(args.plot_dir, "pictures to"))
    for problem in unpictured:
        print(problem, file=sys.stderr)
    progress.close(outcomes, run.problems, time.perf_counter() - started)
    return 1 if run.problems or unpictured or any(o.status == "failed" for o in outcomes) else 0


def _pictures(args: argparse.Namespace, manifest: Path, lines: list[Line]) -> dict[int, Path]:
    """``--plot-dir``: each line's picture path (its audio's name, as ``batch-align`` names exports), checked
    before any work like the other outputs; {} without it."""
    if args.plot_dir is None:
        return {}
    from ..core.paths import export_paths, writable_dir
    from ..core.plot import require_matplotlib

    require_matplotlib()
    inputs = [manifest, Path(args.blend), *(line.audio for line in lines)]
    return export_paths({line.row: line.audio for line in lines}, manifest.parent,
                        writable_dir(args.plot_dir, "pictures to"), ".png", inputs, option="--plot-dir")


def batch_align(args: argparse.Namespace) -> int:
    from ..core.manifest import read_manifest
    from ..core.paths import cache_dir, export_paths, record_export, writable_dir
    from ..core.transcripts import find_words
    from ..inference.pool import LineBatch

    started = time.perf_counter()
    manifest = read_manifest(Path(args.manifest), None, args.lang, require_object=False)
    jobs = {}
    for line in manifest.lines:  # a row's words come as in the panel: its transcript, else the .txt beside
        try:
            words = find_words(line.audio, line.transcript)
            jobs[line] = export_job(line.audio, words.text, line.language, args, line.start_frame or 1)
        except LipsyncError as exc:
            manifest.problems.append(f"{manifest.path.name}:{line.row}: {exc}")
    if (checked := _checked(manifest.path, list(jobs), manifest.problems, args.check)) is not None:
        return checked
    out_dir = writable_dir(args.out_dir, "exports to")
    inputs = [manifest.path, *(line.audio for line in manifest.lines)]
    outs = export_paths({line.row: line.audio for line in manifest.lines}, manifest.path.parent, out_dir,
                        FORMATS[args.format].extension, inputs, args.force)
    lines = LineBatch(jobs, _jobs(args), cache_dir(args.cache_dir, manifest.path))

    def write(outcome: Outcome) -> None:
        if outcome.status == "failed":
            return
        line, out = outcome.line, outs[outcome.line.row]
        try:
            write_atomic(out, export(lines.results[line.row], args, line.audio))
            record_export(out_dir, out)
        except OSError as exc:
            outcome.status, outcome.detail = "failed", f"cannot write {out}: {exc.strerror or exc}"
            return
        outcome.detail = str(out)

    progress = Progress(args.progress, len(jobs))
    outcomes: list[Outcome] = []
    try:
        _drive(lines, outcomes, progress, write)
    except KeyboardInterrupt:
        print("lipsync: interrupted; the files written are complete. Run again to resume.", file=sys.stderr)
        return INTERRUPTED
    lines.close()
    outcomes.sort(key=lambda o: o.line.row)
    progress.close(outcomes, manifest.problems, time.perf_counter() - started)
    return 1 if manifest.problems or any(o.status == "failed" for o in outcomes) else 0


def _batch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("manifest", metavar="MANIFEST.csv", help="one line per row; see docs/batch.md")
    p.add_argument("--jobs", type=JOBS.arg("jobs"), metavar="N", help="worker processes (default: the number of cores)")
    p.add_argument("--lang", default="en-us", help="language of rows that leave it empty (default en-us)")
    asr_arg(p)
    p.add_argument("--cache-dir", type=Path, metavar="DIR",
                   help="alignment cache (default .lipsync-cache beside the manifest)")
    p.add_argument("--check", action="store_true", help="only check the manifest; exit 2 if a row is bad")
    p.add_argument("--progress", default="bar", choices=("bar", "json"),
                   help="a progress bar on stderr, or JSON lines on stdout for pipeline tools")


def add_parsers(sub) -> None:
    p = sub.add_parser("batch", help="key every line of a manifest as its own Action and save the .blend")
    _batch_args(p)
    p.add_argument("--blend", required=True, metavar="IN.blend")
    p.add_argument("--save", required=True, metavar="OUT.blend")
    p.add_argument("--plot-dir", type=Path, metavar="DIR",
                   help="also draw each keyed line's curves over its audio, words and phonemes: DIR/<audio name>.png")
    scene_args(p)
    device_arg(p)
    p.set_defaults(run=batch)

    p = sub.add_parser("batch-align", help="time every line of a manifest and write one export each")
    _batch_args(p)
    p.add_argument("--out-dir", required=True, metavar="DIR")
    p.add_argument("--force", action="store_true",
                   help="replace files in DIR that lipsync did not write (never an input)")
    export_args(p)
    p.set_defaults(run=batch_align)
