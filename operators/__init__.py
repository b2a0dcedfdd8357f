from . import batch, cancel, channels, generate, live, presets, rebake, timing_files

classes = (*generate.classes, *presets.classes, *batch.classes, *cancel.classes,
           *live.classes, *channels.classes, *rebake.classes, *timing_files.classes)
