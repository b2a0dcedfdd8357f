"""``lipsync.batch``: key every line of a manifest (CSV) as its own Action.

Under ``blender -b`` it blocks; in the UI it runs as a background job (``JobOperator``): lines are timed in
worker processes while a timer collects them, Esc cancels (nothing is written), and all Actions are written at
the end in one undo step.
"""

from pathlib import Path

import bpy

from ..blender.batch import BatchRun, Options
from ..core.errors import LipsyncError
from ..inference.pool import default_jobs
from ..ui import preferences
from .jobs import JobOperator, running


def _summary(outcomes, problems) -> str:
    failed = [o for o in outcomes if o.status == "failed"]
    written = sum(o.status in ("keyed", "cached") for o in outcomes)
    unchanged = sum(o.status == "unchanged" for o in outcomes)
    text = f"Batch: {written} Actions written, {unchanged} unchanged, {len(failed) + len(problems)} failed"
    reasons = [*problems, *(f"line {o.line.row} ({o.line.audio.name}): {o.detail}" for o in failed)]
    return "; ".join([text, *reasons[:5]]) + ("; ..." if len(reasons) > 5 else "")


class LIPSYNC_OT_batch(JobOperator, bpy.types.Operator):
    """Key every line of a batch manifest (CSV: audio, object, transcript, ...) as its own Action"""

    bl_idname = "lipsync.batch"
    bl_label = "Batch Lipsync"
    bl_options = {"REGISTER", "UNDO"}
    job_title = "Batch"

    filepath: bpy.props.StringProperty(name="Manifest", subtype="FILE_PATH",
                                       description="CSV manifest, one dialogue line per row (docs/batch.md)")
    filter_glob: bpy.props.StringProperty(default="*.csv", options={"HIDDEN"})
    jobs: bpy.props.IntProperty(name="Jobs", default=0, min=0, max=64,
                                description="Worker processes timing lines in parallel (0: one per core)")
    nla: bpy.props.BoolProperty(name="As NLA Strips", default=False,
                                description="Place each line as an NLA strip, lines without a start frame in sequence")

    @classmethod
    def poll(cls, context):
        if running(cls.bl_idname):
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
                              language=preferences.language(context, settings.language),
                              asr_model=preferences.asr_model(context))
            run = BatchRun(path, options)
            if not run.total:
                raise LipsyncError("; ".join(run.problems) or "The manifest has no lines.")
            run.start()
        except LipsyncError as exc:
            return self.fail(context, str(exc))
        if bpy.app.background:
            while run.running:
                run.step(0.5)
            return self.finish(context, run)
        return self.start(context, run)

    def finish(self, context, job: BatchRun):
        outcomes = job.finish()
        settings = context.scene.lipsync
        settings.last_result = _summary(outcomes, job.problems)
        failed = job.problems or any(o.status == "failed" for o in outcomes)
        self.report({"WARNING" if failed else "INFO"}, settings.last_result)
        return {"FINISHED"}


classes = (LIPSYNC_OT_batch,)
