"""The neural Timer: the timing network's frame posteriors, then Viterbi forced alignment or recognition."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..core.audio import resample
from ..core.cache import file_digest
from ..core.errors import LipsyncError
from ..core.languages import is_english
from ..core.phone_classes import CLASSES, CLOSED, FV, INVENTORY, SILENCE_CLASS, phone_class, representative_label
from ..core.types import SILENCE, Alignment, Audio, Segment, WordPron
from .features import log_mel
from .model import WEIGHTS, Logits, load, log_posteriors
from .recogniser import Stretch
from .viterbi import Unit, force_align, recognise


@dataclass(frozen=True)
class DecodeConfig:
    phone_min_frames: int = 4
    edge_silence_min_frames: int = 1
    word_silence_min_frames: int = 3
    recognise_min_frames: int = 3
    switch_penalty: float = 4.0
    mismatch_logp: float = -2.5
    """Mean log-posterior of the aligned path below which the transcript probably does not match the audio."""
    recogniser_weight: float = 1000.0
    """How much the recogniser's own log score counts, added to the network's alignment score, when choosing
    among a stretch's hypotheses (pocketsphinx's n-best scores differ by hundredths)."""
    unsure_word: float = 0.5
    """Recognised words with a lower confidence than this gain the closures and F/V the network is sure of."""
    sure_lips: float = 0.7
    """The network is sure of a closure or F/V where it gives that group more than this for two frames."""


@functools.cache
def network_identity(weights: Path = WEIGHTS, config: DecodeConfig = DecodeConfig()) -> str:
    """``NetworkTimer.identity`` without loading the network: the class, the weights' digest, the decode settings."""
    return json.dumps(["NetworkTimer", file_digest(weights), asdict(config)])


class NetworkTimer:
    """Times phones with the shipped timing network, in numpy; ``device="cuda"`` runs it on a GPU with torch."""

    def __init__(self, device: str = "cpu", weights: Path = WEIGHTS, config: DecodeConfig | None = None) -> None:
        self.device = device
        self.network, self.features = load(weights)
        self.logits: Logits = self.network.logits if device == "cpu" else _cuda_logits(weights)
        self.config = config or DecodeConfig()
        self.identity = network_identity(weights, self.config)

    def posteriors(self, audio: Audio) -> np.ndarray:
        """``(frames, classes)`` log-posteriors; frame ``i`` is centred at ``i * hop``."""
        samples = resample(audio.samples, audio.sample_rate, self.features.sample_rate)
        return log_posteriors(self.logits, log_mel(samples, self.features), self.network.reach)

    def align(self, audio: Audio, words: Sequence[WordPron] | None, language: str) -> Alignment:
        return self.decode(self.posteriors(audio), audio.duration, words, language)

    def align_recognised(self, audio: Audio, stretches: Sequence[Stretch], language: str) -> Alignment:
        """Time recognised speech: in each stretch the hypothesis whose forced alignment the network likes best
        (the first when there is one), the chosen words aligned over the whole clip as a transcript's would be."""
        logp = self.posteriors(audio)
        hop = self.features.frame_seconds
        words: list[WordPron] = []
        for stretch in stretches:
            choices = [h for h in stretch.hypotheses if h.words]
            if len(choices) > 1:
                a, b = int(stretch.start / hop), min(len(logp), int(np.ceil(stretch.end / hop)) + 1)
                piece, weight = logp[a:b], self.config.recogniser_weight
                choices.sort(key=lambda h: -path_score(piece, self.decode(piece, (b - a) * hop, h.words, language)
                                                       .phonemes, hop) - weight * h.score)
            words += choices[0].words if choices else ()
        result = self.decode(logp, audio.duration, words, language)
        result.warnings = [RECOGNISED_MISMATCH if w == MISMATCH else w for w in result.warnings]
        for word in result.words:
            if word.confidence is not None and word.confidence < self.config.unsure_word:
                self._keep_sure_lips(logp, word, result)
        return result

    def _keep_sure_lips(self, logp: np.ndarray, word: Segment, result: Alignment) -> None:
        """Splice into ``word`` each closure or F/V the network is sure of where no aligned phone has one: a word
        the recogniser doubts may be the wrong word, but the lips must still close."""
        hop, n = self.features.frame_seconds, len(logp)
        first = int(word.start / hop + 0.5)
        posteriors = np.exp(logp[first: min(n, int(word.end / hop + 0.5))])
        for classes in LIP_GROUPS:
            sure = posteriors[:, classes].sum(axis=1) > self.config.sure_lips
            for a, b in _runs(sure):
                start, stop = self._frame_time(first + a, n, result.duration), self._frame_time(first + b, n,
                                                                                                result.duration)
                if b - a < 2 or any(p.label != SILENCE and phone_class(p.label) in classes
                                    and p.start < stop and p.end > start for p in result.phonemes):
                    continue
                cls = classes[int(np.argmax(posteriors[a:b, classes].mean(axis=0)))]
                label = representative_label(cls, is_english(result.language))
                result.phonemes = _splice(result.phonemes, Segment(label, start, stop), result.duration)

    def decode(self, logp: np.ndarray, duration: float, words: Sequence[WordPron] | None, language: str) -> Alignment:
        """Forced alignment of ``words`` (or recognition when None) over the network's log-posteriors."""
        result = Alignment(duration, language, [], [])
        if duration < 0.3:
            result.warnings.append(f"the clip is very short ({duration * 1000:.0f} ms); timing is rough")
        words = [w for w in (words or []) if w.phones] if words is not None else None
        if words:
            self._force(logp, words, result)
        else:
            if words is not None:
                result.warnings.append("the transcript has no phones; timed from the audio alone")
            self._recognise(logp, is_english(language), result)
        return result

    def _frame_time(self, frame: float, n_frames: int, duration: float) -> float:
        """Boundary before (fractional) ``frame`` in seconds; frames are centred on multiples of the hop, the
        first and last take the clip's ends, and the map rises strictly so squeezed phones keep some time."""
        hop = self.features.frame_seconds
        if n_frames < 3:
            return duration * frame / max(n_frames, 1)
        return float(np.interp(frame, [0, 1, n_frames - 1, n_frames], [0, hop / 2, (n_frames - 1.5) * hop, duration]))

    def _force(self, logp: np.ndarray, words: list[WordPron], result: Alignment) -> None:
        c = self.config
        units = [Unit(SILENCE_CLASS, c.edge_silence_min_frames, optional=True)]
        owners: list[tuple[int, str] | None] = [None]  # (word index, phone label) per unit; None for silence
        for i, word in enumerate(words):
            for phone in word.phones:
                units.append(Unit(phone_class(phone), c.phone_min_frames))
                owners.append((i, phone))
            last = i == len(words) - 1
            units.append(Unit(SILENCE_CLASS, c.edge_silence_min_frames if last else c.word_silence_min_frames,
                              optional=True))
            owners.append(None)
        n_frames = len(logp)
        phones = sum(len(w.phones) for w in words)
        needed = sum(u.min_frames for u in units if not u.optional)
        if needed > 0.7 * n_frames:
            scale = 0.7 * n_frames / needed
            units = [Unit(u.cls, max(1, int(u.min_frames * scale)), u.optional) for u in units]
            result.warnings.append(f"the transcript ({phones} phones) is too long for {result.duration:.2f} s "
                                   "of audio; phones were squeezed")
        path = force_align(logp, units)
        spans = [(float(a), float(b)) for a, b in path.unit_frames]
        if not path.complete:
            spans = self._squeeze_tail(path.unit_frames, units, n_frames)
            result.warnings.append("the audio ended before the transcript did; the last phones were squeezed")
        self._check_match(logp, units, spans, result)
        duration = result.duration
        segments: list[Segment] = []
        word_spans: dict[int, list[float]] = {}
        for (first, end), owner in zip(spans, owners, strict=True):
            start, stop = self._frame_time(first, n_frames, duration), self._frame_time(end, n_frames, duration)
            if owner is None:
                if stop > start:
                    segments.append(Segment(SILENCE, start, stop))
                continue
            segments.append(Segment(owner[1], start, stop))
            word_spans.setdefault(owner[0], [start, stop])[1] = stop
        result.phonemes = _close_gaps(segments, duration)
        result.words = [Segment(words[i].word, s, e, words[i].confidence) for i, (s, e) in sorted(word_spans.items())]

    @staticmethod
    def _squeeze_tail(spans: list[tuple[int, int]], units: list[Unit], n_frames: int) -> list[tuple[float, float]]:
        """When the audio ran out, share the end of the clip evenly among the units the path never reached and
        as many reached ones as it takes to give each at least half a frame."""
        out = [(float(a), float(b)) for a, b in spans]
        reached = [k for k, (a, b) in enumerate(spans) if b > a]
        r = reached[-1] if reached else 0
        while r > 0 and n_frames - out[r][0] < 0.5 * sum(not u.optional for u in units[r:]):
            r -= 1
        required = [k for k in range(r, len(units)) if not units[k].optional]
        if not required:
            return out
        start = out[r][0] if r else 0.0
        step = (n_frames - start) / len(required)
        position = start
        for k in range(r, len(units)):
            length = 0.0 if units[k].optional else step
            out[k] = (position, position + length)
            position += length
        return out

    def _check_match(self, logp: np.ndarray, units: list[Unit], spans, result: Alignment) -> None:
        scores = [logp[int(a): int(b), u.cls].mean() for u, (a, b) in zip(units, spans, strict=True)
                  if not u.optional and int(b) > int(a)]
        if scores and float(np.mean(scores)) < self.config.mismatch_logp:
            result.warnings.append(MISMATCH)

    def _recognise(self, logp: np.ndarray, english: bool, result: Alignment) -> None:
        c = self.config
        min_frames = np.full(len(CLASSES), c.recognise_min_frames)
        frames = recognise(logp, min_frames, c.switch_penalty)
        change = np.flatnonzero(np.diff(frames)) + 1
        bounds = np.concatenate([[0], change, [len(frames)]])
        duration = result.duration
        segments = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            cls = int(frames[a])
            label = SILENCE if cls == SILENCE_CLASS else representative_label(cls, english)
            n = len(frames)
            segments.append(Segment(label, self._frame_time(a, n, duration), self._frame_time(b, n, duration)))
        result.phonemes = _close_gaps(segments, duration)
        if all(s.label == SILENCE for s in result.phonemes):
            result.warnings.append("no speech was recognised in the clip")


def cuda_usable() -> bool:
    """Whether torch is importable and sees a CUDA GPU (without importing torch where it is not installed)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return torch.cuda.is_available()


def _cuda_logits(weights: Path) -> Logits:
    try:
        from .torch_model import cuda_logits
    except ImportError:
        raise LipsyncError("The CUDA device needs PyTorch with CUDA, which this Python cannot import: install a CUDA "
                           "build of torch into a folder and set Preferences > Extra Packages to it (in Blender), "
                           "pip install torch into the CLI's venv, or use the CPU device.") from None
    return cuda_logits(weights)


MISMATCH = "the transcript does not seem to match the audio (or the audio is noisy); check the timing"
RECOGNISED_MISMATCH = "the recognised words fit the audio poorly (noisy audio, or another language?); check the timing"

def path_score(logp: np.ndarray, phonemes: Sequence[Segment], hop: float) -> float:
    """Summed log-posterior of the classes of ``phonemes`` over the frames they cover."""
    total = 0.0
    for p in phonemes:
        first, end = int(p.start / hop + 0.5), int(p.end / hop + 0.5)
        total += float(logp[first:end, SILENCE_CLASS if p.label == SILENCE else phone_class(p.label)].sum())
    return total


LIP_GROUPS = tuple([k for k, c in enumerate(INVENTORY) if c.mouth == mouth] for mouth in (CLOSED, FV))
"""The network's classes of each lip-critical shape."""


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(first, end)`` of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _splice(segments: list[Segment], inner: Segment, duration: float) -> list[Segment]:
    """``segments`` with the time of ``inner`` given to it (a phone it falls inside is cut in two)."""
    before = [Segment(s.label, s.start, min(s.end, inner.start)) for s in segments if s.start < inner.start]
    after = [Segment(s.label, max(s.start, inner.end), s.end) for s in segments if s.end > inner.end]
    return _close_gaps([*before, inner, *after], duration)


def _close_gaps(segments: list[Segment], duration: float) -> list[Segment]:
    """Drop empty segments, merge touching silences and make the track cover ``[0, duration]`` exactly."""
    out: list[Segment] = []
    for seg in segments:
        start = out[-1].end if out else 0.0
        end = max(start, min(seg.end, duration))
        if end <= start and seg.label == SILENCE:
            continue
        if out and seg.label == SILENCE and out[-1].label == SILENCE:
            out[-1] = Segment(SILENCE, out[-1].start, end)
            continue
        out.append(Segment(seg.label, start, end))
    if not out:
        return [Segment(SILENCE, 0.0, duration)]
    if out[-1].end < duration:
        if out[-1].label == SILENCE:
            out[-1] = Segment(SILENCE, out[-1].start, duration)
        else:
            out.append(Segment(SILENCE, out[-1].end, duration))
    return out
