"""Auto-detection: score every preset against a character and pick the one that fits best."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LipsyncError
from .presets import Preset, RigBinding, RigInfo, bind


@dataclass(frozen=True)
class Score:
    preset: Preset
    coverage: float
    """Share of the targets the preset's visemes use (pose Actions included) that the rig has, in [0, 1]."""
    matched: tuple[str, ...]
    """``target → rig name`` for what was found."""
    missing: tuple[str, ...]
    optional: tuple[str, ...] = ()
    """Optional parts the rig lacks, not held against it (a mesh preset's jaw bone)."""

    def line(self) -> str:
        return f"{self.preset.id}: {self.coverage:.0%} ({len(self.matched)} found, {len(self.missing)} missing)"


@dataclass(frozen=True)
class Detection:
    best: RigBinding | None
    scores: tuple[Score, ...]
    """Every preset, best first."""

    def explain(self) -> str:
        """Which preset was picked, what matched and what is missing; the runners-up in brief."""
        if self.best is None:
            return "No preset matches this character: " + "; ".join(s.line() for s in self.scores[:3])
        top = self.scores[0]
        text = f"Detected preset {top.preset.id} ({top.coverage:.0%}): matched {', '.join(top.matched) or 'nothing'}"
        if top.missing:
            text += f"; missing {', '.join(top.missing)}"
        if top.optional:
            text += f"; optional, not on this rig (not held against it): {', '.join(top.optional)}"
        text += self._why(top)
        others = [s.line() for s in self.scores[1:3] if s.coverage > 0]
        return text + (f". Next: {'; '.join(others)}" if others else "")

    def _why(self, top: Score) -> str:
        """Why the winner beat a runner-up of the same coverage: its priority, or that it drives more."""
        rival = next((s for s in self.scores[1:] if round(s.coverage, 2) == round(top.coverage, 2)), None)
        if rival is None:
            return ""
        if top.preset.priority > rival.preset.priority:
            reason = (f"a dedicated set (priority {top.preset.priority}) beats a general one "
                      f"(priority {rival.preset.priority})")
        elif len(top.matched) > len(rival.matched):
            reason = f"it drives more ({len(top.matched)} targets against {len(rival.matched)})"
        else:
            reason = "same priority and size, first by id"
        return f". Chosen over {rival.preset.id} (also {rival.coverage:.0%}): {reason}"

    def binding(self) -> RigBinding:
        """The best preset bound to the rig; raises when nothing fits."""
        if self.best is None:
            raise LipsyncError(
                "No preset matches this character's shape keys or bones (auto-detect found nothing). Name the "
                "mouth shape keys like one of the built-in presets (docs/presets.md), or write your own preset."
            )
        return self.best


def score(preset: Preset, rig: RigInfo) -> Score:
    shapes = sorted(preset.used_shapes())
    bones = sorted(preset.used_bones())
    matched, missing = [], []
    for target in shapes:
        found = preset.shape_keys[target].find(rig.shape_keys)
        (matched if found else missing).append(f"{target}→{found}" if found else target)
    for target in bones:
        found = preset.bones[target].find(rig.bones)
        (matched if found else missing).append(f"{target}→{found}" if found else f"bone {target}")
    optional = []
    if preset.jaw and preset.jaw.has_bone:
        found = preset.jaw.names.find(rig.bones)
        # A mesh preset works without its jaw bone (the shapes open the mouth): that is not held against it.
        (matched if found else optional if shapes else missing).append(f"jaw→{found}" if found else "jaw bone")
    for action in sorted(preset.pose_actions()):
        (matched if action in rig.actions else missing).append(f"Action {action}")
    if preset.sprite:
        found = preset.sprite in rig.properties
        (matched if found else missing).append(f"sprite→{preset.sprite}" if found else f"property {preset.sprite}")
    total = len(matched) + len(missing)
    return Score(preset, len(matched) / total if total else 0.0, tuple(matched), tuple(missing), tuple(optional))


def detect(presets: list[Preset], rig: RigInfo) -> Detection:
    """Rank ``presets`` by coverage (then priority, then how much they drive) and bind the best."""
    scores = sorted((score(p, rig) for p in presets),
                    key=lambda s: (-round(s.coverage, 2), -s.preset.priority, -len(s.matched), s.preset.id))
    best = scores[0] if scores and scores[0].coverage > 0 else None
    return Detection(bind(best.preset, rig) if best else None, tuple(scores))
