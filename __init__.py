"""Lipsync AI: dialogue audio to lip-sync keyframes on shape keys and jaw bones."""


def register() -> None:
    from .ui import registration

    registration.register()


def unregister() -> None:
    from .ui import registration

    registration.unregister()
