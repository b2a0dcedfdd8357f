"""Blender class registration, kept out of ``__init__`` so importing the package needs no bpy."""

import bpy

from .. import operators, panels
from . import preferences, properties

_register, _unregister = bpy.utils.register_classes_factory(
    (*preferences.classes, *properties.classes, *operators.classes, *panels.classes)
)


def register() -> None:
    _register()
    properties.register()


def unregister() -> None:
    from ..blender import live

    if live.running():
        live.stop(bpy.context.scene)
    properties.unregister()
    _unregister()
