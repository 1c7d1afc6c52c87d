#!/usr/bin/env bash
# Seeds the fuzz corpora from the project's own models (corpus/ is not committed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/parse corpus/allocate corpus/invoke
for m in ../tests/conformance/*/model.tflite; do
  name=$(basename "$(dirname "$m")")
  cp "$m" "corpus/parse/$name"
  # allocate: 2 bytes of arena size (in 16-byte units) + 1 byte, then the model
  { printf '\xff\x3f\x00'; cat "$m"; } > "corpus/allocate/$name"
done
for i in $(seq 0 55); do printf "$(printf '\\x%02x' "$i")\x00" > "corpus/invoke/seed-$i"; done
