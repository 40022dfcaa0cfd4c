#!/usr/bin/env bash
# run.sh: runs sampled.c, built with the plugin, under bytes sampling: the inline fast path must send every sampled block's free, handoff and scope exit to the runtime and nothing else, and name blocks allocated through wrappers after the wrapper's call.
# usage: run.sh CLANG PLUGIN REPORT RUNTIME_DIR WORK_DIR
set -uo pipefail
clang=$1 plugin=$2 report=$3 rtdir=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
cd "$(dirname "$0")" || exit 1
failures=0
fail() { echo "FAIL [sampling]: $*" >&2; failures=$((failures + 1)); }
count() { grep -c "$1" "$2"; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
wrappers=(-fplugin-arg-memscope-alloc=pool_get:size=1 -fplugin-arg-memscope-free=pool_put:ptr=1
  -fplugin-arg-memscope-alloc=arena_get:size=1 -fplugin-arg-memscope-free=arena_put:ptr=1)
site_id() { # dump kind line: the id of the site of that kind at sampled.c:line
  sed -n "s/^site id=\([0-9]*\) kind=$2 .*file=\"sampled.c\" line=$3 .*/\1/p" "$1" | head -1
}

for opt in 0 2; do
  w=$work/O$opt
  mkdir -p "$w"
  "$clang" -O$opt -g -Wall -Wextra -Werror -fplugin="$plugin" "${wrappers[@]}" sampled.c \
    -L"$rtdir" -lmemscope -Wl,-rpath,"$rtdir" -o "$w/inst" || { fail "-O$opt: build failed"; continue; }
  "$clang" -O$opt -g -Wall -Wextra -Werror -fplugin="$plugin" "${wrappers[@]}" -fplugin-arg-memscope-sample=churn:all \
    sampled.c -L"$rtdir" -lmemscope -Wl,-rpath,"$rtdir" -o "$w/rule" || { fail "-O$opt: build failed"; continue; }

  # bytes sampling: ~96 bytes a block at a 4 KiB mean samples about one block in 43
  MEMSCOPE_SAMPLE=bytes:4096 MEMSCOPE_SAMPLE_ALWAYS=8192 MEMSCOPE_SAMPLE_SEED=1 \
    MEMSCOPE_OUT="$w/sampled.msgpack" "$w/inst" || fail "-O$opt: exit code $?"
  "$report" dump "$w/sampled.msgpack" >"$w/sampled.dump" || fail "-O$opt: dump failed"
  sampled=$(count '^sampled ' "$w/sampled.dump")
  # ~96 bytes a block at a 4 KiB mean samples about one block in 43: ~4700 of churn's 200000
  # blocks and ~1160 of each wrapper's 50000
  churn=$(site_id "$w/sampled.dump" malloc 10)
  [ -n "$churn" ] || fail "-O$opt: no site for churn's malloc"
  n=$(count "^sampled .* site=$churn " "$w/sampled.dump")
  [ "$n" -gt 3000 ] && [ "$n" -lt 7000 ] || fail "-O$opt: $n sampled blocks at churn, want about 4700"
  for at in 31 33; do # pool_get (its malloc inside is renamed), arena_get (recorded at the result)
    id=$(site_id "$w/sampled.dump" custom_alloc $at)
    n=$(count "^sampled .* site=$id .*size=96 " "$w/sampled.dump")
    [ -n "$id" ] && [ "$n" -gt 600 ] && [ "$n" -lt 2000 ] ||
      fail "-O$opt: $n sampled blocks of 96 bytes named after the wrapper call at line $at (site '$id'), want about 1160"
  done
  expect_eq "$(count '^alloc ' "$w/sampled.dump")" 0 "-O$opt: unsampled ALLOC events"
  id=$(site_id "$w/sampled.dump" custom_alloc 56)
  expect_eq "$(count "^sampled .* site=$id .*size=20000 weight=1$" "$w/sampled.dump")" 10 \
    "-O$opt: blocks above the floor allocated through pool_get"
  # every sampled block is freed but the 20 leaks: a free the inline filter missed would leave one
  # live, a block recorded twice (inside a wrapper and at its result) would have no second free
  expect_eq "$(count '^free ' "$w/sampled.dump")" $((sampled - 20)) "-O$opt: frees of sampled blocks"
  # each sampled churn block is handed to keep[] once (the wrappers' results go straight to
  # their slots); the leaks' owners go out of scope
  expect_eq "$(count '^handoff ' "$w/sampled.dump")" "$(count "^sampled .* site=$churn " "$w/sampled.dump")" \
    "-O$opt: handoffs of sampled blocks"
  expect_eq "$(count '^scope_exit ' "$w/sampled.dump")" 20 "-O$opt: scope exits of sampled blocks"
  "$report" leaks "$w/sampled.msgpack" >"$w/leaks.txt" || fail "-O$opt: leaks failed"
  grep -q 'last owner `big` went out of scope at sampled.c:42:1 (the end of its block) in leak_big()' "$w/leaks.txt" ||
    fail "-O$opt: the leaks' last owner is not named"
  grep -qE '^ +~200000 +~20 +malloc +leak_big\(\) sampled.c:39:15' "$w/leaks.txt" ||
    fail "-O$opt: the 20 leaks of 10000 bytes are not all there"

  # full tracking of the same binary records every call
  MEMSCOPE_OUT="$w/full.msgpack" "$w/inst" || fail "-O$opt: exit code $?"
  "$report" dump "$w/full.msgpack" >"$w/full.dump" || fail "-O$opt: dump failed"
  expect_eq "$(count '^alloc ' "$w/full.dump")" 300030 "-O$opt: ALLOC events in full mode"
  expect_eq "$(count '^free ' "$w/full.dump")" 300010 "-O$opt: FREE events in full mode"

  # sample=churn:all: the churn site records every block while the program samples
  MEMSCOPE_SAMPLE=bytes:4096 MEMSCOPE_SAMPLE_SEED=1 MEMSCOPE_OUT="$w/rule.msgpack" "$w/rule" ||
    fail "-O$opt: exit code $?"
  "$report" dump "$w/rule.msgpack" >"$w/rule.dump" || fail "-O$opt: dump failed"
  [ "$(count '^sampled .*weight=1\b' "$w/rule.dump")" -ge 200000 ] ||
    fail "-O$opt: sample=churn:all recorded $(count '^sampled .*weight=1\b' "$w/rule.dump") blocks at weight 1, want 200000 or more"
  expect_eq "$(count '^free ' "$w/rule.dump")" $(($(count '^sampled ' "$w/rule.dump") - 20)) "-O$opt: frees with sample=churn:all"
done
[ $failures -eq 0 ] && echo "PASS [sampling]"
exit $((failures > 0))
