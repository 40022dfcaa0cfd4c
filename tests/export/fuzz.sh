#!/usr/bin/env bash
# fuzz.sh: runs the reader's libFuzzer target for a bounded time on a corpus seeded with traces:
# real ones recorded from an instrumented program and synthetic ones, whole and cut.
# usage: fuzz.sh FUZZER DIR SECONDS SEED_PROGRAM...
set -uo pipefail
fuzzer=$1 dir=$2 seconds=$3
here=$(cd "$(dirname "$0")" && pwd)
shift 3
rm -rf "$dir" && mkdir -p "$dir/seeds" "$dir/corpus" "$dir/artifacts" && cd "$dir" || exit 1
for prog in "$@"; do
  case $(basename "$prog") in
  e2e_manual)
    MEMSCOPE_OUT="$dir/seeds/manual.msgpack" "$prog" >/dev/null 2>&1
    MEMSCOPE_COMPRESS=zstd MEMSCOPE_OUT="$dir/seeds/manual-zstd.msgpack" "$prog" >/dev/null 2>&1 ;;
  memscope_gen_trace)
    for kind in demo noleak mt; do "$prog" "seeds/$kind.msgpack" "$kind"; done
    "$prog" seeds/demo-cut.msgpack demo 300 ;;
  memscope_gen_export_trace)
    "$prog" seeds/export.msgpack
    "$prog" seeds/export-cut.msgpack 200 ;;
  *) echo "fuzz.sh: unknown seed program $prog" >&2; exit 1 ;;
  esac
done
# inputs that once failed (tests/export/regress/) run first, as seeds
cp "$here"/regress/*.msgpack seeds/
n=$(find seeds -type f -size +0 | wc -l)
echo "seeds: $n traces"
[ "$n" -gt 0 ] || { echo "FAIL: no seed trace" >&2; exit 1; }
# -timeout: one input may take at most 10 s (a hang is a failure); crashes land in artifacts/
"$fuzzer" corpus seeds -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix=artifacts/ -print_final_stats=1 >fuzz.log 2>&1
rc=$?
tail -n 20 fuzz.log
if [ $rc -ne 0 ]; then
  echo "FAIL: the fuzzer stopped with status $rc; inputs in $dir/artifacts:" >&2
  ls -l artifacts >&2
  exit 1
fi
grep -E '^(#[0-9]+|stat::number_of_executed_units)' fuzz.log | tail -n 1
echo "1 passed, 0 failed"
