"""Why an operator is disabled, said once for all of them."""


def explain(cls, blocker: str | None, context) -> bool:
    """False with ``blocker`` as the message, or with a hint when nothing is selected; else True."""
    if blocker is None and context.active_object is None:
        blocker = "Select the character (its head mesh or armature)"
    if blocker is not None:
        cls.poll_message_set(blocker)
        return False
    return True


class NeedsSelection:
    """Operators that work on the selected character: disabled, with the hint, when nothing is selected."""

    @classmethod
    def poll(cls, context):
        return explain(cls, None, context)


def failed(operator, context, field: str, exc: Exception) -> set[str]:
    """Show ``exc`` as one line in the panel (the scene's setting ``field``) and the status bar, and cancel."""
    setattr(context.scene.lipsync, field, f"Error: {exc}")
    operator.report({"ERROR"}, str(exc))
    return {"CANCELLED"}
