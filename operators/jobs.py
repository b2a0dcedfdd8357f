"""One modal loop for every background job (``inference.background.Job``): a timer polls the job and shows its
stage and share done in the panel, the status bar and the cursor; Esc or ``lipsync.cancel`` cancels it (nothing
is changed); once it is done the operator's ``finish`` writes its result on the main thread in one undo step."""

from __future__ import annotations

import logging

from ..core.errors import LipsyncError
from ..inference.background import Job, internal_error

log = logging.getLogger(__name__)

_running: dict[str, Job] = {}
"""The job of each job operator (by ``bl_idname``) while it runs; one at a time per operator."""


def running(idname: str | None = None) -> list[Job]:
    """The jobs running now: all of them, or the one of operator ``idname``."""
    return [job for name, job in _running.items() if idname in (None, name)]


class JobOperator:
    """Mixin for an operator that runs a ``Job``: call ``start`` from ``invoke``/``execute``, define ``finish``."""

    job_title = "Job"
    """What the status bar and the cancel message call the job."""

    def start(self, context, job: Job) -> set[str]:
        """Hand ``job`` to the modal loop, polling it every 0.1 s."""
        _running[self.bl_idname] = job
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        wm.progress_begin(0, 100)
        self._show(context, job)
        return {"RUNNING_MODAL"}

    def finish(self, context, job: Job) -> set[str]:
        """Write what the finished ``job`` made (main thread) and report it; may raise ``LipsyncError``."""
        raise NotImplementedError

    def fail(self, context, message: str) -> set[str]:
        context.scene.lipsync.last_result = f"Error: {message}"
        self.report({"ERROR"}, message)
        return {"CANCELLED"}

    def modal(self, context, event):
        job = _running[self.bl_idname]
        if event.type == "ESC" or job.cancelled:
            job.cancel()
            self._end(context)
            context.scene.lipsync.last_result = f"{self.job_title} cancelled; nothing was changed"
            self.report({"WARNING"}, context.scene.lipsync.last_result)
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        job.poll()
        if not job.done:
            self._show(context, job)
            return {"RUNNING_MODAL"}
        self._end(context)
        if job.error:
            return self.fail(context, job.error)
        try:
            return self.finish(context, job)
        except LipsyncError as exc:
            return self.fail(context, str(exc))
        except Exception as exc:  # a bug while writing: one line for the user, the traceback in the log
            log.exception("%s failed unexpectedly while writing its result", self.job_title)
            return self.fail(context, internal_error(exc))

    def _show(self, context, job: Job) -> None:
        settings = context.scene.lipsync
        share = max(job.progress, 0.05)
        settings.progress, settings.stage = 100.0 * share, job.stage
        context.window_manager.progress_update(round(100 * share))
        context.workspace.status_text_set(f"Lipsync: {job.stage} (Esc to cancel)")
        for area in context.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()

    def _end(self, context) -> None:
        del _running[self.bl_idname]
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        context.workspace.status_text_set(None)
        context.scene.lipsync.progress, context.scene.lipsync.stage = 0.0, ""
