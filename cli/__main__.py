"""``python -m lipsync_ai.cli``: the ``lipsync`` command."""

import sys

from . import main

sys.exit(main())
