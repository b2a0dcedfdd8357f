"""Pure lip-sync logic: no bpy, no torch (enforced by tests/test_layers.py)."""
