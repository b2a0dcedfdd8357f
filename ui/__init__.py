"""The add-on's Blender UI state beside ``operators/`` and ``panels/``: Scene properties, add-on preferences, and
the registration of every class."""
