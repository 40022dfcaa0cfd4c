#!/usr/bin/env bash
# pprof_go.sh: reads the pprof export with `go tool pprof` (the reference reader): totals per
# sample type and the site frames. Exit 77 (skipped) when go is not installed.
set -uo pipefail
gen=$1 report=$2 dir=$3
if ! command -v go >/dev/null; then
  echo "skipped: no go"
  exit 77
fi
rm -rf "$dir" && mkdir -p "$dir/home" && cd "$dir" || exit 1
export HOME=$dir/home GOFLAGS= GOPROXY=off GOTOOLCHAIN=local PPROF_TMPDIR=$dir/home
failures=0 checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_grep() {
  checks=$((checks + 1))
  grep -qE -- "$1" "$2" || { fail "no line matching '$1' in $2:"; sed 's/^/    /' "$2" >&2; }
}
"$gen" trace.msgpack || exit 1
"$report" pprof trace.msgpack -o profile.pb.gz || { echo "FAIL: pprof export" >&2; exit 1; }
for t in alloc_space alloc_objects inuse_space inuse_objects; do
  go tool pprof -top -sample_index=$t profile.pb.gz >$t.txt 2>&1 || fail "go tool pprof -sample_index=$t"
done
expect_grep '^Type: alloc_space$' alloc_space.txt
expect_grep 'Total samples = 2144B' alloc_space.txt
expect_grep '^ +1000B +46\.64% +46\.64% +1000B +46\.64% +file scope \[odd,name\.c:7\]$' alloc_space.txt
expect_grep '^ +240B .* make_node \[src/list\.c:12:15 struct node -> n\]$' alloc_space.txt
expect_grep 'Total samples = 17 ?$' alloc_objects.txt
expect_grep 'Total samples = 128B' inuse_space.txt
expect_grep '^ +72B .* make_node \[src/list\.c:12:15 struct node -> n\]$' inuse_space.txt
expect_grep 'Total samples = 5 ?$' inuse_objects.txt
go tool pprof -raw profile.pb.gz >raw.txt 2>&1 || fail "go tool pprof -raw"
expect_grep 'kind:\[malloc\] type:\[struct node\] variable:\[n\]' raw.txt
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
