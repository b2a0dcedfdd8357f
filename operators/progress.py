"""What a running background job shows: its stage and share done in the panel, the status bar and the cursor."""

import bpy


def begin(operator: bpy.types.Operator, context) -> None:
    """Poll the job every 0.1 s from the operator's modal handler."""
    wm = context.window_manager
    operator._timer = wm.event_timer_add(0.1, window=context.window)
    wm.modal_handler_add(operator)
    wm.progress_begin(0, 100)


def show(context, stage: str, share: float) -> None:
    settings = context.scene.lipsync
    settings.progress, settings.stage = 100.0 * share, stage
    context.window_manager.progress_update(round(100 * share))
    context.workspace.status_text_set(f"Lipsync: {stage} (Esc to cancel)")
    for area in context.screen.areas:
        if area.type == "VIEW_3D":
            area.tag_redraw()


def end(operator: bpy.types.Operator, context) -> None:
    wm = context.window_manager
    wm.event_timer_remove(operator._timer)
    wm.progress_end()
    context.workspace.status_text_set(None)
    context.scene.lipsync.progress, context.scene.lipsync.stage = 0.0, ""


def cancelled(operator: bpy.types.Operator, context, what: str) -> set[str]:
    """Report a cancelled job (the scene is as it was) and end the operator."""
    context.scene.lipsync.last_result = f"{what} cancelled; nothing was changed"
    operator.report({"WARNING"}, context.scene.lipsync.last_result)
    return {"CANCELLED"}
