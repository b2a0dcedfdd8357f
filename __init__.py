"""Lipsync AI: dialogue audio to lip-sync keyframes on shape keys and jaw bones."""


def register() -> None:
    from . import registration

    registration.register()


def unregister() -> None:
    from . import registration

    registration.unregister()
