"""A folder of optional packages the user points Blender's Python at: a CUDA build of torch for the GPU path,
vosk for a Vosk recogniser model. The extension zips carry neither (docs/packaging.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import LipsyncError

OPTIONAL = ("torch", "vosk")


def use_packages(folder: str | Path) -> Path:
    """Check that ``folder`` holds torch or vosk for this Python and put it on ``sys.path`` (once). Raises
    LipsyncError.

    ``folder`` is a site-packages folder, e.g. a venv's ``lib/python3.11/site-packages`` after
    ``pip install torch vosk==0.3.44`` with the same Python version as Blender's.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise LipsyncError(f"Extra packages folder not found: {folder}. Choose the site-packages folder that holds "
                           "torch/ or vosk/.")
    if not any((folder / name / "__init__.py").is_file() for name in OPTIONAL):
        raise LipsyncError(f"{folder} holds neither torch nor vosk: choose the site-packages folder of a venv where "
                           "`pip install torch` (or vosk) ran.")
    tag = f"{sys.version_info.major}{sys.version_info.minor}"
    built = sorted(p.name for p in (folder / "torch").glob("_C.*") if p.suffix in (".so", ".pyd"))
    if built and not any(f"cpython-{tag}" in name or f"cp{tag}" in name for name in built):
        raise LipsyncError(f"The torch in {folder} was built for another Python ({built[0]}); Blender's is "
                           f"{sys.version_info.major}.{sys.version_info.minor}: install torch with that Python.")
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    return folder
