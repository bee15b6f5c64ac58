#!/usr/bin/env bash
# Fuzz the ZMTP codec with atheris for N seconds (default 60), starting from the seed
# corpus in tests/fuzz/corpus/. New inputs go to a scratch directory, so the committed
# corpus is never modified; a crash leaves its input as crash-* in the scratch directory
# (printed below) and makes the script fail.
set -euo pipefail
seconds="${1:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/aiomq-fuzz.XXXXXX")"
echo "fuzzing for ${seconds}s; scratch corpus and artifacts in ${work}"
python "${here}/fuzz_codec.py" \
    -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -artifact_prefix="${work}/" "${work}" "${here}/corpus"
