#!/usr/bin/env bash
# Runs one fuzz target for a while at the lowest priority, seeded from fuzz/corpus-run/<target>
# (the working corpus) and the committed corpus. Usage: fuzz/run.sh TARGET SECONDS [libFuzzer flags]
# Needs `cargo +nightly fuzz build --sanitizer none --debug-assertions` first (see the README).
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=$2
shift 2
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$target
mkdir -p "corpus-run/$target" "artifacts/$target" "corpus/$target"
exec nice -n 19 "$bin" "corpus-run/$target" "corpus/$target" -dict=profile.dict -timeout=1 -rss_limit_mb=2048 \
  -max_total_time="$seconds" -artifact_prefix="artifacts/$target/" -print_final_stats=1 "$@"
