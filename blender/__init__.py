"""The Blender side: rigs, sources, writing keys, and running the add-on on a .blend outside the UI."""

import importlib.util
import os
import sys
from pathlib import Path


def _forget_inherited_ocio() -> None:
    """Drop an ``OCIO`` variable that points at the bpy module's own colour configuration, before bpy is imported.

    bpy 5.3 sets ``OCIO`` to that file when imported, and a bpy started with ``OCIO`` set reports "Using config from
    OCIO" on stdout: a ``lipsync`` command started by a process that imported bpy (a script, a test) would print it
    before its own output. Inside Blender bpy is already imported, and an ``OCIO`` the user chose stays.
    """
    ocio = os.environ.get("OCIO")
    if ocio is None or "bpy" in sys.modules or (spec := importlib.util.find_spec("bpy")) is None or not spec.origin:
        return
    if Path(ocio).resolve().is_relative_to(Path(spec.origin).resolve().parent):
        del os.environ["OCIO"]


_forget_inherited_ocio()
