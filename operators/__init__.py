from . import generate, presets

classes = (*generate.classes, *presets.classes)
