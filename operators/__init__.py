from . import batch, cancel, generate, presets

classes = (*generate.classes, *presets.classes, *batch.classes, *cancel.classes)
