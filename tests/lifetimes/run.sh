#!/usr/bin/env bash
# run.sh: checks one lifetime fixture: same behaviour as the plain build, exact last-owner lines, and agreement with LeakSanitizer.
# usage: run.sh FIXTURE.c CLANG PLUGIN REPORT RUNTIME_DIR INCLUDE_DIR WORK_DIR
set -uo pipefail
src=$1 clang=$2 plugin=$3 report=$4 rtdir=$5 include=$6 work=$7
name=$(basename "$src" .c)
rm -rf "$work" && mkdir -p "$work"
cd "$(dirname "$src")" || exit 1
file=$(basename "$src")   # compiled by its bare name, so sites read "early_return.c:11:23"
failures=0
fail() { echo "FAIL [$name]: $*" >&2; failures=$((failures + 1)); }

grep '^EXPECT-LEAK:' "$file" | sed 's/^EXPECT-LEAK://' | sort >"$work/expected.txt"
for opt in 0 2; do
  w=$work/O$opt
  mkdir -p "$w"
  "$clang" -O$opt -g -Wall -Wextra -Werror "$file" -o "$w/plain" 2>"$w/plain.diag" ||
    { fail "-O$opt: plain build failed"; cat "$w/plain.diag" >&2; continue; }
  "$clang" -O$opt -g -Wall -Wextra -Werror -fplugin="$plugin" -I"$include" "$file" \
    -L"$rtdir" -lmemscope -Wl,-rpath,"$rtdir" -o "$w/inst" 2>"$w/inst.diag" ||
    { fail "-O$opt: instrumented build failed"; cat "$w/inst.diag" >&2; continue; }
  cmp -s "$w/plain.diag" "$w/inst.diag" || fail "-O$opt: diagnostics differ with the plugin"
  "$w/plain" >"$w/plain.out" 2>&1
  plain_rc=$?
  MEMSCOPE_OUT="$w/trace.msgpack" "$w/inst" >"$w/inst.out" 2>&1
  inst_rc=$?
  [ $plain_rc -eq $inst_rc ] || fail "-O$opt: exit code $inst_rc, plain $plain_rc"
  cmp -s "$w/plain.out" "$w/inst.out" || fail "-O$opt: output differs from the plain build"
  "$report" leaks "$w/trace.msgpack" >"$w/leaks.txt" 2>"$w/leaks.err" ||
    { fail "-O$opt: memscope-report leaks failed"; cat "$w/leaks.err" >&2; }
  grep -E '^  [0-9]+ bytes in [0-9]+ blocks?: ' "$w/leaks.txt" | sort >"$w/got.txt"
  diff -u "$work/expected.txt" "$w/got.txt" >"$w/diff.txt" ||
    { fail "-O$opt: last-owner lines differ (expected -, got +):"; cat "$w/diff.txt" >&2; }
done

# LeakSanitizer on the plain program must find exactly the blocks and bytes memscope lists.
"$clang" -O0 -g -fsanitize=leak "$file" -o "$work/lsan" 2>"$work/lsan.diag" ||
  { fail "LeakSanitizer build failed"; cat "$work/lsan.diag" >&2; }
LSAN_OPTIONS=exitcode=0 "$work/lsan" >/dev/null 2>"$work/lsan.txt"
lsan=$(sed -n 's/^SUMMARY: LeakSanitizer: \([0-9]*\) byte(s) leaked in \([0-9]*\) allocation(s).*/\2 \1/p' "$work/lsan.txt")
[ -n "$lsan" ] || lsan="0 0"
ms=$(sed -n 's/^Leaks: \([0-9]*\) blocks\{0,1\}, \([0-9]*\) bytes.*/\1 \2/p' "$work/O0/leaks.txt")
[ -n "$ms" ] || ms="0 0"
[ "$ms" == "$lsan" ] || fail "memscope leaks (blocks bytes) '$ms', LeakSanitizer '$lsan'"

[ $failures -eq 0 ] && echo "ok [$name]: $(wc -l <"$work/expected.txt") leak line(s); LeakSanitizer agrees ($lsan)"
exit $((failures > 0))
