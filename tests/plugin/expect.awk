# expect.awk: checks the EXPECT comments of a plugin fixture against `memscope-report dump` output.
#
# Usage: awk -v file=PATH -f expect.awk FIXTURE DUMP
#   file     the fixture path as given to the compiler (the `file` of its sites)
#
# In the fixture, a comment on the line of a call site states what its site must look like:
#   /* EXPECT kind=malloc type="struct node" var="p" flags=COUNTED|FIELD size=16 */
# Site fields: kind col func type sizeof elem var flags (names COUNTED FIELD RETURN WRAPPER
# MACRO EXIT_RETURN EXIT_BREAK EXIT_CONT EXIT_GOTO EXIT_END EXIT_ASSIGN joined by '|', or a
# number). Event fields: events=N (alloc, realloc and free events of the site; for a variable
# site its scope_exit events, for an exit site the scope_exit events that name it, for a handoff
# site its handoff events), ops=alloc,realloc (their kinds in order), size=N (every alloc and
# realloc has that size), sizes=N,M (the sizes in order), live=N (how many of the scope_exit or
# handoff events of the site carried a block that was live at that point of the trace). Several
# EXPECTs on one line are told apart by kind=, col= and var=.
# /* EXPECT-NONE */ says no site may be on that line. Every site of the fixture in the trace must
# be expected, and the trace must be complete (end record).
# Lifetime sites (kinds variable, exit, handoff) are checked only in fixtures with a line
# /* LIFETIMES */; elsewhere they are left out of the comparison. In such a fixture every site
# must be matched by an EXPECT of its own, not merely be on a line that has one.

function kv(s, out,    n, i, c, key, val) {
  for (key in out)
    delete out[key]
  n = length(s)
  i = 1
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == " " || c == "\t") { i++; continue }
    key = ""
    while (i <= n) {
      c = substr(s, i, 1)
      if (c == "=" || c == " " || c == "\t") break
      key = key c
      i++
    }
    if (c != "=") { out["@" key] = 1; continue }
    i++
    val = ""
    if (substr(s, i, 1) == "\"") {
      i++
      while (i <= n) {
        c = substr(s, i, 1)
        if (c == "\\") { val = val c substr(s, i + 1, 1); i += 2; continue }
        if (c == "\"") { i++; break }
        val = val c
        i++
      }
    } else {
      while (i <= n) {
        c = substr(s, i, 1)
        if (c == " " || c == "\t") break
        val = val c
        i++
      }
    }
    out[key] = val
  }
}

function hexval(s,    i, v, c) {
  v = 0
  s = tolower(s)
  if (substr(s, 1, 2) != "0x") return s + 0
  for (i = 3; i <= length(s); i++) {
    c = index("0123456789abcdef", substr(s, i, 1))
    if (c == 0) return -1
    v = v * 16 + c - 1
  }
  return v
}

function flagval(s,    parts, n, i, v, f) {
  if (s ~ /^[0-9]/) return hexval(s)
  v = 0
  n = split(s, parts, "|")
  for (i = 1; i <= n; i++) {
    f = parts[i]
    if (f == "COUNTED") v += 1
    else if (f == "FIELD") v += 2
    else if (f == "RETURN") v += 4
    else if (f == "WRAPPER") v += 8
    else if (f == "MACRO") v += 16
    else if (f == "EXIT_RETURN") v += 256
    else if (f == "EXIT_BREAK") v += 512
    else if (f == "EXIT_CONT") v += 1024
    else if (f == "EXIT_GOTO") v += 2048
    else if (f == "EXIT_END") v += 4096
    else if (f == "EXIT_ASSIGN") v += 8192
    else if (f != "0" && f != "") return -1
  }
  return v
}

function fail(msg) {
  print "FAIL: " msg
  failures++
}

# The fixture: collect the expectations.
FNR == NR {
  if ($0 == "/* LIFETIMES */") lifetimes = 1
  rest = $0
  while ((at = index(rest, "/* EXPECT")) > 0) {
    rest = substr(rest, at + 3)
    stop = index(rest, "*/")
    if (stop == 0) { fail("line " FNR ": unterminated EXPECT comment"); break }
    text = substr(rest, 1, stop - 1)
    rest = substr(rest, stop + 2)
    nexp++
    exp_line[nexp] = FNR
    if (text ~ /^EXPECT-NONE/) {
      exp_none[nexp] = 1
      exp_text[nexp] = ""
    } else {
      exp_text[nexp] = substr(text, 7)
    }
    expected_line[FNR] = 1
  }
  next
}

# The dump.
$1 == "site" {
  kv($0, f)
  if (f["file"] != file) next
  if (!lifetimes && (f["kind"] == "variable" || f["kind"] == "exit" || f["kind"] == "handoff")) next
  id = f["id"]
  nsites++
  site_ids[nsites] = id
  for (k in f) site[id, k] = f[k]
  next
}
function event(id, op) {
  ev_count[id]++
  ev_ops[id] = ev_ops[id] (ev_count[id] > 1 ? "," : "") op
}
$1 == "alloc" || $1 == "realloc" || $1 == "free" {
  kv($0, f)
  id = f["site"]
  event(id, $1)
  if ($1 != "free") {
    ev_nsized[id]++
    ev_sizes[id] = ev_sizes[id] (ev_nsized[id] > 1 ? "," : "") f["size"]
  }
  if ($1 == "free") delete live_ptr[f["ptr"]]
  else {
    if ($1 == "realloc") delete live_ptr[f["old"]]
    if (f["ptr"] != "0x0") live_ptr[f["ptr"]] = 1
  }
  next
}
$1 == "scope_exit" || $1 == "handoff" {
  kv($0, f)
  event(f["site"], $1)
  if (f["ptr"] in live_ptr) ev_live[f["site"]]++
  if ($1 == "scope_exit" && f["exit"] != "0") {
    event(f["exit"], $1)
    if (f["ptr"] in live_ptr) ev_live[f["exit"]]++
  }
  next
}
$1 == "end" { complete = 1; next }

END {
  if (!complete) fail("the trace has no end record")
  if (nexp == 0) fail("the fixture has no EXPECT comment")
  split("kind col func type sizeof elem var", field_keys, " ")
  for (e = 1; e <= nexp; e++) {
    line = exp_line[e]
    kv(exp_text[e], want)
    # candidate sites: same line, and kind/col when given
    nc = 0
    for (s = 1; s <= nsites; s++) {
      id = site_ids[s]
      if (site[id, "line"] != line) continue
      if (exp_none[e]) { fail("line " line ": unexpected site " id " (" site[id, "kind"] ")"); continue }
      if (("kind" in want) && site[id, "kind"] != want["kind"]) continue
      if (("col" in want) && site[id, "col"] != want["col"]) continue
      if (("var" in want) && site[id, "var"] != want["var"]) continue
      nc++
      match_id = id
    }
    if (exp_none[e]) { checked++; continue }
    where = "line " line " (" exp_text[e] ")"
    if (nc == 0) { fail(where ": no such site in the trace"); continue }
    if (nc > 1) { fail(where ": " nc " sites match; add col= or var="); continue }
    id = match_id
    matched[id] = 1
    for (k in want) {
      if (k ~ /^@/) { fail(where ": stray word '" substr(k, 2) "'"); continue }
      if (k == "kind" || k == "col" || k == "func" || k == "type" || k == "sizeof" ||
          k == "elem" || k == "var") {
        if (site[id, k] != want[k])
          fail(where ": " k " is \"" site[id, k] "\", expected \"" want[k] "\"")
      } else if (k == "flags") {
        got = hexval(site[id, "flags"])
        want_flags = flagval(want[k])
        if (want_flags < 0) fail(where ": bad flags value '" want[k] "'")
        else if (got != want_flags) fail(where ": flags are " site[id, "flags"] ", expected " want[k])
      } else if (k == "events") {
        if (ev_count[id] + 0 != want[k] + 0)
          fail(where ": " (ev_count[id] + 0) " events, expected " want[k])
      } else if (k == "ops") {
        if (ev_ops[id] != want[k]) fail(where ": events are '" ev_ops[id] "', expected " want[k])
      } else if (k == "size") {
        n = split(ev_sizes[id], sz, ",")
        if (n == 0) fail(where ": no sized event")
        for (i = 1; i <= n; i++)
          if (sz[i] != want[k]) { fail(where ": sizes are " ev_sizes[id] ", expected " want[k]); break }
      } else if (k == "live") {
        if (ev_live[id] + 0 != want[k] + 0)
          fail(where ": " (ev_live[id] + 0) " events with a live block, expected " want[k])
      } else if (k == "sizes") {
        if (ev_sizes[id] != want[k]) fail(where ": sizes are " ev_sizes[id] ", expected " want[k])
      } else {
        fail(where ": unknown expectation key '" k "'")
      }
    }
    checked++
  }
  for (s = 1; s <= nsites; s++) {
    id = site_ids[s]
    if (!(site[id, "line"] in expected_line) || (lifetimes && !(id in matched)))
      fail("unexpected site " id " at line " site[id, "line"] " col " site[id, "col"] " (" site[id, "kind"] " -> \"" site[id, "var"] "\")")
  }
  print checked " expectations checked, " nsites " sites of the fixture in the trace"
  exit failures > 0 ? 1 : 0
}
