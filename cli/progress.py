"""The progress and closing summary of ``lipsync batch`` / ``batch-align``: a bar (tqdm) when stderr is a
terminal, or JSON lines for pipeline tools (``--progress json``), then a table of every line."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.manifest import Outcome


class Progress:
    def __init__(self, mode: str, total: int) -> None:
        self.mode, self.total, self.done = mode, total, 0
        self.bar = None
        if mode == "bar" and sys.stderr.isatty():  # a log file gets the closing table only
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="line", file=sys.stderr, dynamic_ncols=True)
        self._emit({"event": "start", "lines": total})

    def _emit(self, event: dict) -> None:
        if self.mode == "json":
            print(json.dumps(event, ensure_ascii=False), flush=True)

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
        self._emit({"event": "line", "row": outcome.line.row, "audio": str(outcome.line.audio),
                    "status": outcome.status, "detail": outcome.detail, "seconds": round(outcome.seconds, 3),
                    "done": self.done, "total": self.total})

    def close(self, outcomes: list[Outcome], problems: list[str], wall: float) -> None:
        if self.bar is not None:
            self.bar.close()
        counts = Counter(o.status for o in outcomes)
        audio = sum(o.duration for o in outcomes)
        summary = {"event": "summary", "lines": len(outcomes) + len(problems), "bad_rows": len(problems),
                   **{s: counts[s] for s in ("keyed", "cached", "unchanged", "failed")},
                   "audio_seconds": round(audio, 2), "wall_seconds": round(wall, 2)}
        if self.mode == "json":
            self._emit(summary)
            return
        for o in outcomes:
            print(f"{o.line.row:5}  {o.status:9}  {o.line.audio.name:24}  {o.detail}")
        bad = f" ({len(problems)} bad row{'s' * (len(problems) != 1)} listed above)" if problems else ""
        print(f"{summary['lines']} lines: {counts['keyed']} timed, {counts['cached']} from the cache, "
              f"{counts['unchanged']} unchanged, {counts['failed'] + len(problems)} failed{bad}; "
              f"{audio:.1f} s of audio in {wall:.1f} s")
