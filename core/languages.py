"""Languages offered by name in the UI (any other espeak-ng code may still be typed)."""

LANGUAGES = (
    ("en-us", "English (US)"), ("en-gb", "English (UK)"), ("es", "Spanish"), ("es-419", "Spanish (Latin America)"),
    ("fr-fr", "French"), ("de", "German"), ("it", "Italian"), ("pt", "Portuguese"), ("pt-br", "Portuguese (Brazil)"),
    ("ja", "Japanese"), ("nl", "Dutch"), ("pl", "Polish"), ("ru", "Russian"), ("sv", "Swedish"), ("tr", "Turkish"),
    ("cmn", "Chinese (Mandarin)"), ("ko", "Korean"), ("hi", "Hindi"), ("ar", "Arabic"), ("id", "Indonesian"),
)
"""(espeak-ng code, name), English (US) first."""


def is_english(language: str) -> bool:
    """Whether an espeak-ng code is English (``en``, ``en-us``, ``en-gb``...)."""
    return language.lower().split("-")[0] == "en"
