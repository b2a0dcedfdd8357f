"""Why an operator is disabled, said once for all of them."""


def explain(cls, blocker: str | None, context) -> bool:
    """False with ``blocker`` as the message, or with a hint when nothing is selected; else True."""
    if blocker is None and context.active_object is None:
        blocker = "Select the character (its head mesh or armature)"
    if blocker is not None:
        cls.poll_message_set(blocker)
        return False
    return True
