#!/bin/sh
# check.sh: compiles plugin fixtures with and without the memscope plugin and checks the result.
#
#   check.sh run     --clang CC --plugin SO --report EXE --runtime LIB --include DIR --opt 0|2
#                    --work DIR FIXTURE
#       Builds FIXTURE plain and instrumented (same -O level, -Wall -Wextra), requires identical
#       diagnostics, identical program output and exit status, then checks the EXPECT comments
#       against `memscope-report dump` of the trace (expect.awk).
#   check.sh diag    --clang CC --plugin SO --work DIR FIXTURE
#       FIXTURE has a deliberate warning: with -Wall -Wextra -Werror both compiles must fail with
#       byte-identical diagnostics, and without -Werror both must succeed, again identically.
#   check.sh options --clang CC --plugin SO --work DIR FIXTURE
#       Plugin options: verbose (both argument spellings), include=, exclude=, lifetimes=off,
#       unknown keys, malformed alloc=/free=/lifetimes= values. FIXTURE lists its verbose lines
#       as /* VERBOSE: ... */; with lifetimes=off its "lifetime ->" lines must be missing.
#
# Fixture directives (comment lines): /* FLAGS: ... */ extra compiler flags, /* PLUGIN-ARGS: k=v
# ... */ plugin arguments, /* MAJORS: 14 ... */ clang majors the fixture applies to (others skip
# with status 77).
set -u

mode=${1:-}
[ $# -gt 0 ] && shift
clang= plugin= report= runtime= include= opt=0 work= fixture=
while [ $# -gt 0 ]; do
  case $1 in
    --clang) clang=$2; shift 2 ;;
    --plugin) plugin=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --opt) opt=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -*) echo "check.sh: unknown option $1" >&2; exit 2 ;;
    *) fixture=$1; shift ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "FAIL: $*"; exit 1; }
[ -n "$clang" ] && [ -n "$plugin" ] && [ -n "$work" ] && [ -n "$fixture" ] ||
  { echo "usage: check.sh run|diag|options --clang CC --plugin SO --work DIR ... FIXTURE" >&2; exit 2; }
[ -f "$fixture" ] || die "no fixture $fixture"
[ -f "$plugin" ] || die "no plugin $plugin (build it first)"

directive() { sed -n "s|^/\\* $1: \\(.*\\) \\*/\$|\\1|p" "$fixture" | head -n 1; }
flags=$(directive FLAGS)
majors=$(directive MAJORS)
pargs=
for a in $(directive PLUGIN-ARGS); do pargs="$pargs -fplugin-arg-memscope-$a"; done

major=$("$clang" --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n 1)
if [ -n "$majors" ]; then
  case " $majors " in
    *" $major "*) ;;
    *) echo "SKIP: fixture applies to clang $majors, this is clang $major"; exit 77 ;;
  esac
fi
case $fixture in
  *.cpp|*.cc) cc="${clang}++" ;;
  *) cc=$clang ;;
esac

rm -rf "$work"
mkdir -p "$work" || die "cannot create $work"

same() { # same FILE1 FILE2 WHAT
  if ! cmp -s "$1" "$2"; then
    echo "FAIL: $3 differ (plain < > with plugin):"
    diff "$1" "$2" | head -n 40
    exit 1
  fi
}

case $mode in
run)
  [ -n "$report" ] && [ -n "$runtime" ] && [ -n "$include" ] || die "run needs --report --runtime --include"
  libdir=$(dirname "$runtime")
  # shellcheck disable=SC2086
  "$cc" -O"$opt" -Wall -Wextra $flags -I"$include" "$fixture" -o "$work/plain" \
    2>"$work/plain.diag" || { cat "$work/plain.diag"; die "plain build failed"; }
  # shellcheck disable=SC2086
  "$cc" -O"$opt" -Wall -Wextra $flags -I"$include" -fplugin="$plugin" $pargs "$fixture" \
    "$runtime" -Wl,-rpath,"$libdir" -o "$work/traced" \
    2>"$work/traced.diag" || { cat "$work/traced.diag"; die "instrumented build failed"; }
  same "$work/plain.diag" "$work/traced.diag" "compiler diagnostics"

  "$work/plain" >"$work/plain.out" 2>"$work/plain.err"
  plain_rc=$?
  MEMSCOPE_OUT="$work/trace.msgpack" "$work/traced" >"$work/traced.out" 2>"$work/traced.err"
  traced_rc=$?
  [ "$plain_rc" = "$traced_rc" ] || die "exit status $plain_rc plain, $traced_rc with plugin"
  same "$work/plain.out" "$work/traced.out" "program outputs"
  [ -s "$work/plain.out" ] || die "the fixture printed nothing"

  "$report" dump "$work/trace.msgpack" >"$work/dump.txt" 2>"$work/dump.err" ||
    { cat "$work/dump.err"; die "memscope-report dump failed"; }
  awk -v file="$fixture" -f "$here/expect.awk" "$fixture" "$work/dump.txt" || {
    echo "(trace dump: $work/dump.txt)"
    exit 1
  }
  ;;

diag)
  for werror in -Werror ""; do
    # shellcheck disable=SC2086
    "$cc" -c -Wall -Wextra $werror $flags "$fixture" -o "$work/plain.o" 2>"$work/plain.diag"
    plain_rc=$?
    # shellcheck disable=SC2086
    "$cc" -c -Wall -Wextra $werror $flags -fplugin="$plugin" $pargs "$fixture" \
      -o "$work/traced.o" 2>"$work/traced.diag"
    traced_rc=$?
    [ -s "$work/plain.diag" ] || die "the fixture has no deliberate warning"
    if [ -n "$werror" ]; then
      [ "$plain_rc" != 0 ] || die "-Werror did not fail the plain build"
    else
      [ "$plain_rc" = 0 ] || die "the plain build failed without -Werror"
    fi
    [ "$plain_rc" = "$traced_rc" ] || die "status $plain_rc plain, $traced_rc with plugin ($werror)"
    same "$work/plain.diag" "$work/traced.diag" "diagnostics with '-Wall -Wextra $werror'"
  done
  echo "identical diagnostics with and without the plugin"
  ;;

options)
  expected_verbose() {
    sed -n 's|^/\* VERBOSE: \(.*\) \*/$|\1|p' "$fixture" | sed "s|@FILE@|$fixture|g"
  }
  expected_verbose >"$work/verbose.want"
  [ -s "$work/verbose.want" ] || die "the fixture lists no VERBOSE line"

  out() { # the output file of the last compile
    echo "$work/$last.err"
  }
  last=verbose
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose "$fixture" 2>"$work/$last.err"
  [ $? = 0 ] || { cat "$(out)"; die "verbose compile failed"; }
  same "$work/verbose.want" "$(out)" "verbose lines"

  last=xclang
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -Xclang -plugin-arg-memscope -Xclang verbose=1 \
    "$fixture" 2>"$work/$last.err" || die "-Xclang -plugin-arg-memscope failed"
  same "$work/verbose.want" "$(out)" "verbose lines (-Xclang -plugin-arg-memscope)"

  base=$(basename "$fixture" | sed 's/\./\\./g')
  last=exclude
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose \
    "-fplugin-arg-memscope-exclude=(^|/)$base\$" "$fixture" 2>"$work/$last.err" || die "exclude= failed"
  [ -s "$(out)" ] && { cat "$(out)"; die "exclude= matching the fixture still rewrote sites"; }

  last=include_other
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose \
    "-fplugin-arg-memscope-include=/no-such-dir/" "$fixture" 2>"$work/$last.err" || die "include= failed"
  [ -s "$(out)" ] && { cat "$(out)"; die "include= not matching the fixture still rewrote sites"; }

  last=include_self
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose \
    "-fplugin-arg-memscope-include=(^|/)$base\$" "$fixture" 2>"$work/$last.err" || die "include= failed"
  same "$work/verbose.want" "$(out)" "verbose lines with include= matching the fixture"

  grep -q ': lifetime -> ' "$work/verbose.want" || die "the fixture lists no lifetime line"
  grep -v ': lifetime -> ' "$work/verbose.want" >"$work/lifetimes_off.want"
  for off in lifetimes=off lifetimes=0 lifetimes=no; do
    last=lifetimes_off
    "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose \
      "-fplugin-arg-memscope-$off" "$fixture" 2>"$work/$last.err" || { cat "$(out)"; die "$off failed"; }
    same "$work/lifetimes_off.want" "$(out)" "verbose lines with $off"
  done
  last=lifetimes_on
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-verbose \
    -fplugin-arg-memscope-lifetimes=on "$fixture" 2>"$work/$last.err" || die "lifetimes=on failed"
  same "$work/verbose.want" "$(out)" "verbose lines with lifetimes=on"

  last=unknown
  "$cc" -fsyntax-only $flags -fplugin="$plugin" -fplugin-arg-memscope-colour=blue \
    "$fixture" 2>"$work/$last.err" || { cat "$(out)"; die "an unknown key failed the compile"; }
  grep -q "warning: memscope: unknown plugin option 'colour' ignored" "$(out)" ||
    { cat "$(out)"; die "no warning naming the unknown key"; }

  for spec in alloc=xmalloc alloc=xmalloc:siz=1 alloc=xmalloc:size=0 alloc=1x:size=1 \
              alloc=xmalloc:size=1,size=2 alloc=xmalloc:size=1,count=1 free=xfree \
              free=xfree:size=1 free=xfree:ptr=one sample=foo sample=foo:sometimes sample=:all; do
    last=malformed
    "$cc" -fsyntax-only $flags -fplugin="$plugin" "-fplugin-arg-memscope-$spec" \
      "$fixture" 2>"$work/$last.err" && { cat "$(out)"; die "malformed '$spec' was accepted"; }
    grep -q "error: memscope: malformed plugin option '$spec'" "$(out)" ||
      { cat "$(out)"; die "no error naming the malformed spec '$spec'"; }
  done

  for spec in lifetimes lifetimes=maybe lifetimes=; do
    last=malformed
    "$cc" -fsyntax-only $flags -fplugin="$plugin" "-fplugin-arg-memscope-$spec" \
      "$fixture" 2>"$work/$last.err" && { cat "$(out)"; die "malformed '$spec' was accepted"; }
    grep -q "error: memscope: malformed plugin option '$spec': expected lifetimes=on or lifetimes=off" "$(out)" ||
      { cat "$(out)"; die "no error naming the malformed spec '$spec'"; }
  done

  # sample=REGEX:never marks the descriptors (flag 0x40) of matching sites, and only those
  last=sample
  "$cc" -S -emit-llvm -o "$work/sample.ll" $flags -fplugin="$plugin" \
    "-fplugin-arg-memscope-sample=.*:never" "$fixture" 2>"$work/$last.err" || die "sample= failed"
  grep -qE 'i32 1, i16 [0-9]+, i16 64, ' "$work/sample.ll" ||
    die "sample=.*:never did not mark the site descriptors"
  "$cc" -S -emit-llvm -o "$work/sample.ll" $flags -fplugin="$plugin" \
    "-fplugin-arg-memscope-sample=no-such-file:never" "$fixture" 2>"$work/$last.err" || die "sample= failed"
  grep -qE 'i32 1, i16 [0-9]+, i16 64, ' "$work/sample.ll" &&
    die "sample= marked sites it does not match"

  last=badregex
  "$cc" -fsyntax-only $flags -fplugin="$plugin" "-fplugin-arg-memscope-exclude=(" \
    "$fixture" 2>"$work/$last.err" && die "an invalid regular expression was accepted"
  grep -q "error: memscope: invalid regular expression in plugin option 'exclude=('" "$(out)" ||
    { cat "$(out)"; die "no error naming the invalid regular expression"; }
  echo "plugin options behave as documented"
  ;;

*)
  echo "check.sh: unknown mode '$mode'" >&2
  exit 2
  ;;
esac
