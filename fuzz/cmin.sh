#!/usr/bin/env bash
# Minimises a target's working corpus (fuzz/corpus-run/<target>, plus what is committed) into
# the committed one (fuzz/corpus/<target>): libFuzzer's merge records which coverage features
# (edges, not hit counts) each input reaches, then a greedy set cover keeps the MAX inputs
# (default 300) that reach the most of them, so the committed corpus stays small.
# Usage: fuzz/cmin.sh TARGET [MAX]. Needs the build `fuzz/run.sh` needs.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 max=${2:-300}
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$target
mkdir -p "corpus-run/$target" "corpus/$target"
work=$(mktemp -d)
mkdir "$work/merged"
# A snapshot: a fuzzer still running on corpus-run/ deletes inputs it has reduced.
cp -r "corpus-run/$target" "$work/run"
nice -n 19 "$bin" -merge=1 -merge_control_file="$work/control" -use_counters=0 -use_value_profile=0 -timeout=1 \
  -rss_limit_mb=2048 "$work/merged" "corpus/$target" "$work/run" > "$work/log" 2>&1 \
  || { tail -20 "$work/log"; exit 1; }
python3 - "$work/control" "$work/kept" "$max" <<'PY'
import os, shutil, sys
control, kept, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(control).read().splitlines()
count = int(lines[0])
files = lines[2:2 + count]
features = {}
for line in lines[2 + count:]:
    parts = line.split()
    if parts and parts[0] == "FT":
        features[int(parts[1])] = set(parts[2:])
covered, chosen = set(), []
while len(chosen) < limit:
    best = max(features, key=lambda i: (len(features[i] - covered), -os.path.getsize(files[i])), default=None)
    if best is None or not features[best] - covered:
        break
    covered |= features.pop(best)
    chosen.append(files[best])
total = set().union(*features.values(), covered) if features else covered
os.makedirs(kept)
for path in chosen:
    shutil.copy(path, kept)
print(f"kept {len(chosen)} inputs reaching {len(covered)} of {len(total)} features")
PY
rm -rf "corpus/$target"
mv "$work/kept" "corpus/$target"
rm -rf "$work"
echo "corpus/$target: $(ls "corpus/$target" | wc -l) files, $(du -sb "corpus/$target" | cut -f1) bytes"
