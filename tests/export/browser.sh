#!/usr/bin/env bash
# browser.sh: loads the html export in headless Chromium: the page's self-test sorts a table and
# hovers the chart; the dumped DOM must show the chart, the tables and the sort results. Keeps a
# screenshot (report.png). Exit 77 (skipped) when chromium is not installed.
set -uo pipefail
gen=$1 report=$2 dir=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "skipped: no chromium"
  exit 77
fi
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
failures=0 checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_grep() {
  checks=$((checks + 1))
  grep -qF -- "$1" "$2" || fail "the page lacks '$1' (see $dir/$2)"
}
browser() {
  local profile
  profile=$(mktemp -d)
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" \
    2>>chromium.log
  local rc=$?
  rm -rf "$profile"
  return $rc
}

"$gen" trace.msgpack || exit 1
"$report" html trace.msgpack -o report.html || { echo "FAIL: html export" >&2; exit 1; }
browser --dump-dom "file://$dir/report.html?selftest=1" >dom.html || fail "chromium --dump-dom"
# rendered: cards, the chart (7 points, peak 1952 B), every table with its rows
expect_grep '<body data-rendered="1"' dom.html
expect_grep 'id="chart-svg" data-points="7" data-ymax="2048" data-tmax="10"' dom.html
expect_grep '<circle cx=' dom.html
expect_grep '<div class="k">Peak live</div><div class="v">1.91 KiB</div><div class="d">at 3 ms</div>' dom.html
expect_grep '<table id="types-table" data-rows="4" data-sort-key="bytes" data-sort-dir="desc" data-first="(unknown type)">' dom.html
expect_grep '<table id="vars-table" data-rows="6" data-sort-key="bytes" data-sort-dir="desc"' dom.html
expect_grep '<table id="leaks-table" data-rows="3" data-sort-key="lbytes" data-sort-dir="desc" data-first="make_node() src/list.c:12:15">' dom.html
expect_grep '<td class="num ">72 B</td>' dom.html
expect_grep '<div id="flame" data-boxes="18" data-root="all sites"' dom.html
# the self-test: a click on "Blocks" sorts by count (make_node has 10 blocks), a second click
# reverses; hovering the chart at the peak shows its time and bytes
expect_grep 'data-selftest-sort-desc="make_node() src/list.c:12:15"' dom.html
expect_grep '<table id="sites-table" data-rows="6" data-sort-key="allocs" data-sort-dir="asc"' dom.html
expect_grep 'data-selftest-hover="at 3 ms: 1.91 KiB live (1,952 B)"' dom.html
expect_grep 'data-selftest-zoom="src/list.c: 6 boxes"' dom.html
expect_grep 'data-selftest="pass"' dom.html
# a trace cut inside its sites: the page still renders, says so, and its self-test passes
"$gen" cut.msgpack 150 || exit 1
"$report" html cut.msgpack -o cut.html 2>/dev/null
browser --dump-dom "file://$dir/cut.html?selftest=1" >cut-dom.html || fail "chromium --dump-dom (cut)"
expect_grep 'id="incomplete"' cut-dom.html
expect_grep 'No block was live where the trace ends.' cut-dom.html
expect_grep 'data-selftest="pass"' cut-dom.html
browser --screenshot="$dir/report.png" --window-size=1280,900 "file://$dir/report.html" \
  >/dev/null || fail "chromium --screenshot"
checks=$((checks + 1))
[ -s report.png ] || fail "no screenshot"
echo "screenshot: $dir/report.png"
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
