"""TTS engines that report exact phone timings: flite (``-psdur``) and the espeak-ng C library (phoneme events)."""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np
import soundfile
from scipy.signal import resample_poly

from ..core.phone_classes import SILENCE_CLASS, arpabet_class, ipa_class

RATE = 16000


@dataclass
class Utterance:
    """Synthetic speech at 16 kHz with its phones: ``labels[i]`` spans ``[starts[i], ends[i])`` seconds."""

    samples: np.ndarray
    labels: list[str]
    classes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    text: str
    language: str
    voice: str


def flite(text: str, voice: str, stretch: float = 1.0) -> Utterance | None:
    """Synthesise with a flite voice; phone end times come from ``-psdur``."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        out = subprocess.run(
            ["flite", "-voice", voice, "-psdur", "--setf", f"duration_stretch={stretch:.3f}", "-t", text,
             "-o", wav.name], capture_output=True, text=True, timeout=60,
        )
        if out.returncode:
            return None
        samples, rate = soundfile.read(wav.name, dtype="float32")
    if rate != RATE:
        samples = resample_poly(samples, RATE, rate).astype(np.float32)
    labels, ends = [], []
    for item in out.stdout.split():
        name, _, end = item.rpartition(":")
        if name:
            labels.append("SIL" if name == "pau" else name.upper())
            ends.append(float(end))
    if not labels:
        return None
    ends_arr = np.array(ends)
    starts = np.concatenate([[0.0], ends_arr[:-1]])
    classes = np.array([SILENCE_CLASS if lab == "SIL" else arpabet_class(lab) for lab in labels])
    return Utterance(samples, labels, classes, starts, ends_arr, text, "en-us", f"flite-{voice}")


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
        ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p), ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_PHONEME_EVENT, _SYNCHRONOUS, _PHONEME_EVENTS_IPA = 7, 2, 0x3
_RATE, _PITCH, _RANGE = 1, 3, 4


class Espeak:
    """The espeak-ng library in this process, synthesising synchronously with IPA phoneme events."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        self.rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 200, None, _PHONEME_EVENTS_IPA)
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, str]] = []
        self._callback = _CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != 0:
            if events[i].type == _PHONEME_EVENT:
                self._events.append((events[i].sample, events[i].id.decode("utf-8", "replace")))
            i += 1
        return 0

    def synth(self, text: str, language: str, variant: str, wpm: int, pitch: int, pitch_range: int) -> Utterance | None:
        """Speak ``text``; None when espeak switched language inside it or gave no phones."""
        if self.lib.espeak_SetVoiceByName(f"{language}+{variant}".encode()) != 0:
            return None
        for param, value in ((_RATE, wpm), (_PITCH, pitch), (_RANGE, pitch_range)):
            self.lib.espeak_SetParameter(param, value, 0)
        self._chunks, self._events = [], []
        data = text.encode()
        self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, 1, None, None)
        self.lib.espeak_Synchronize()
        if not self._chunks or any(label.startswith("(") for _, label in self._events):
            return None
        samples = np.concatenate(self._chunks).astype(np.float32) / 32768.0
        starts, labels = [0.0], ["SIL"]
        for sample, label in self._events:
            label = label.strip() or "SIL"
            starts.append(sample / self.rate)
            labels.append(label)
        duration = len(samples) / self.rate
        starts_arr = np.minimum(np.array(starts), duration)
        ends_arr = np.concatenate([starts_arr[1:], [duration]])
        keep = ends_arr > starts_arr
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        classes = np.array([SILENCE_CLASS if lab == "SIL" else ipa_class(lab) for lab in labels])
        if not (classes != SILENCE_CLASS).any():
            return None
        samples = resample_poly(samples, RATE, self.rate).astype(np.float32)
        return Utterance(samples, labels, classes, starts_arr[keep], ends_arr[keep], text, language,
                         f"espeak-{language}+{variant}")


@functools.cache
def espeak() -> Espeak:
    os.environ.setdefault("ESPEAK_DATA_PATH", "/usr/lib/x86_64-linux-gnu/espeak-ng-data")
    return Espeak()
