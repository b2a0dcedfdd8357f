#!/usr/bin/env bash
# How demo/dialogue.wav was made (committed, so the demo needs no TTS): flite's slt voice, padded, 22.05 kHz.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp --suffix=.wav)
flite -voice slt -t "$(cat demo/dialogue.txt)" -o "$tmp"
sox "$tmp" -r 22050 -c 1 demo/dialogue.wav pad 0.3 0.4
rm -f "$tmp"
