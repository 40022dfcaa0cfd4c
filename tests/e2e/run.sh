#!/usr/bin/env bash
# run.sh: runs one end-to-end case: an instrumented program, its trace, and what memscope-report says of it.
set -uo pipefail
case_name=$1 dir=$2 manual=$3 threads=$4 report=$5 window=${6:-} snapshot=${7:-} idle=${8:-}
# the programs check their own live figures, which come from the live-block table
export MEMSCOPE_STATS=1
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
failures=0
fail() { echo "FAIL [$case_name]: $*" >&2; failures=$((failures + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: got '$1', want '$2'"; }
expect_grep() { grep -qE -- "$1" "$2" || { fail "no line matching '$1' in $2:"; sed 's/^/    /' "$2" >&2; }; }
count() { grep -c "$1" "$2"; }
end_value() { grep '^end ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

case $case_name in
compressed)
  # MEMSCOPE_COMPRESS=zstd: the same records as an uncompressed run, in fewer bytes
  MEMSCOPE_SAMPLE_SEED=1 MEMSCOPE_OUT=plain.msgpack "$threads" >/dev/null 2>&1
  MEMSCOPE_COMPRESS=zstd MEMSCOPE_OUT=trace.msgpack "$threads" >out.txt 2>err.txt
  expect_eq $? 0 "exit code"
  expect_eq "$(cat err.txt)" "" "stderr"
  plain_size=$(stat -c %s plain.msgpack) size=$(stat -c %s trace.msgpack)
  [ "$size" -lt $((plain_size * 3 / 4)) ] || fail "compressed trace of $size bytes, uncompressed $plain_size"
  head -c 2000 trace.msgpack | LC_ALL=C grep -qa 'compress.\{1,2\}zstd' || fail "the header does not say compress=zstd"
  # the same events per thread (threads interleave differently from run to run)
  norm() { "$report" dump "$1" | grep -E '^(alloc|free|realloc) ' | sed -E 's/ t=[0-9]+//; s/ ptr=0x[0-9a-f]+//' | sort; }
  norm plain.msgpack >plain.txt
  norm trace.msgpack >dump.txt
  expect_eq "$(wc -l <dump.txt)" "$(wc -l <plain.txt)" "events in the compressed trace"
  cmp -s plain.txt dump.txt || fail "the compressed trace's events differ from the uncompressed run's"
  "$report" summary trace.msgpack >summary.txt
  expect_eq $? 0 "summary exit code"
  # cut short, it still yields the events before the cut, and says where it stopped
  head -c $((size / 2)) trace.msgpack >cut.msgpack
  "$report" dump cut.msgpack >cut.txt 2>err.txt
  expect_eq $? 2 "exit code on a compressed trace cut in half"
  expect_grep 'incomplete at byte [0-9]+|truncated at byte [0-9]+' err.txt
  [ "$(count '^alloc ' cut.txt)" -gt 100 ] || fail "half a compressed trace should still give its first events"
  # a damaged byte in the compressed stream is named by its file offset
  cp trace.msgpack bad.msgpack
  printf '\xff\xff\xff\xff' | dd of=bad.msgpack bs=1 seek=$((size * 9 / 10)) conv=notrunc 2>/dev/null
  "$report" summary bad.msgpack >/dev/null 2>err.txt
  expect_eq $? 2 "exit code on a damaged compressed trace"
  expect_grep 'file bytes [0-9]+-[0-9]+: the compressed stream is corrupt|byte [0-9]+: record' err.txt
  "$report" dump bad.msgpack 2>/dev/null >bad.txt
  [ "$(count '^alloc ' bad.txt)" -gt 1000 ] || fail "the records before the damage should still be read"
  MEMSCOPE_COMPRESS=zstd:99 MEMSCOPE_OUT=bad-level.msgpack "$threads" >/dev/null 2>err.txt
  expect_grep '^memscope: MEMSCOPE_COMPRESS=zstd:99: expected off, zstd or zstd:LEVEL \(-7 to 19\); writing uncompressed$' err.txt
  "$report" summary bad-level.msgpack >/dev/null || fail "the uncompressed fallback trace does not read"
  ;;
idle)
  # full tracking: the writer stops ticking while nothing is recorded, and the event after the
  # pause still carries its true time (read by the thread itself, which wakes the writer)
  MEMSCOPE_OUT=trace.msgpack "$idle" >out.txt 2>err.txt
  expect_eq $? 0 "exit code"
  wakeups=$(sed -n 's/^writer wake-ups while idle for 500 ms: \(-\{0,1\}[0-9]*\)$/\1/p' out.txt)
  [ -n "$wakeups" ] && [ "$wakeups" -ge 0 ] && [ "$wakeups" -lt 50 ] ||
    fail "the writer woke '$wakeups' times in 500 ms without events, want under 50 (a 1 ms tick: ~500)"
  "$report" dump trace.msgpack >dump.txt
  t_a=$(sed -n 's/^alloc t=\([0-9]*\) .* size=100$/\1/p' dump.txt)
  t_b=$(sed -n 's/^alloc t=\([0-9]*\) .* size=200$/\1/p' dump.txt)
  [ -n "$t_a" ] && [ -n "$t_b" ] && [ $((t_b - t_a)) -ge 540 ] && [ $((t_b - t_a)) -lt 700 ] ||
    fail "the allocations are '$t_a' and '$t_b' ms into the trace, want 540-700 ms apart (550 slept)"
  ;;
snapshot)
  # memscope-report --at MARK: every figure as of a memscope_snapshot() mark
  MEMSCOPE_OUT=trace.msgpack "$snapshot" >out.txt 2>err.txt
  expect_eq $? 0 "exit code"
  "$report" dump trace.msgpack >dump.txt
  expect_grep '^mark t=[0-9]+ seq=1 label="warm" recording=1$' dump.txt
  expect_grep '^mark t=[0-9]+ seq=2 label="steady" recording=1$' dump.txt
  "$report" summary trace.msgpack >summary.txt
  expect_grep '^marks +1 "warm" at [0-9]+ ms, 2 "steady" at [0-9]+ ms \(memscope-report --at MARK' summary.txt
  expect_grep '^Leaks: none, every block allocated was released \(45 blocks\)$' summary.txt
  "$report" leaks --at warm trace.msgpack >warm.txt
  expect_eq $? 0 "leaks --at warm exit code"
  expect_grep '^Live at mark 1 "warm" \([0-9]+ ms\): 40 blocks, 4000 bytes \(3.9 KiB\), from 1 site$' warm.txt
  expect_grep '^ +4000 +40 +malloc +warmup\(\) snapshot.c:10:5' warm.txt
  "$report" leaks --at 2 trace.msgpack >steady.txt
  expect_grep '^Live at mark 2 "steady" \([0-9]+ ms\): 15 blocks, 6000 bytes \(5.9 KiB\), from 2 sites$' steady.txt
  expect_grep '^ +5000 +5 +malloc +steady\(\) snapshot.c:20:5' steady.txt
  expect_grep '^ +1000 +10 +malloc +warmup\(\) snapshot.c:10:5' steady.txt
  expect_grep 'into `b`; no owner went out of scope \(still referenced at the mark\)$' steady.txt
  "$report" summary --at steady trace.msgpack >at.txt
  expect_grep '^live at mark +15 blocks, 6000 bytes' at.txt
  expect_grep '^as of +at mark 2 "steady" \([0-9]+ ms\): 15 later events left out$' at.txt
  "$report" sites --json --at warm trace.msgpack >at.json
  expect_grep '"at":\{"seq":1,"label":"warm","t_ms":[0-9]+\}' at.json
  "$report" leaks --at nope trace.msgpack >/dev/null 2>err.txt
  expect_eq $? 1 "exit code of --at with an unknown mark"
  expect_grep '^memscope-report: --at nope: trace.msgpack has no such mark; its marks: 1 "warm" \([0-9]+ ms\), 2 "steady" \([0-9]+ ms\)$' err.txt
  ;;
manual)
  MEMSCOPE_OUT=trace.msgpack "$manual" >out.txt 2>err.txt
  expect_eq $? 0 "exit code (the program checks its own statistics)"
  expect_eq "$(cat out.txt)" "hello: 542 bytes live in 7 blocks" "program output"
  "$report" dump trace.msgpack >dump.txt
  expect_eq $? 0 "dump exit code"
  expect_eq "$(count '^alloc ' dump.txt)" 15 "alloc events"
  expect_eq "$(count '^realloc ' dump.txt)" 2 "realloc events"
  expect_eq "$(count '^free ' dump.txt)" 8 "free events"
  expect_grep '^site id=[0-9]+ kind=malloc flags=0x1 file="manual.c" line=30 col=9 func="main" type="struct node" sizeof="struct node" elem=24 var="nodes"$' dump.txt
  expect_grep '^site id=[0-9]+ kind=custom_alloc .*type="struct packet" .*var="p"$' dump.txt
  expect_grep '^alloc t=[0-9]+ thread=1 site=[0-9]+ ptr=0x[0-9a-f]+ size=100$' dump.txt
  expect_grep '^realloc t=[0-9]+ thread=1 site=[0-9]+ old=0x[0-9a-f]+ ptr=0x[0-9a-f]+ size=1000$' dump.txt
  expect_eq "$(end_value dump.txt events_dropped)" 0 "END events_dropped"
  expect_eq "$(end_value dump.txt events_recorded)" 25 "END events_recorded"
  expect_eq "$(end_value dump.txt peak_bytes)" 1300 "END peak_bytes"
  "$report" summary trace.msgpack >summary.txt
  expect_eq $? 0 "summary exit code"
  expect_grep 'main\(\) manual.c:30:9' summary.txt
  expect_grep 'struct node' summary.txt
  expect_grep '1,?300' summary.txt
  ;;
threads)
  MEMSCOPE_OUT=trace.msgpack "$threads" >out.txt 2>err.txt
  expect_eq $? 0 "exit code (the program checks its own statistics)"
  "$report" dump trace.msgpack >dump.txt
  expect_eq $? 0 "dump exit code"
  expect_eq "$(count '^alloc ' dump.txt)" $((4 * 50005)) "alloc events in the trace"
  expect_eq "$(count '^free ' dump.txt)" $((4 * 50000)) "free events in the trace"
  expect_eq "$(count "^thread " dump.txt)" 4 "thread records (4 workers; main made no event)"
  expect_eq "$(end_value dump.txt events_seen)" $((4 * 100005)) "END events_seen"
  expect_eq "$(end_value dump.txt events_recorded)" $((4 * 100005)) "END events_recorded"
  expect_eq "$(end_value dump.txt events_dropped)" 0 "END events_dropped"
  for t in 1 2 3 4; do
    expect_eq "$(grep -c "^alloc .* thread=$t " dump.txt)" 50005 "allocs of thread $t"
  done
  ;;
truncated)
  MEMSCOPE_OUT=trace.msgpack "$threads" >/dev/null 2>&1
  size=$(stat -c %s trace.msgpack)
  for cut in 0 5 10 200 $((size / 2)) $((size - 1)); do
    head -c "$cut" trace.msgpack >cut.msgpack
    "$report" summary cut.msgpack >out.txt 2>err.txt
    rc=$?
    expect_eq $rc 2 "exit code of summary on a trace cut at $cut of $size bytes"
    expect_grep 'byte [0-9]+|empty file \(0 bytes\)' err.txt
  done
  # a cut in the middle still yields the events before it
  head -c $((size / 2)) trace.msgpack >cut.msgpack
  "$report" dump cut.msgpack >dump.txt 2>/dev/null
  [ "$(count '^alloc ' dump.txt)" -gt 1000 ] || fail "a half trace should still give its first events"
  printf '\x94\xa8memscopf' >bad.msgpack
  "$report" summary bad.msgpack >/dev/null 2>err.txt
  expect_eq $? 2 "exit code on wrong magic"
  ;;
off)
  MEMSCOPE=off MEMSCOPE_OUT=trace.msgpack "$manual" >out.txt 2>err.txt
  rc=$?
  [ -e trace.msgpack ] && fail "MEMSCOPE=off wrote a trace"
  expect_eq "$(cat err.txt)" "" "stderr with MEMSCOPE=off"
  expect_eq $rc 0 "exit code with MEMSCOPE=off"
  expect_eq "$(cat out.txt)" "hello: tracing off" "program output with MEMSCOPE=off"
  ;;
diskfull)
  MEMSCOPE_OUT=/dev/full "$threads" >out.txt 2>err.txt
  rc=$?
  expect_eq "$(grep -c 'memscope' err.txt)" 1 "memscope lines on stderr"
  expect_grep "cannot write trace '/dev/full': No space left on device; tracing stopped" err.txt
  expect_grep '^allocs=' out.txt
  [ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "program died with $rc"
  ;;
badpath)
  MEMSCOPE_OUT=/nonexistent/dir/t.msgpack "$threads" >out.txt 2>err.txt
  expect_eq "$(grep -c 'memscope' err.txt)" 1 "memscope lines on stderr"
  expect_grep "cannot write trace '/nonexistent/dir/t.msgpack': No such file or directory" err.txt
  expect_grep '^allocs=0 ' out.txt
  ;;
diagnostics)
  # start-up problems go to stderr and into the trace as MESSAGE records
  MEMSCOPE_BOGUS=1 MEMSCOPE_SIGNAL=NOPE MEMSCOPE_OUT=trace.msgpack "$manual" >out.txt 2>err.txt
  expect_eq $? 0 "exit code"
  expect_grep '^memscope: unknown option MEMSCOPE_BOGUS' err.txt
  expect_grep '^memscope: MEMSCOPE_SIGNAL=NOPE: not a signal name or number; ignored$' err.txt
  "$report" dump trace.msgpack >dump.txt
  expect_grep '^message t=[0-9]+ text="1 problem\(s\) with MEMSCOPE_\* variables, named above on stderr"$' dump.txt
  expect_grep '^message t=[0-9]+ text="MEMSCOPE_SIGNAL=NOPE: not a signal name or number; ignored"$' dump.txt
  ;;
options_doc)
  MEMSCOPE_HELP=1 MEMSCOPE_OUT=trace.msgpack "$manual" >/dev/null 2>help.txt
  sed -n '/<!-- options:begin -->/,/<!-- options:end -->/p' "$E2E_SOURCE_DIR/docs/usage.md" |
    grep '^|' >doc.txt
  diff -u doc.txt help.txt >diff.txt || { fail "docs/usage.md's option table differs from MEMSCOPE_HELP=1:"; cat diff.txt >&2; }
  ;;
sampled)
  # the program's own exact checks do not hold for estimates: its exit status is not checked
  MEMSCOPE_SAMPLE=bytes:4096 MEMSCOPE_SAMPLE_SEED=1 MEMSCOPE_OUT=trace.msgpack "$threads" >out.txt 2>err.txt
  "$report" dump trace.msgpack >dump.txt
  expect_eq $? 0 "dump exit code"
  [ "$(count '^sampled ' dump.txt)" -gt 100 ] || fail "too few sampled events: $(count '^sampled ' dump.txt)"
  expect_eq "$(count '^alloc ' dump.txt)" 0 "unsampled ALLOC events"
  # every sampled block is freed, except the 1000-byte blocks each thread keeps
  expect_eq "$(count '^free ' dump.txt)" "$(( $(count '^sampled ' dump.txt) - $(count '^sampled .* size=1000 ' dump.txt) ))" "frees of sampled blocks"
  "$report" summary trace.msgpack >summary.txt
  expect_grep '^note: figures marked ~ are estimates \(estimated, sampled: bytes:4096\)' summary.txt
  "$report" html trace.msgpack -o page.html
  expect_grep 'id="estimated"' page.html
  "$report" pprof trace.msgpack -o prof.pb.gz
  gzip -dc prof.pb.gz | grep -qa 'values are estimates from sampled events (bytes:4096' ||
    fail "the pprof profile does not say its values are estimates"
  ;;
window)
  MEMSCOPE_START=0 MEMSCOPE_SIGNAL=USR2 MEMSCOPE_OUT=trace.msgpack "$window" >out.txt 2>err.txt
  expect_eq $? 0 "exit code"
  expect_eq "$(cat out.txt)" "done" "program output"
  "$report" dump trace.msgpack >dump.txt
  expect_eq $? 0 "dump exit code"
  expect_eq "$(count '^alloc .* size=20$' dump.txt)" 50 "allocations inside the window"
  expect_eq "$(grep -cE '^alloc .* size=(10|30)$' dump.txt)" 0 "allocations while paused"
  for label in "signal: recording resumed" "after the window" "signal: recording paused"; do
    grep -qa "$label" trace.msgpack || fail "no MARK '$label' in the trace"
  done
  ;;
*)
  fail "unknown case"
  ;;
esac
[ $failures -eq 0 ] && echo "ok [$case_name]"
exit $((failures > 0))
