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


HEAVY = ["torch", "librosa", "scipy", "numba", "matplotlib"]
"""Training and development packages the runtime must do without (the extension ships none of them)."""
TORCH_MODULES = {"lipsync_ai.inference.torch_model"}
"""The network as a torch module: training and the optional CUDA path only."""


def test_runtime_imports_and_aligns_without_heavy_packages():
    imports = "".join(f"import {m}\n" for m in modules("core") + modules("inference") if m not in TORCH_MODULES)
    clip = ROOT / "tests" / "data" / "network_timer_en.wav"
    run = (
        "import numpy as np\n"
        "from lipsync_ai.inference.engine import align_file\n"
        "from lipsync_ai.inference.streaming import Stream\n"
        f"result = align_file({str(clip)!r}, {clip.with_suffix('.txt').read_text()!r})\n"
        "assert [w.label for w in result.words][0] == 'Bob', result.words\n"
        "assert Stream(44100).push(np.zeros(4410, np.float32))\n"
    )
    code = BLOCK.format(blocked=HEAVY) + imports + run
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
