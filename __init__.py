"""Lipsync AI: dialogue audio to lip-sync keyframes on shape keys and jaw bones.

As a Blender extension it registers its panel and operators; as a Python package its API is ``align`` and
``Stream`` (``lipsync_ai.api``, no Blender; docs/api.md), imported only when first used."""

_API = ("align", "Stream", "Result", "LipsyncError")


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register() -> None:
    from .ui import registration

    registration.register()


def unregister() -> None:
    from .ui import registration

    registration.unregister()
