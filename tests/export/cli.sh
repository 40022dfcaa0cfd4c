#!/usr/bin/env bash
# cli.sh: the export views from the command line: exact folded output, pprof and html files,
# partial exports of a cut trace, usage errors and exit codes.
set -uo pipefail
gen=$1 report=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
failures=0 checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_eq() { checks=$((checks + 1)); [ "$1" == "$2" ] || fail "$3: got '$1', want '$2'"; }
expect_grep() {
  checks=$((checks + 1))
  grep -qE -- "$1" "$2" || { fail "no line matching '$1' in $2:"; sed 's/^/    /' "$2" >&2; }
}
run() { "$report" "$@" >out.txt 2>err.txt; echo $?; }

"$gen" trace.msgpack || exit 1
folded='odd,name.c;(file scope);7 1000
src/buf.c;buf_grow;21:11 char -> b->data 448
src/list.c;make_table;30:9 int -> t->slots 400
src/list.c;make_node;12:15 struct node -> n 240
?;?;site 9 50
src/main.c;main;8:17 char -> name 6'

expect_eq "$(run folded trace.msgpack)" 0 "folded exit code"
expect_eq "$(cat out.txt)" "$folded" "folded output"
expect_eq "$(cat err.txt)" "" "folded stderr"
expect_eq "$(run folded trace.msgpack -o stacks.folded)" 0 "folded -o exit code"
expect_eq "$(cat stacks.folded)" "$folded" "folded -o file"
expect_eq "$(cat out.txt)" "" "folded -o leaves stdout empty"
expect_eq "$(run folded --live --output=live.folded trace.msgpack)" 0 "folded --live exit code"
expect_eq "$(cat live.folded)" "src/list.c;make_node;12:15 struct node -> n 72
?;?;site 9 50
src/main.c;main;8:17 char -> name 6" "folded --live output"

expect_eq "$(run pprof trace.msgpack -o profile.pb.gz)" 0 "pprof exit code"
checks=$((checks + 1))
gzip -t profile.pb.gz || fail "pprof: profile.pb.gz is not a valid gzip file"
expect_eq "$("$report" pprof trace.msgpack 2>/dev/null | gzip -dc | cmp - <(gzip -dc profile.pb.gz) && echo same)" \
  same "pprof to a pipe writes the same profile"

# -o for the text and JSON views: the same bytes as on standard output.
for args in "summary" "leaks" "sites --json" "timeline" "dump"; do
  "$report" $args trace.msgpack >stdout.txt 2>/dev/null
  expect_eq "$(run $args -o view.txt trace.msgpack)" 0 "$args -o exit code"
  expect_eq "$(cat out.txt)" "" "$args -o leaves stdout empty"
  expect_eq "$(cmp view.txt stdout.txt && echo same)" same "$args -o writes the view"
done
"$report" diff trace.msgpack trace.msgpack >stdout.txt 2>/dev/null
expect_eq "$(run diff trace.msgpack trace.msgpack -o view.txt)" 0 "diff -o exit code"
expect_eq "$(cmp view.txt stdout.txt && echo same)" same "diff -o writes the view"
expect_eq "$(run summary trace.msgpack -o no/such/dir/x.txt)" 1 "summary -o unwritable"
expect_grep '^memscope-report: cannot write no/such/dir/x.txt: No such file or directory$' err.txt
expect_eq "$(cat out.txt)" "" "summary -o unwritable: nothing on stdout"

# --filter applies to the exports.
expect_eq "$(run folded --filter 'list\.c' trace.msgpack)" 0 "folded --filter exit code"
expect_eq "$(cat out.txt)" "src/list.c;make_table;30:9 int -> t->slots 400
src/list.c;make_node;12:15 struct node -> n 240" "folded --filter output"
expect_eq "$(run html --filter '^buf_' trace.msgpack -o filtered.html)" 0 "html --filter exit code"
expect_grep 'buf_grow' filtered.html
checks=$((checks + 1))
grep -q '"make_node"' filtered.html && fail "html --filter: make_node should be filtered out"
expect_eq "$(run pprof --filter '(' trace.msgpack -o x.pb.gz)" 1 "pprof --filter with a bad regex"
expect_grep "bad regular expression" err.txt

expect_eq "$(run html trace.msgpack -o page.html)" 0 "html exit code"
expect_eq "$(head -c 15 page.html)" "<!doctype html>" "html start"
expect_grep '<title>memscope: shop</title>' page.html
expect_grep '"live_bytes":128' page.html

# A cut trace: a partial export, the offset on stderr, exit 2.
"$gen" cut.msgpack 400 || exit 1
expect_eq "$(run folded cut.msgpack)" 2 "folded on a cut trace: exit code"
expect_grep 'truncated at byte 400' err.txt
expect_grep '^src/list.c;make_node;12:15 struct node -> n 240$' out.txt
expect_eq "$(run html cut.msgpack -o cut.html)" 2 "html on a cut trace: exit code"
expect_grep 'id="incomplete"' cut.html

# Usage errors: exit 1, nothing written.
expect_eq "$(run html --live trace.msgpack -o x.html)" 1 "html --live"
expect_grep '--live belongs to the folded view, not html' err.txt
expect_eq "$(run summary --live trace.msgpack)" 1 "summary --live"
expect_grep '--live belongs to the folded view, not summary' err.txt
expect_eq "$(run folded --top 3 trace.msgpack)" 1 "folded --top"
expect_grep '--top does not apply to folded' err.txt
expect_eq "$(run pprof trace.msgpack -o)" 1 "pprof -o without a file"
expect_grep '-o needs a file name' err.txt
expect_eq "$(run pprof missing.msgpack -o never.pb.gz)" 1 "pprof of a missing trace"
expect_grep 'cannot open' err.txt
checks=$((checks + 1))
[ ! -e never.pb.gz ] || fail "pprof of a missing trace created its output file"
expect_eq "$(run html trace.msgpack -o no/such/dir/page.html)" 1 "html into a missing directory"
expect_grep 'cannot write no/such/dir/page.html' err.txt
for v in folded pprof html; do
  expect_eq "$(run $v --help)" 0 "$v --help exit code"
  expect_grep "^usage: memscope-report $v " out.txt
done

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
