"""The repository root is a valid Blender extension whose build leaves development files out."""

import subprocess
import sys
import zipfile
from pathlib import Path

import bpy

from conftest import ROOT

BLENDER_EXT = Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"


def blender_ext(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BLENDER_EXT), *args], capture_output=True, text=True, timeout=120)


def test_manifest_validates():
    done = blender_ext("validate", str(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr


def test_build_ships_the_extension_without_development_files(tmp_path):
    done = blender_ext("build", "--source-dir", str(ROOT), "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    (package,) = tmp_path.glob("*.zip")
    names = zipfile.ZipFile(package).namelist()
    assert {"__init__.py", "blender_manifest.toml", "operators/generate.py", "rig_presets/visemes15.toml"} <= set(names)
    assert not [n for n in names if n.split("/")[0] in {"tests", "training", "bench", "scripts", ".venv", "demo"}]
