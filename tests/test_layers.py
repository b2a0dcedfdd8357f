"""The layers stay apart: core imports neither bpy nor torch, inference does not import bpy."""

import subprocess
import sys

import pytest

from conftest import ROOT

BLOCK = "import sys\nfor name in {blocked!r}: sys.modules[name] = None\n"


def modules(package: str) -> list[str]:
    return [f"lipsync_ai.{package}.{p.stem}" for p in sorted((ROOT / package).glob("*.py")) if p.stem != "__init__"]


@pytest.mark.parametrize(("package", "blocked"), [("core", ["bpy", "torch"]), ("inference", ["bpy"])])
def test_package_imports_without_forbidden_modules(package, blocked):
    imports = "".join(f"import {m}\n" for m in modules(package))
    code = BLOCK.format(blocked=blocked) + imports
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_extension_package_imports_without_bpy():
    code = BLOCK.format(blocked=["bpy"]) + "import lipsync_ai\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
