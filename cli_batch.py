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

from .batch_report import Progress
from .core.errors import LipsyncError
from .core.manifest import Outcome, read_manifest

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


def _checked(good: int, problems: list[str], check_only: bool) -> int | None:
    """Report every bad row; the exit code when there is nothing (more) to do, else None to go on."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if check_only:
        print(f"{good} lines OK, {len(problems)} bad rows")
        return 2 if problems else 0
    if not good:
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


def batch(args: argparse.Namespace) -> int:
    from .blender.batch import BatchRun, Options
    from .blender.session import open_blend, save_blend

    started = time.perf_counter()
    open_blend(args.blend)
    run = BatchRun(Path(args.manifest), Options(args.jobs, args.nla, args.cache_dir, args.device, args.lang))
    if (checked := _checked(run.total, run.problems, args.check)) is not None:
        return checked
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
    save_blend(args.save)
    progress.close(outcomes, run.problems, time.perf_counter() - started)
    return 1 if run.problems or any(o.status == "failed" for o in outcomes) else 0


EXTENSIONS = {"json": ".json", "rhubarb-tsv": ".tsv", "rhubarb-xml": ".xml", "rhubarb-json": ".rhubarb.json",
              "moho": ".dat", "csv": ".csv"}


def batch_align(args: argparse.Namespace) -> int:
    from .cli import export, export_job, write_atomic
    from .inference.pool import LineBatch

    started = time.perf_counter()
    manifest = read_manifest(Path(args.manifest), None, args.lang, require_object=False)
    if (checked := _checked(len(manifest.lines), manifest.problems, args.check)) is not None:
        return checked
    out_dir = Path(args.out_dir)
    jobs = {line: export_job(line.audio, line.transcript, line.language, args, line.start_frame or 1)
            for line in manifest.lines}
    lines = LineBatch(jobs, args.jobs, args.cache_dir or manifest.path.parent / ".lipsync-cache")

    def write(outcome: Outcome) -> None:
        if outcome.status == "failed":
            return
        line = outcome.line
        relative = line.audio.relative_to(manifest.path.parent) if line.audio.is_relative_to(
            manifest.path.parent) else Path(line.audio.name)
        out = out_dir / relative.with_suffix(EXTENSIONS[args.format])
        try:
            write_atomic(out, export(lines.results[line.row], args.format, line.audio.name, args.fps))
        except OSError as exc:
            outcome.status, outcome.detail = "failed", f"cannot write {out}: {exc}"
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
