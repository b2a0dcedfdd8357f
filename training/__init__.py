"""Training pipeline of the timing network (not shipped in the extension)."""
