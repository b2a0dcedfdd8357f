from . import batch, generate, presets

classes = (*generate.classes, *presets.classes, *batch.classes)
