from . import batch, cancel, generate, live, presets

classes = (*generate.classes, *presets.classes, *batch.classes, *cancel.classes,
           *live.classes)
