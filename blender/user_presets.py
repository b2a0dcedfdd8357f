"""Where user presets live: the extension's user directory, never inside the extension folder."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..core.preset_files import preset_dirs

PACKAGE = __package__.removesuffix(".blender")


def user_preset_dir(create: bool = False) -> Path:
    """``extension_path_user(...)/presets`` when installed as an extension, else a folder in Blender's config."""
    try:
        return Path(bpy.utils.extension_path_user(PACKAGE, path="presets", create=create))
    except ValueError:
        path = Path(bpy.utils.user_resource("CONFIG")) / "lipsync_ai" / "presets"
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path


def search_dirs() -> list[Path]:
    """Built-in presets, then the user's (a user preset with a built-in's id replaces it)."""
    return preset_dirs([user_preset_dir()])
