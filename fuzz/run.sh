#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) and reports execs and execs/s.
# A crash fails the run; its input is kept under fuzz/artifacts/TARGET/ — copy it into
# fuzz/regressions/TARGET/ and list it in EXPECTED in tests/fuzz_regressions.rs, which replays
# it forever through the same code (fuzz_targets/common.rs).
# Longer runs: FUZZ_SECONDS=3600 bash fuzz/run.sh, or one target:
#   cargo +nightly fuzz run invoke -O -- -max_total_time=3600
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
./seed.sh
cargo +nightly fuzz build -O
status=0
for t in parse allocate invoke; do
  log=$(mktemp)
  if cargo +nightly fuzz run "$t" -O -- -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2, $5}')
    set -- $runs
    echo "fuzz $t: $1 execs in $2 s ($(( $1 / ($2 > 0 ? $2 : 1) )) execs/s), no crash"
  else
    echo "fuzz $t: CRASH"; grep -E "panicked|ERROR|SUMMARY|artifact" "$log" | head -20; status=1
  fi
  rm -f "$log"
done
exit $status
