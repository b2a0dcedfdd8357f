"""The built linux-x64 zip installs through Blender's own extension API into a clean user directory, generates
with nothing but its own wheels and what Blender ships, and disables, re-enables and uninstalls without leftovers.

The zip comes from ``scripts/build_extension.py --offline``: it reuses the zip when up to date and never downloads;
its wheels are fetched by ``make package``, which ``make test`` runs first as part of installing.
"""

import ctypes.util
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from conftest import DEMO_AUDIO, ROOT

PKG_ID = "lipsync_ai"
MODULE = f"bl_ext.user_default.{PKG_ID}"
BLENDER_SHIPS = ("bpy", "numpy", "requests", "certifi", "idna", "urllib3", "charset-normalizer", "zstandard", "Cython")
"""The Python packages Blender's own Python comes with (bpy's dependencies): all the child process may import
besides the standard library and the extension's wheels."""

CHILD = r'''
import ctypes.util, json, os, sys
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
    for layer in action.layers:
        for strip in layer.strips:
            for bag in strip.channelbags:
                yield from bag.fcurves


def generate(transcript=Path(transcript_file).read_text(encoding="utf-8"), language="en-us"):
    bpy.ops.wm.open_mainfile(filepath=blend)
    head = bpy.data.objects["DemoHead"]
    bpy.context.view_layer.objects.active = head
    editor = bpy.context.scene.sequence_editor_create()
    (editor.strips if hasattr(editor, "strips") else editor.sequences).new_sound("Dialogue", audio, 1, 100)
    result = bpy.ops.lipsync.generate(sound_strip="Dialogue", transcript=transcript, language=language)
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
facts["modules"] = {name: sys.modules[name].__file__ for name in ("torch", "librosa", "scipy", "soundfile", "soxr",
                                                                    "g2p_en", "nltk", "numpy")}
facts["extension_file"] = sys.modules[MODULE].__file__
# Other languages go through phonemizer (a wheel) and the system's espeak-ng library, where it is installed.
if ctypes.util.find_library("espeak-ng"):
    facts["spanish"] = generate("Hola, ¿cómo estás? Muy bien, gracias.", "es")
    facts["modules"]["phonemizer"] = sys.modules["phonemizer"].__file__
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


def build_zip() -> Path:
    """The linux-x64 zip from the build script (rebuilt only when its sources or wheels changed)."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_extension.py"), "--platform", "linux-x64",
                           "--offline"], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [line for line in done.stdout.splitlines() if "linux_x64.zip " in line]
    return Path(line.split(" ")[0])


def blender_python(target: Path) -> Path:
    """A folder holding only what Blender's Python ships, linked from the venv: bpy and its dependencies."""
    site_packages = Path(metadata.distribution("bpy").locate_file(""))
    target.mkdir()
    for name in BLENDER_SHIPS:
        for top in {f.parts[0] for f in metadata.distribution(name).files or ()} - {"..", "bin"}:
            if (site_packages / top).exists() and not (target / top).exists():
                (target / top).symlink_to(site_packages / top)
    return target


def test_zip_installs_generates_and_uninstalls_cleanly(tmp_path):
    package = build_zip()
    blend = tmp_path / "demo_character.blend"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_character.py"), str(blend)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    child = tmp_path / "child.py"
    child.write_text(CHILD, encoding="utf-8")
    user = tmp_path / "user"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLENDER_", "PYTHON"))}
    env["BLENDER_USER_RESOURCES"] = str(user)
    # -I -S: no site-packages, so every import the extension makes must come from its wheels or Blender's packages.
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(child), str(package), str(blend), str(DEMO_AUDIO),
         str(ROOT / "demo" / "dialogue.txt"), str(blender_python(tmp_path / "blender_python"))],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    facts_line = [line for line in done.stdout.splitlines() if line.startswith("FACTS ")]
    assert done.returncode == 0 and facts_line, done.stdout[-4000:] + done.stderr[-4000:]
    facts = json.loads(facts_line[0].removeprefix("FACTS "))
    print(json.dumps({k: facts[k] for k in ("modules", "first", "second", "spanish") if k in facts}, indent=1))

    extensions = Path(facts["extensions_dir"])
    assert extensions.is_relative_to(user)
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
    for name in ("torch", "librosa", "scipy", "soundfile", "soxr", "g2p_en", "nltk"):
        assert Path(facts["modules"][name]).is_relative_to(local), (name, facts["modules"][name])
    assert not Path(facts["modules"]["numpy"]).is_relative_to(local)

    runs = [facts["first"], facts["second"]]
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

    assert "torch-" in " ".join(facts["wheels_installed"])
    assert facts["uninstall"] == ["FINISHED"]
    assert not facts["left_after_uninstall"]
    assert facts["wheels_left"] == []
