"""A clip's timing stored with its Action, so that Rebake can re-plan the keys without the network."""

from __future__ import annotations

import json

import bpy

from ..core.result import result_json
from ..core.types import Alignment

TIMING = "lipsync_ai_timing"
"""Action custom property: the clip's timing as RESULT.json (words, phonemes; visemes are derived and ignored)."""
REQUEST = "lipsync_ai_request"
"""Action custom property: what Generate was asked (audio, preset, start frame, timing settings...), as JSON."""


def store_timing(action: bpy.types.Action, alignment: Alignment, request: dict) -> None:
    action[TIMING] = json.dumps(result_json(alignment), indent=1)
    action[REQUEST] = json.dumps(request)
