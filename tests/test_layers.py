"""The layers stay apart: core imports neither bpy nor torch, inference does not import bpy, the command's parser
imports nothing heavy; and no module of the package imports itself back at import time."""

import ast
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT

BLOCK = "import sys\nfor name in {blocked!r}: sys.modules[name] = None\n"
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
"""``lipsync_ai`` and its subpackages, as pyproject installs them."""


def modules(package: str) -> list[str]:
    return [f"lipsync_ai.{package}.{p.stem}" for p in sorted((ROOT / package).glob("*.py"))
            if p.stem not in ("__init__", "__main__")]


@pytest.mark.parametrize(("package", "blocked", "then"), [
    ("core", ["bpy", "torch"], ""),
    ("inference", ["bpy"], ""),
    ("cli", ["bpy", "torch", "librosa", "numpy"], "lipsync_ai.cli.parser().format_help()\n"),
])
def test_package_imports_without_forbidden_modules(package, blocked, then):
    imports = "".join(f"import {m}\n" for m in modules(package))
    code = BLOCK.format(blocked=blocked) + imports + then
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_extension_package_imports_without_bpy():
    code = BLOCK.format(blocked=["bpy"]) + "import lipsync_ai\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_package_is_installed():
    found = {"lipsync_ai", *(f"lipsync_ai.{p.parent.name}" for p in ROOT.glob("*/__init__.py"))}
    found.discard("lipsync_ai.training")  # the repository's own, not the extension's
    assert found == set(PACKAGES), "pyproject's [tool.setuptools] packages lists every package folder"


def _module_files() -> dict[str, object]:
    files = {}
    for package in PACKAGES:
        folder = ROOT.joinpath(*package.split(".")[1:])
        for path in folder.glob("*.py"):
            files[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return files


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports when it is imported (module-level statements; imports inside
    functions and ``if TYPE_CHECKING`` run later or never)."""
    files = _module_files()
    graph = {}
    for name, path in files.items():
        package = name if path.stem == "__init__" else name.rpartition(".")[0]
        edges = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}".rstrip(".")
                subs = {f"{base}.{alias.name}" for alias in node.names} & files.keys()
                edges |= subs or {base}
        graph[name] = (edges & files.keys()) - {name}
    return graph


def test_import_graph_sees_the_imports():
    graph = import_graph()
    assert {"lipsync_ai.cli.align", "lipsync_ai.cli.batch", "lipsync_ai.core.errors"} <= graph["lipsync_ai.cli"]
    assert "lipsync_ai.ui.properties" in graph["lipsync_ai.ui.preferences"]


def test_no_import_cycles():
    graph = import_graph()
    done, path = set(), []

    def visit(module: str) -> None:
        if module in path:
            pytest.fail(f"import cycle: {' -> '.join([*path[path.index(module):], module])}")
        if module in done:
            return
        path.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_engine_does_not_reach_into_the_ui():
    ui = ("lipsync_ai.ui", "lipsync_ai.operators", "lipsync_ai.panels")
    for module, imported in import_graph().items():
        if module.startswith(("lipsync_ai.blender", "lipsync_ai.core", "lipsync_ai.inference", "lipsync_ai.cli")):
            assert not {i for i in imported if i.startswith(ui)}, module


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
