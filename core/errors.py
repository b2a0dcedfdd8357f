"""The one exception type users see: a message that says what is wrong and what to do."""


class LipsyncError(Exception):
    """Bad input or an unusable rig; the message is shown to the user as is."""
