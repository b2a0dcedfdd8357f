"""``lipsync.import_timing`` and ``lipsync.export_timing``: a clip's timing to and from Papagayo-NG, Moho and
Rhubarb files (file browser; the format from the file name)."""

import bpy
from bpy_extras.io_utils import ExportHelper, ImportHelper

from ..blender.rebake import clip_of
from ..blender.timing_files import EXPORTS, export_timing, import_timing
from ..core.errors import LipsyncError
from ..core.timing_files import IMPORTS
from . import polls


class _OnClip:
    """Operators on the clip the selected character plays: disabled, saying why, until it has one."""

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        blocker = None
        if obj is not None and not clip_of(obj):
            blocker = f"'{obj.name}' plays no generated clip: Generate first"
        return polls.explain(cls, blocker, context)

    def run(self, context, action) -> set[str]:
        settings = context.scene.lipsync
        try:
            settings.last_result = action(context.active_object, context.scene, self.filepath)
        except LipsyncError as exc:
            return polls.failed(self, context, "last_result", exc)
        self.report({"INFO"}, settings.last_result)
        return {"FINISHED"}


class LIPSYNC_OT_import_timing(_OnClip, bpy.types.Operator, ImportHelper):
    """Replace the clip's word and phoneme timing with a Papagayo-NG .pgo, Moho .dat, Rhubarb JSON or RESULT.json
    file, and rebake its keys (one undo step)"""

    bl_idname = "lipsync.import_timing"
    bl_label = "Import Timing"
    bl_options = {"REGISTER", "UNDO"}

    filter_glob: bpy.props.StringProperty(default=";".join(f"*{e}" for e in IMPORTS), options={"HIDDEN"})

    def execute(self, context):
        return self.run(context, import_timing)


class LIPSYNC_OT_export_timing(_OnClip, bpy.types.Operator, ExportHelper):
    """Write the clip's stored (edited) timing for an outside editor: .pgo (Papagayo-NG), .dat (Moho),
    .rhubarb.json, .tsv, .xml (Rhubarb) or .json (RESULT.json), at the scene's frame rate"""

    bl_idname = "lipsync.export_timing"
    bl_label = "Export Timing"

    filename_ext = ".pgo"
    check_extension = None
    """The name's ending chooses the format: it is left as typed."""
    filter_glob: bpy.props.StringProperty(default=";".join(f"*{f.extension}" for f in EXPORTS), options={"HIDDEN"})

    def execute(self, context):
        return self.run(context, export_timing)


classes = (LIPSYNC_OT_import_timing, LIPSYNC_OT_export_timing)
