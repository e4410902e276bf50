#!/usr/bin/env bash
# Minimises a target's working corpus (fuzz/corpus-run/<target>, plus what is committed) into
# the committed one (fuzz/corpus/<target>): the fewest inputs that reach every edge the whole
# corpus reaches (edges only, not hit counts, so it stays a few hundred files).
# Usage: fuzz/cmin.sh TARGET. Needs the build `fuzz/run.sh` needs.
set -euo pipefail
cd "$(dirname "$0")"
target=$1
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$target
mkdir -p "corpus-run/$target" "corpus/$target"
fresh=$(mktemp -d)
nice -n 19 "$bin" -merge=1 -use_counters=0 -use_value_profile=0 -timeout=1 -rss_limit_mb=2048 \
  "$fresh" "corpus/$target" "corpus-run/$target"
rm -rf "corpus/$target"
mv "$fresh" "corpus/$target"
chmod 755 "corpus/$target"
echo "corpus/$target: $(ls "corpus/$target" | wc -l) files, $(du -sh "corpus/$target" | cut -f1)"
