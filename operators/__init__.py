from . import generate

classes = (*generate.classes,)
