#!/usr/bin/env bash
# run.sh: adoption tests: install to a prefix, then find_package, add_subdirectory, make CC=memscope-cc and memscope run.
#
# usage: run.sh CASE
# Environment (set by tests/adoption/CMakeLists.txt): SRC (memscope source tree), BUILD (its
# build tree), WORK (scratch directory of this test), PREFIX (install prefix), LIBDIR (relative
# library directory), CLANG (clang with a plugin), MAJOR (its major), GENERATOR, REPORT
# (memscope-report of the build tree).
set -euo pipefail

case_name=$1
# the example prints its live figures, which come from the live-block table
export MEMSCOPE_STATS=1
example=$SRC/tests/adoption/example
fail() {
  echo "FAIL [$case_name]: $*" >&2
  exit 1
}
# expect FILE TEXT: FILE holds the line TEXT (fixed string).
expect() {
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }
}
# expect_not FILE TEXT
expect_not() {
  if grep -qF -- "$2" "$1"; then cat "$1" >&2; fail "$1 has: $2"; fi
}

# The report of the example program, built from example/app.c: three leaks, 69 bytes; the
# wrapper call is named after its call site; vendor.c (excluded) and xalloc.c never appear.
# check_app_trace TRACE REPORT_TOOL NAME
check_app_trace() {
  local trace=$1 report=$2 name=$3
  local out=$WORK/$name.leaks
  "$report" leaks "$trace" >"$out" || fail "memscope-report leaks $trace failed"
  expect "$out" "Leaks: 3 blocks, 69 bytes still live at exit, from 3 sites"
  grep -Eq '^ +44 +1 +custom_alloc +main\(\) .*app\.c:39:24  struct record  -> rec$' "$out" ||
    { cat "$out" >&2; fail "no 44-byte leak of struct record at app.c:39:24"; }
  grep -Eq '^ +16 +1 +malloc +main\(\) .*app\.c:36:10  struct node  -> kept$' "$out" ||
    { cat "$out" >&2; fail "no 16-byte leak of struct node at app.c:36:10"; }
  grep -Eq '^ +9 +1 +strdup +main\(\) .*app\.c:38:11  char  -> label$' "$out" ||
    { cat "$out" >&2; fail "no 9-byte leak of char at app.c:38:11"; }
  expect "$out" "last owner \`rec\` went out of scope at"
  "$report" dump "$trace" >"$WORK/$name.dump" || fail "memscope-report dump $trace failed"
  expect_not "$WORK/$name.dump" "vendor.c"
  expect "$WORK/$name.dump" 'kind=custom_alloc flags=0x8'
  "$report" types --json "$trace" >"$WORK/$name.types" || fail "memscope-report types $trace failed"
  expect "$WORK/$name.types" '{"type":"struct record","bytes":88,"count":2,"live_bytes":44,"live":1,'
  expect "$WORK/$name.types" '{"type":"struct node","bytes":80,"count":5,"live_bytes":16,"live":1,'
  expect "$WORK/$name.types" '{"type":"char","bytes":9,"count":1,"live_bytes":9,"live":1,'
  expect_not "$WORK/$name.types" '"type":"void"'
}

# run_app PROGRAM NAME [STATUS]: runs the example, checks its output and exit status, prints the trace.
run_app() {
  local prog=$1 name=$2 status=${3:-0} rc=0
  rm -f "$WORK/$name".*.msgpack
  MEMSCOPE_OUT="$WORK/$name.%p.msgpack" "$prog" "$status" >"$WORK/$name.out" || rc=$?
  [ "$rc" = "$status" ] || fail "$prog exited with $rc, expected $status"
  expect "$WORK/$name.out" "vendor adoption 7"
  expect "$WORK/$name.out" "live: 69 bytes in 3 blocks"
  local traces=("$WORK/$name".*.msgpack)
  [ ${#traces[@]} = 1 ] && [ -f "${traces[0]}" ] || fail "$prog wrote ${#traces[@]} traces"
  echo "${traces[0]}"
}

bin=$PREFIX/bin
lib=$PREFIX/$LIBDIR
mkdir -p "$WORK"

case $case_name in
install)
  rm -rf "$PREFIX"
  cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" || { cat "$WORK/install.log"; fail "cmake --install failed"; }
  for f in bin/memscope-report bin/memscope bin/memscope-cc bin/memscope-c++ include/memscope.h \
           "$LIBDIR/libmemscope.so" "$LIBDIR/libmemscope.a" "$LIBDIR/memscope/memscope.so" \
           "$LIBDIR/memscope/memscope-clang$MAJOR.so" "$LIBDIR/pkgconfig/memscope.pc" \
           "$LIBDIR/cmake/MemScope/MemScopeConfig.cmake" \
           "$LIBDIR/cmake/MemScope/MemScopeConfigVersion.cmake" \
           "$LIBDIR/cmake/MemScope/MemScopeTargets.cmake" "$LIBDIR/cmake/MemScope/MemScope.cmake"; do
    [ -e "$PREFIX/$f" ] || fail "not installed: $f"
  done
  for f in bin/memscope bin/memscope-cc bin/memscope-c++ bin/memscope-report; do
    [ -x "$PREFIX/$f" ] || fail "not executable: $f"
  done
  # pkg-config paths follow the installed tree
  # pkg-config: paths relative to the installed .pc file
  pc() { PKG_CONFIG_PATH=$lib/pkgconfig pkg-config "$@" memscope; }
  real() { (cd "$1" && pwd -P) || fail "no directory $1"; }
  read -r libs_l libs_name <<<"$(pc --libs)"
  [ "$libs_name" = "-lmemscope" ] && [ "$(real "${libs_l#-L}")" = "$(real "$lib")" ] ||
    fail "pkg-config --libs memscope: '$libs_l $libs_name'"
  read -r cflags <<<"$(pc --cflags)"
  [ "$(real "${cflags#-I}")" = "$(real "$PREFIX/include")" ] || fail "pkg-config --cflags memscope: '$cflags'"
  plugin=$(pc --variable=plugin)
  [ -f "$plugin" ] && cmp -s "$plugin" "$lib/memscope/memscope-clang$MAJOR.so" ||
    fail "pkg-config plugin variable: '$plugin' is not the plugin for clang $MAJOR"
  ;;

find_package)
  proj=$WORK/project
  rm -rf "$proj"
  cmake -S "$SRC/tests/adoption/find_package" -B "$proj" -G "$GENERATOR" \
    -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; fail "configure failed"; }
  cmake --build "$proj" -j 2 >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "build failed"; }
  # the plugin and its arguments go to the instrumented targets only
  cc=$proj/compile_commands.json
  grep -F -- "-c $example/app.c" "$cc" | grep -F "CMakeFiles/app.dir" >"$WORK/app.cmd" ||
    fail "no compile command of app.c in $cc"
  expect "$WORK/app.cmd" "-fplugin=$lib/memscope/memscope-clang$MAJOR.so "
  expect "$WORK/app.cmd" '-fplugin-arg-memscope-exclude=(^|/)vendor'
  expect "$WORK/app.cmd" '-fplugin-arg-memscope-alloc=xmalloc:size=1 '
  expect "$WORK/app.cmd" '-fplugin-arg-memscope-free=xfree:ptr=1 '
  expect_not "$WORK/app.cmd" 'lifetimes=off'
  grep -F -- "-c $example/app.c" "$cc" | grep -F "CMakeFiles/app_sampled.dir" >"$WORK/app_sampled.cmd"
  expect "$WORK/app_sampled.cmd" '-fplugin-arg-memscope-lifetimes=off'
  expect_not "$WORK/app_sampled.cmd" 'alloc='
  grep -F -- "-c $example/xalloc.c" "$cc" >"$WORK/xalloc.cmd"
  expect "$WORK/xalloc.cmd" "-fplugin=$lib/memscope/memscope-clang$MAJOR.so "
  expect_not "$WORK/xalloc.cmd" "-fplugin-arg-"
  grep -F -- "-c $example/vendor.c" "$cc" | grep -F "CMakeFiles/plain.dir" >"$WORK/plain.cmd"
  expect_not "$WORK/plain.cmd" "fplugin"
  trace=$(run_app "$proj/app" fp 3)
  check_app_trace "$trace" "$bin/memscope-report" fp
  # app_sampled: NO_LIFETIMES (no scope-exit sites from app.c) and its default sampling mode
  trace=$(MEMSCOPE_SAMPLE=all run_app "$proj/app_sampled" fps)
  "$bin/memscope-report" dump "$trace" >"$WORK/fps.dump"
  grep -E 'kind=(variable|exit) .*app\.c' "$WORK/fps.dump" && fail "NO_LIFETIMES: app.c has scope-exit sites"
  expect "$WORK/fps.dump" 'kind=malloc flags=0x0 file="'"$example"'/app.c" line=36 col=10'
  nm "$proj/app_sampled" | grep ' R memscope_default_sample$' >/dev/null || fail "app_sampled has no memscope_default_sample"
  nm "$proj/app" | grep memscope_default_sample >/dev/null && fail "app has a memscope_default_sample"
  expect "$proj/memscope/app_sampled-sample.c" '= "bytes:4K";'
  # a compiler that cannot load the plugin: a clear error naming what to install
  if command -v gcc >/dev/null; then
    if cmake -S "$SRC/tests/adoption/find_package" -B "$WORK/gcc" -G "$GENERATOR" \
         -DCMAKE_C_COMPILER=gcc -DCMAKE_PREFIX_PATH="$PREFIX" >"$WORK/gcc.log" 2>&1; then
      fail "configuring with gcc succeeded"
    fi
    tr -s ' \n' ' ' <"$WORK/gcc.log" >"$WORK/gcc.msg"
    expect "$WORK/gcc.msg" "target_memscope(xalloc): cannot instrument 'xalloc': the C compiler"
    expect "$WORK/gcc.msg" "the memscope plugin loads only into Clang"
    expect "$WORK/gcc.msg" "apt-get install clang-NN libclang-NN-dev llvm-NN-dev"
  fi
  ;;

sample)
  # needs the runtime to read memscope_default_sample (a weak reference in libmemscope)
  if ! nm -D "$lib/libmemscope.so" | grep -w memscope_default_sample >/dev/null; then
    echo "SKIP: this libmemscope does not read memscope_default_sample (target_memscope SAMPLE)"
    exit 77
  fi
  proj=$WORK/project
  rm -rf "$proj"
  cmake -S "$SRC/tests/adoption/find_package" -B "$proj" -G "$GENERATOR" \
    -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_PREFIX_PATH="$PREFIX" >"$WORK/configure.log" 2>&1 ||
    { cat "$WORK/configure.log"; fail "configure failed"; }
  cmake --build "$proj" -j 2 >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "build failed"; }
  rm -f "$WORK"/s*.msgpack
  MEMSCOPE_OUT=$WORK/s1.msgpack "$proj/app_sampled" >/dev/null
  "$bin/memscope-report" summary --json "$WORK/s1.msgpack" >"$WORK/s1.json"
  expect "$WORK/s1.json" '"sample":"bytes:4K"'
  MEMSCOPE_SAMPLE=all MEMSCOPE_OUT=$WORK/s2.msgpack "$proj/app_sampled" >/dev/null
  "$bin/memscope-report" summary --json "$WORK/s2.msgpack" >"$WORK/s2.json"
  expect "$WORK/s2.json" '"sample":"all"'
  MEMSCOPE_OUT=$WORK/s3.msgpack "$proj/app" >/dev/null
  "$bin/memscope-report" summary --json "$WORK/s3.msgpack" >"$WORK/s3.json"
  expect "$WORK/s3.json" '"sample":"all"'
  ;;

subdir)
  # memscope built inside the project: no tests, the plugin for one clang major, and only
  # what the example's targets need (runtime and plugin; the report tool is not built).
  proj=$WORK/project
  cmake -S "$SRC/tests/adoption/subdir" -B "$proj" -G "$GENERATOR" -DCMAKE_C_COMPILER="$CLANG" \
    -DMEMSCOPE_SOURCE_DIR="$SRC" -DMEMSCOPE_BUILD_TESTS=OFF -DMEMSCOPE_CLANG_MAJORS="$MAJOR" \
    >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; fail "configure failed"; }
  cmake --build "$proj" --target app app_sampled -j 2 >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log"; fail "build failed"; }
  [ -e "$proj/memscope/report/memscope-report" ] && fail "the report tool was built"
  [ -e "$proj/memscope/tests" ] && fail "memscope's tests were configured"
  grep -q -- "-fplugin=$proj/memscope/plugin/memscope-clang$MAJOR.so " "$proj/build.ninja" ||
    fail "the example is not compiled with the plugin of the build tree"
  trace=$(run_app "$proj/app" sd 4)
  check_app_trace "$trace" "$REPORT" sd
  ldd "$proj/app" | grep "$proj/memscope/runtime/libmemscope.so" >/dev/null || fail "app does not use the runtime of the build tree"
  # a clang major without a plugin in this tree: a clear error naming what to install
  other=
  for m in 14 15 16 17 18 19; do
    if [ "$m" != "$MAJOR" ] && [ -x "/usr/lib/llvm-$m/bin/clang" ]; then other=$m; break; fi
  done
  if [ -n "$other" ]; then
    if cmake -S "$SRC/tests/adoption/subdir" -B "$WORK/other" -G "$GENERATOR" \
         -DCMAKE_C_COMPILER="/usr/lib/llvm-$other/bin/clang" -DMEMSCOPE_SOURCE_DIR="$SRC" \
         -DMEMSCOPE_BUILD_TESTS=OFF -DMEMSCOPE_CLANG_MAJORS="$MAJOR" >"$WORK/other.log" 2>&1; then
      fail "configuring with clang $other succeeded"
    fi
    tr -s ' \n' ' ' <"$WORK/other.log" >"$WORK/other.msg"
    expect "$WORK/other.msg" "memscope has no plugin for clang $other (it has plugins for clang $MAJOR)"
    expect "$WORK/other.msg" "apt-get install clang-$other libclang-$other-dev llvm-$other-dev"
    rm -rf "$WORK/other"
  fi
  ;;

make)
  proj=$WORK/project
  rm -rf "$proj"
  mkdir -p "$proj"
  cp "$example"/*.c "$example"/*.h "$example/Makefile" "$proj/"
  PATH=$bin:$PATH MEMSCOPE_CC=$CLANG \
    MEMSCOPE_PLUGIN_ARGS='exclude=(^|/)vendor\.c$ alloc=xmalloc:size=1 free=xfree:ptr=1' \
    make -C "$proj" CC=memscope-cc >"$WORK/make.log" 2>&1 || { cat "$WORK/make.log"; fail "make failed"; }
  expect "$WORK/make.log" "memscope-cc -O1 -g -Wall -Wextra -o app app.c xalloc.o vendor.o"
  # -E: memscope.h is found, nothing is rewritten
  grep -q "memscope_get_stats" "$proj/app.i" || fail "app.i lacks memscope.h"
  nm "$proj/xalloc.o" | grep ' U memscope_malloc$' >/dev/null || fail "xalloc.o is not instrumented"
  nm "$proj/vendor.o" | grep memscope >/dev/null && fail "vendor.o is instrumented despite exclude="
  trace=$(cd "$proj" && run_app ./app mk 5)
  check_app_trace "$trace" "$bin/memscope-report" mk
  # another compiler passes through unchanged
  if command -v gcc >/dev/null; then
    MEMSCOPE_CC=gcc "$bin/memscope-cc" -c "$example/xalloc.c" -o "$WORK/gcc.o" || fail "gcc through memscope-cc failed"
    nm "$WORK/gcc.o" | grep memscope >/dev/null && fail "gcc output is instrumented"
  fi
  # a clang major without a plugin: a clear error
  mkdir -p "$WORK/fake"
  printf '#!/bin/sh\n[ "$1" = --version ] && { echo "clang version 99.1.0"; exit 0; }\nexec "%s" "$@"\n' "$CLANG" >"$WORK/fake/clang"
  chmod +x "$WORK/fake/clang"
  if MEMSCOPE_CC=$WORK/fake/clang "$bin/memscope-cc" -c "$example/xalloc.c" -o "$WORK/fake.o" 2>"$WORK/fake.err"; then
    fail "memscope-cc with clang 99 succeeded"
  fi
  expect "$WORK/fake.err" "no plugin for clang 99"
  expect "$WORK/fake.err" "apt-get install clang-99 libclang-99-dev llvm-99-dev"
  # memscope-c++ compiles C++ with the plugin of the same major
  printf '#include <cstdlib>\nstruct S { int a[5]; };\nint main() { S *s = static_cast<S *>(std::malloc(sizeof(S))); return s == nullptr; }\n' >"$WORK/cx.cpp"
  PATH=$bin:$PATH MEMSCOPE_CXX=${CLANG}++ memscope-c++ -O1 "$WORK/cx.cpp" -o "$WORK/cx" || fail "memscope-c++ failed"
  rm -f "$WORK/cx.msgpack"
  MEMSCOPE_OUT=$WORK/cx.msgpack "$WORK/cx" || fail "cx failed"
  "$bin/memscope-report" leaks "$WORK/cx.msgpack" >"$WORK/cx.leaks"
  grep -Eq '^ +20 +1 +malloc +main\(\) .*cx\.cpp:3:38  S  -> s$' "$WORK/cx.leaks" ||
    { cat "$WORK/cx.leaks" >&2; fail "no 20-byte leak of S at cx.cpp:3:38"; }
  ;;

run)
  proj=$WORK/project
  rm -rf "$proj"
  mkdir -p "$proj"
  (cd "$proj" && MEMSCOPE_CC=$CLANG MEMSCOPE_PLUGIN_ARGS='alloc=xmalloc:size=1 exclude=vendor\.c$' \
    "$bin/memscope-cc" -o app "$example/app.c" "$example/xalloc.c" "$example/vendor.c") ||
    fail "memscope-cc could not build the example"
  rc=0
  (cd "$proj" && "$bin/memscope" run -- ./app 6) >"$WORK/run.out" 2>"$WORK/run.err" || rc=$?
  [ "$rc" = 6 ] || { cat "$WORK/run.err"; fail "memscope run exited with $rc, expected 6"; }
  expect "$WORK/run.out" "live: 69 bytes in 3 blocks"
  expect_not "$WORK/run.out" "memscope report"
  expect "$WORK/run.err" "memscope: ./app exited with status 6; trace memscope.app."
  expect "$WORK/run.err" "live at exit 3 blocks, 69 bytes"
  expect "$WORK/run.err" "Leaks: 3 blocks, 69 bytes still live at exit, from 3 sites"
  # --out, and a program started through a script
  printf '#!/bin/sh\nexec ./app "$@"\n' >"$proj/app.sh"
  chmod +x "$proj/app.sh"
  rm -f "$WORK"/o.*.msgpack
  rc=0
  (cd "$proj" && "$bin/memscope" run --out "$WORK/o.%e.%p.msgpack" ./app.sh) >/dev/null 2>"$WORK/run2.err" || rc=$?
  [ "$rc" = 0 ] || { cat "$WORK/run2.err"; fail "memscope run --out exited with $rc"; }
  traces=("$WORK"/o.app.*.msgpack)
  [ ${#traces[@]} = 1 ] && [ -f "${traces[0]}" ] || fail "--out: ${#traces[@]} traces"
  expect "$WORK/run2.err" "trace ${traces[0]}"
  expect "$WORK/run2.err" "live at exit 3 blocks, 69 bytes"
  # memscope report passes through
  "$bin/memscope" report leaks "${traces[0]}" >"$WORK/report.out" || fail "memscope report failed"
  expect "$WORK/report.out" "Leaks: 3 blocks, 69 bytes still live at exit, from 3 sites"
  # an uninstrumented program: its status, and a note instead of a summary
  rc=0
  "$bin/memscope" run -- sh -c 'exit 9' >/dev/null 2>"$WORK/run3.err" || rc=$?
  [ "$rc" = 9 ] || fail "memscope run sh -c 'exit 9' exited with $rc"
  expect "$WORK/run3.err" "wrote no trace"
  rc=0
  "$bin/memscope" run -- /no/such/program 2>"$WORK/run4.err" || rc=$?
  [ "$rc" = 127 ] || fail "a missing program gave status $rc"
  expect "$WORK/run4.err" "memscope: run: /no/such/program: command not found"
  "$bin/memscope" --help >"$WORK/help.out" || fail "memscope --help failed"
  expect "$WORK/help.out" "usage: memscope run [--out PATTERN] [--] PROGRAM [ARGS...]"
  rc=0
  "$bin/memscope" frobnicate 2>/dev/null || rc=$?
  [ "$rc" = 2 ] || fail "an unknown command gave status $rc"
  ;;

*)
  fail "unknown case"
  ;;
esac
echo "PASS [$case_name]"
