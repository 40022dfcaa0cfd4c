#!/usr/bin/env bash
# report_bench.sh: how fast memscope-report reads traces: times `memscope-report summary` on a
# generated trace of EVENTS events (median of RUNS runs) and prints events/s; when heaptrack is
# installed, also times heaptrack_print on the heaptrack trace of a program that makes the same
# number of allocations, for comparison.
#
# usage: bench/report_bench.sh [BUILD_DIR]      (BUILD_DIR holds report/memscope-report)
# environment: EVENTS (default 50000000), RUNS (default 5), WORK (default BUILD_DIR/bench-report),
#              CC (default cc)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
report=$build/report/memscope-report
events=${EVENTS:-50000000}
runs=${RUNS:-5}
work=${WORK:-$build/bench-report}
cc=${CC:-cc}
[ -x "$report" ] || { echo "report_bench: no $report: build first" >&2; exit 1; }
mkdir -p "$work"

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# seconds taken by a command (its output discarded); fails when the command fails
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "report_bench: '$*' failed" >&2; return 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}
time_runs() { for _ in $(seq "$runs"); do seconds "$@"; done | median; }

"$cc" -O2 -o "$work/gen_report_trace" "$here/gen_report_trace.c" -lmsgpackc
trace=$work/trace-$events.msgpack
if [ ! -s "$trace" ]; then
  echo "generating $trace ..."
  "$work/gen_report_trace" "$trace.tmp" "$events" | tee "$trace.info"
  mv "$trace.tmp" "$trace"
fi
allocs=$(sed -n 's/.*events (\([0-9]*\) allocs.*/\1/p' "$trace.info")
size=$(stat -c %s "$trace")
cat "$trace" >/dev/null # warm the page cache: the runs measure parsing, not the disk

echo "memscope-report summary: $events events, $allocs allocations, $((size / 1048576)) MiB, $runs runs"
t=$(time_runs "$report" summary "$trace")
calc() { awk "BEGIN { print $1 }"; }
printf '  median %.3f s: %.1f M events/s, %.0f MiB/s\n' "$t" \
  "$(calc "$events / $t / 1000000")" "$(calc "$size / $t / 1048576")"

if command -v heaptrack >/dev/null && command -v heaptrack_print >/dev/null; then
  "$cc" -O2 -o "$work/heaptrack_workload" "$here/heaptrack_workload.c"
  ht=$work/heaptrack-$allocs
  if ! ls "$ht".* >/dev/null 2>&1; then
    echo "recording a heaptrack trace of $allocs allocations ..."
    heaptrack -o "$ht" "$work/heaptrack_workload" "$allocs" >"$work/heaptrack.log" 2>&1
  fi
  htfile=$(ls "$ht".* | head -n 1)
  htsize=$(stat -c %s "$htfile")
  echo "heaptrack_print: $allocs allocations (and as many frees), $((htsize / 1048576)) MiB compressed, $runs runs"
  th=$(time_runs heaptrack_print "$htfile")
  printf '  median %.3f s: %.1f M allocations/s (%.1f M alloc+free events/s)\n' "$th" \
    "$(calc "$allocs / $th / 1000000")" "$(calc "2 * $allocs / $th / 1000000")"
  printf 'same number of allocations: memscope-report summary %.3f s, heaptrack_print %.3f s (%.1fx)\n' \
    "$t" "$th" "$(calc "$th / $t")"
else
  echo "heaptrack not installed: no comparison"
fi
