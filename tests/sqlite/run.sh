#!/usr/bin/env bash
# run.sh: compiles the SQLite amalgamation with the plugin (with and without its allocator wrappers declared), runs a workload, and checks the trace.
# usage: run.sh CLANG PLUGIN REPORT RUNTIME_DIR INCLUDE_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
clang=$1 plugin=$2 report=$3 rtdir=$4 include=$5 srcdir=$6 work=$7
sqlite=$("$srcdir/scripts/fetch-sqlite.sh") || { echo "skipped: the SQLite amalgamation could not be fetched"; exit 77; }
mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL [sqlite]: $*" >&2; failures=$((failures + 1)); }

# Lookaside memory is switched off so that both instrumented builds see the same real allocations.
common=(-O1 -g -DSQLITE_DEFAULT_LOOKASIDE=0,0 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I"$sqlite")
wrap_args=()
while read -r spec; do [ -n "$spec" ] && wrap_args+=("-fplugin-arg-memscope-$spec"); done <"$srcdir/tests/sqlite/wrappers.txt"
workload=$srcdir/bench/sqlite_workload.c

build() { # name extra-args...
  local name=$1; shift
  [ -x "$name" ] && [ "$name" -nt "$sqlite/sqlite3.c" ] && [ "$name" -nt "$srcdir/tests/sqlite/wrappers.txt" ] &&
    [ "$name" -nt "$plugin" ] && return 0
  "$clang" "${common[@]}" "$@" "$sqlite/sqlite3.c" "$workload" -lm -o "$name" 2>"$name.diag" ||
    { fail "build $name failed:"; tail -20 "$name.diag" >&2; return 1; }
}
inst=(-fplugin="$plugin" -I"$include" -L"$rtdir" -lmemscope -Wl,-rpath,"$rtdir")
build plain || exit 1
build direct "${inst[@]}" || exit 1
build wrapped "${inst[@]}" "${wrap_args[@]}" || exit 1

rows=3000
./plain $rows >plain.out || fail "plain run failed"
for b in direct wrapped; do
  MEMSCOPE_OUT=$b.msgpack ./$b $rows >$b.out || fail "$b run failed"
  cmp -s plain.out $b.out || fail "$b: results differ from the plain build"
  "$report" dump $b.msgpack >$b.dump || fail "$b: memscope-report dump failed"
  "$report" summary $b.msgpack >$b.summary || fail "$b: memscope-report summary failed"
done
end() { grep '^end ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
sites() { grep -E '^(alloc|realloc) ' "$1" | sed 's/.* site=\([0-9]*\) .*/\1/' | sort -u | wc -l; }
direct_sites=$(sites direct.dump) wrapped_sites=$(sites wrapped.dump)
# Without help every block comes from SQLite's few calls of malloc/realloc; with the wrappers
# declared, the callers of sqlite3Malloc, sqlite3DbMallocRaw, ... become the sites.
[ "$direct_sites" -le 5 ] || fail "without wrappers: $direct_sites allocation sites, expected the few inside SQLite's memory layer"
[ "$wrapped_sites" -ge 100 ] || fail "with wrappers: only $wrapped_sites allocation sites, expected hundreds"
# Each block is recorded once, by the real call: the counts equal the unwrapped build's.
for key in alloc_count free_count alloc_bytes peak_bytes; do
  [ "$(end direct.dump $key)" == "$(end wrapped.dump $key)" ] ||
    fail "$key: $(end wrapped.dump $key) with wrappers, $(end direct.dump $key) without"
done
grep -q '^Leaks: none' wrapped.summary ||
  { grep -A3 '^Leaks' wrapped.summary >&2; fail "SQLite frees everything at close: no leak expected"; }
[ $failures -eq 0 ] && echo "ok [sqlite]: results equal; $direct_sites sites without wrappers, $wrapped_sites with; $(end wrapped.dump alloc_count) allocations counted once"
exit $((failures > 0))
