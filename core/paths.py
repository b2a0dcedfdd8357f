"""Output paths, resolved and checked before any work: never an input, never outside the chosen folder, one per
line, never a file the user did not ask to replace, and a folder that can be written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import LipsyncError

EXPORTS_RECORD = ".lipsync-exports"
"""In an export folder: the files lipsync wrote there, one relative path a line (a re-run may replace those)."""


def _probe(folder: Path, what: str, hint: str) -> None:
    """``folder`` (or the nearest existing folder above it) must be a folder a file can be created in."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise LipsyncError(f"Cannot write {what} {folder}: {existing} is a file, not a folder.{hint}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".lipsync-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise LipsyncError(f"Cannot write {what} in {existing}: {exc.strerror or exc}.{hint}") from None


def writable_dir(folder: str | Path, what: str = "to the folder", hint: str = "") -> Path:
    """``folder`` resolved, once it is known that it is (or can be made) a writable folder."""
    folder = Path(folder).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise LipsyncError(f"Cannot write {what} {folder}: it is a file, not a folder.{hint}")
    _probe(folder, what, hint)
    return folder


def cache_dir(given: Path | None, manifest: Path) -> Path:
    """The alignment cache folder of a batch (``given``, else ``.lipsync-cache`` beside the manifest), checked to
    be writable before any work."""
    hint = "" if given else " Give --cache-dir DIR (in the panel: the cache folder), a folder that can be written."
    return writable_dir(given or manifest.parent / ".lipsync-cache", "the alignment cache", hint)


def output_file(path: str | Path, inputs: Iterable[str | Path] = (), what: str = "the output") -> Path:
    """``path`` resolved for writing a whole file: not a folder, not one of ``inputs``, in a writable folder."""
    out = Path(path).expanduser().resolve()
    if out.is_dir():
        raise LipsyncError(f"Cannot write {what} {out}: it is a folder; give a file name.")
    for given in inputs:
        source = Path(given).expanduser().resolve()
        if out == source or (out.exists() and source.exists() and out.samefile(source)):
            raise LipsyncError(f"Cannot write {what} over the input {given}; choose another file name.")
    _probe(out.parent, what, "")
    return out


def write_whole(out: Path, text: str) -> None:
    """Write ``out`` whole or not at all (a temporary file, then a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def export_paths(audio: Mapping[int, Path], root: Path, out_dir: Path, extension: str,
                 inputs: Iterable[Path] = (), force: bool = False, option: str = "--out-dir") -> dict[int, Path]:
    """One export file per row under ``out_dir``, mirroring each audio's path under ``root`` (audio outside it:
    its name only). Refuses, before any work, two rows with one file, a file of the inputs, and an existing file
    that lipsync did not write there (unless ``force``). ``option`` names the folder's option in the messages
    (``--force`` is offered with ``--out-dir`` only)."""
    out_dir = writable_dir(out_dir, "exports to")
    root = root.resolve()
    written = _record(out_dir)
    by_path: dict[Path, int] = {}
    paths, problems = {}, []
    sources = {Path(p).resolve() for p in inputs}
    for row, file in audio.items():
        file = file.resolve()
        relative = file.relative_to(root) if file.is_relative_to(root) else Path(file.name)
        out = (out_dir / relative).with_suffix(extension)
        if out in by_path:
            problems.append(f"rows {by_path[out]} and {row} would both write {out}; give one of them an audio file "
                            "of another name")
        elif out in sources or out == file:
            problems.append(f"row {row}: its export {out} would replace an input; choose another {option}")
        elif out.is_dir():
            problems.append(f"row {row}: its export {out} is a folder")
        elif out.exists() and not force and out.relative_to(out_dir).as_posix() not in written:
            replace = ", or give --force to replace it" if option == "--out-dir" else ""
            problems.append(f"row {row}: {out} exists and lipsync did not write it; move it or choose another "
                            f"{option}{replace}")
        by_path.setdefault(out, row)
        paths[row] = out
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LipsyncError("; ".join(problems[:5]) + more + ". Nothing was written.")
    return paths


def _record(out_dir: Path) -> set[str]:
    try:
        return set((out_dir / EXPORTS_RECORD).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return set()


def record_export(out_dir: Path, out: Path) -> None:
    """Note that lipsync wrote ``out`` (so a re-run may replace it)."""
    relative = out.relative_to(out_dir).as_posix()
    if relative not in _record(out_dir):
        with (out_dir / EXPORTS_RECORD).open("a", encoding="utf-8") as record:
            record.write(relative + "\n")
