"""``lipsync.generate``: key lip sync on the active character.

Called from the panel (invoke) it runs as a background job (``JobOperator``): the line is timed on a worker
thread while a timer shows its stage in the panel and status bar; Esc cancels (nothing is changed) and the keys are
written on the main thread in one undo step. Called from a script or under ``blender -b`` (execute) it blocks.
"""

import bpy

from ..blender.generate import Prepared, Request, Result, apply, generate, prepare
from ..blender.sources import line_source, transcript_for
from ..core.errors import LipsyncError
from ..core.settings import TIMING
from ..inference.background import BackgroundLine
from ..ui import preferences
from ..ui.properties import GenerateProps
from . import polls
from .jobs import JobOperator, running


class LIPSYNC_OT_generate(JobOperator, GenerateProps, bpy.types.Operator):
    """Time the dialogue and key the character's mouth shapes and jaw"""

    bl_idname = "lipsync.generate"
    bl_label = "Generate Lipsync"
    bl_options = {"REGISTER", "UNDO"}
    job_title = "Lip sync"

    @classmethod
    def poll(cls, context):
        busy = running(cls.bl_idname)
        return polls.explain(cls, "Lip sync is being generated: wait, or press Esc to cancel" if busy else None,
                             context)

    def _request(self, context) -> Request:
        """The line as the user gave it: sound strip or file, transcript from wherever it was found."""
        source = line_source(context.scene, self.audio_path, self.sound_strip, self.start_frame)
        language = preferences.language(context, self.language)
        transcript, _ = transcript_for(source.audio, self.transcript, self.text_block, self.audio_only)
        timing = {name: getattr(self, name) for name in TIMING if self.properties.is_property_set(name)}
        return Request(audio_path=source.audio, transcript=transcript, language=language,
                       preset=preferences.preset(context, self.preset), start_frame=source.start_frame, nla=self.nla,
                       intensity=self.intensity, emotion=self.emotion, emotion_intensity=self.emotion_intensity,
                       timing=timing, markers=self.markers,
                       add_sound_strip=self.add_sound_strip and not source.from_strip,
                       device=preferences.device(context), asr_model=preferences.asr_model(context))

    def _done(self, context, result: Result):
        """Show the result in the panel (display state only) and the status bar."""
        settings = context.scene.lipsync
        settings.last_result, settings.detection = result.summary, result.detection
        self.report({"INFO"}, result.summary)
        return {"FINISHED"}

    def execute(self, context):
        try:
            result = generate(context.active_object, context.scene, self._request(context))
        except LipsyncError as exc:
            return self.fail(context, str(exc))
        return self._done(context, result)

    def invoke(self, context, event):
        if bpy.app.background:
            return self.execute(context)
        try:
            self._prepared: Prepared = prepare(context.active_object, context.scene, self._request(context))
        except LipsyncError as exc:
            return self.fail(context, str(exc))
        return self.start(context, BackgroundLine(self._prepared.job))

    def finish(self, context, job: BackgroundLine):
        return self._done(context, apply(self._prepared, job.result, context.scene))


classes = (LIPSYNC_OT_generate,)
