"""``lipsync.batch``: key every line of a manifest (CSV) as its own Action.

Under ``blender -b`` it blocks; in the UI it runs modal: lines are timed in worker processes while a timer
collects them, with progress in the panel and status bar, Esc to cancel (nothing is written), and all Actions
written at the end in one undo step.
"""

from pathlib import Path

import bpy

from ..blender.batch import BatchRun, Options
from ..core.errors import LipsyncError
from ..inference.pool import default_jobs
from ..ui import preferences
from . import progress


def _summary(outcomes, problems) -> str:
    failed = [o for o in outcomes if o.status == "failed"]
    written = sum(o.status in ("keyed", "cached") for o in outcomes)
    unchanged = sum(o.status == "unchanged" for o in outcomes)
    text = f"Batch: {written} Actions written, {unchanged} unchanged, {len(failed) + len(problems)} failed"
    reasons = [*problems, *(f"line {o.line.row} ({o.line.audio.name}): {o.detail}" for o in failed)]
    return "; ".join([text, *reasons[:5]]) + ("; ..." if len(reasons) > 5 else "")


class LIPSYNC_OT_batch(bpy.types.Operator):
    """Key every line of a batch manifest (CSV: audio, object, transcript, ...) as its own Action"""

    bl_idname = "lipsync.batch"
    bl_label = "Batch Lipsync"
    bl_options = {"REGISTER", "UNDO"}

    filepath: bpy.props.StringProperty(name="Manifest", subtype="FILE_PATH",
                                       description="CSV manifest, one dialogue line per row (docs/batch.md)")
    filter_glob: bpy.props.StringProperty(default="*.csv", options={"HIDDEN"})
    jobs: bpy.props.IntProperty(name="Jobs", default=0, min=0, max=64,
                                description="Worker processes timing lines in parallel (0: one per core)")
    nla: bpy.props.BoolProperty(name="As NLA Strips", default=False,
                                description="Place each line as an NLA strip, lines without a start frame in sequence")

    _run: BatchRun | None = None
    """The batch in progress (one at a time)."""
    cancel_requested = False
    """Set by ``lipsync.cancel``; the running batch stops at its next timer tick."""

    @classmethod
    def poll(cls, context):
        if LIPSYNC_OT_batch._run is not None:
            cls.poll_message_set("A batch is running: wait for it, or press Esc to cancel it")
            return False
        return True

    def invoke(self, context, event):
        if not self.filepath:
            context.window_manager.fileselect_add(self)
            return {"RUNNING_MODAL"}
        return self.execute(context)

    def execute(self, context):
        settings = context.scene.lipsync
        path = Path(bpy.path.abspath(self.filepath))
        try:
            options = Options(jobs=self.jobs or default_jobs(), nla=self.nla, device=preferences.device(context),
                              language=preferences.language(context, settings.language))
            run = BatchRun(path, options)
            if not run.total:
                raise LipsyncError("; ".join(run.problems) or "The manifest has no lines.")
            run.start()
        except LipsyncError as exc:
            settings.last_result = f"Error: {exc}"
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if bpy.app.background:
            while run.running:
                run.step(0.5)
            return self._finish(context, run)
        LIPSYNC_OT_batch._run = run
        progress.begin(self, context)
        self._show(context, run)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        run = LIPSYNC_OT_batch._run
        if event.type == "ESC" or LIPSYNC_OT_batch.cancel_requested:
            run.cancel()
            self._end(context)
            return progress.cancelled(self, context, "Batch")
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        run.step(0)
        self._show(context, run)
        if run.running:
            return {"RUNNING_MODAL"}
        self._end(context)
        return self._finish(context, run)

    @staticmethod
    def _show(context, run: BatchRun) -> None:
        done = len(run.outcomes)
        progress.show(context, f"Batch: {done}/{run.total} lines", done / run.total)

    def _end(self, context) -> None:
        LIPSYNC_OT_batch._run, LIPSYNC_OT_batch.cancel_requested = None, False
        progress.end(self, context)

    def _finish(self, context, run: BatchRun):
        outcomes = run.finish()
        settings = context.scene.lipsync
        settings.last_result = _summary(outcomes, run.problems)
        failed = run.problems or any(o.status == "failed" for o in outcomes)
        self.report({"WARNING" if failed else "INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_batch,)
