/* main.c: command line of memscope-report: argument parsing and dispatch to the views. */
#include "views.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum view_id { VIEW_SUMMARY, VIEW_LEAKS, VIEW_DUMP, VIEW_SITES, VIEW_TYPES, VIEW_VARS,
                       VIEW_THREADS, VIEW_PEAK, VIEW_TIMELINE, VIEW_DIFF, VIEW_FOLDED, VIEW_PPROF,
                       VIEW_HTML, VIEW_COUNT } view_id;

static const char *const view_names[VIEW_COUNT] = {"summary", "leaks", "dump", "sites", "types",
                                                    "vars", "threads", "peak", "timeline", "diff",
                                                    "folded", "pprof", "html"};

static const char *const tool_help =
    "usage: memscope-report [VIEW] [OPTIONS] TRACE\n"
    "\n"
    "Reads a memscope trace (TRACE, or - for standard input) and prints a report.\n"
    "\n"
    "Views:\n"
    "  summary   totals, peak live bytes, top sites and types, leaks (the default)\n"
    "  leaks     blocks still live at exit, grouped by allocation site\n"
    "  dump      the trace as text, one line per record or event\n"
    "  sites     allocation sites: bytes, count, live, peak share, mean size, lifetimes\n"
    "  types     the same grouped by allocated type\n"
    "  vars      the same grouped by receiving variable or field\n"
    "  threads   the same per allocating thread\n"
    "  peak      what was live at the peak of live bytes, by site and by type\n"
    "  timeline  live bytes over time as a text chart\n"
    "  diff      compares two traces (diff A B) site by site: growth, new and removed sites\n"
    "  folded    folded stacks (file;function;site bytes) for flame graph tools\n"
    "  pprof     a gzipped pprof profile (alloc/inuse objects and space) for pprof tools\n"
    "  html      one self-contained HTML page: chart, sortable tables, leaks, flame view\n"
    "\n"
    "Options (anywhere on the line):\n"
    "  --top N         rows per table (summary: 10; leaks: all)\n"
    "  --fail-on-leak  leaks: exit with status 3 when blocks are live at exit\n"
    "  --sort KEY      tables: order by bytes, count, live (at exit) or mean (size)\n"
    "  --filter RE     only sites whose file or function matches the extended regex RE\n"
    "  --json          one JSON document instead of text (every view but the exports)\n"
    "  --width N       timeline: columns of the chart\n"
    "  -o FILE         write the view to FILE instead of standard output\n"
    "  --live          folded: bytes live at exit instead of bytes allocated\n"
    "  --at MARK       every figure as of a mark (memscope_snapshot or MEMSCOPE_SIGNAL), named\n"
    "                  by its label or number: events after its millisecond are left out\n"
    "  -h, --help      this help; VIEW --help for the help of one view\n"
    "\n"
    "Exit status:\n"
    "  0  the trace is complete and was read to its END record\n"
    "  1  bad arguments, or the trace cannot be opened\n"
    "  2  the trace is corrupt, truncated or incomplete: the report covers the valid part and\n"
    "     the error, with its byte offset, goes to standard error\n"
    "  3  leaks --fail-on-leak: blocks were live at exit\n";

static const char *const view_help[VIEW_COUNT] = {
    "usage: memscope-report [summary] [--top N] [--filter REGEX] [--json] TRACE\n"
    "\n"
    "Prints the program, pid, duration, threads, allocation and free totals, peak live bytes\n"
    "and when it was reached, the allocation rate, the top N sites by bytes and by count, the\n"
    "top N types, the blocks still live at exit grouped by site, and the runtime's own\n"
    "accounting (events seen, recorded, dropped, buffers, bytes written, runtime memory).\n"
    "Every site is shown as: function() file:line:col  type  -> variable\n"
    "\n"
    "With sampled traces, estimated figures are marked ~ and followed by a confidence note;\n"
    "changes of the sampling mean (SAMPLING records) are listed.\n"
    "\n"
    "  --top N        rows per table (default 10)\n"
    "  --filter RE    tables: only sites whose file or function matches the extended regex RE\n"
    "  --json         one JSON document (docs/report.md describes it)\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n",
    "usage: memscope-report leaks [--top N] [--fail-on-leak] [--sort bytes|count|mean]\n"
    "                             [--filter REGEX] [--json] TRACE\n"
    "\n"
    "Lists the blocks still live at exit, grouped by allocation site, largest first: bytes,\n"
    "blocks, kind and site (function() file:line:col  type  -> variable). For an incomplete\n"
    "trace these are the blocks live where the valid data ends. Under each site, one line per\n"
    "fate of its blocks, from the last ownership event of each block (scope exits and\n"
    "hand-offs of instrumented local variables):\n"
    "  N bytes in K blocks: allocated at FILE:LINE:COL as `TYPE` into `VAR`; last owner `V`\n"
    "  went out of scope at FILE:LINE:COL (the `return` that left it) in F() without a free\n"
    "and likewise \"was overwritten at\", \"handed on: stored into `DEST` at\", \"returned to\n"
    "the caller at\", or \"no owner went out of scope (still referenced at exit)\".\n"
    "\n"
    "  --top N          list only the N largest sites (default: all)\n"
    "  --fail-on-leak   exit with status 3 when any block is live at exit (for CI)\n"
    "  --sort KEY       bytes (default), count (blocks) or mean (block size)\n"
    "  --filter RE      only sites whose file or function matches the extended regex RE\n"
    "  --json           one JSON document with the fates of each site (docs/report.md)\n"
    "\n"
    "Exit status: 0 no leaks or no --fail-on-leak, 1 usage or cannot open, 2 corrupt or\n"
    "incomplete trace (takes precedence), 3 leaks found with --fail-on-leak.\n",
    "usage: memscope-report dump [--json] TRACE\n"
    "\n"
    "Prints the trace as text, in file order, one line per header, site, thread, event,\n"
    "message and end record, fields as key=value:\n"
    "  header version=1.0 pid=4242 program=\"demo\"\n"
    "  site id=3 kind=malloc flags=0x1 file=\"x.c\" line=12 col=5 func=\"main\" type=\"struct node\"\n"
    "       sizeof=\"struct node\" elem=16 var=\"p\"\n"
    "  thread id=1 tid=4242 name=\"demo\"\n"
    "  alloc t=0 thread=1 site=3 ptr=0x5581a0 size=16\n"
    "  free t=0 thread=1 site=4 ptr=0x5581a0\n"
    "  realloc t=1 thread=1 site=5 old=0x5581a0 ptr=0x5582b0 size=32\n"
    "  scope_exit t=1 thread=1 site=6 ptr=0x5582b0 exit=7\n"
    "  sampled t=2 thread=1 site=3 ptr=0x5583c0 size=64 weight=8192.5\n"
    "  handoff t=2 thread=1 site=8 ptr=0x5583c0\n"
    "  sampling t=3 mean=524288\n"
    "  message t=5 text=\"...\"\n"
    "  end events_seen=10 events_recorded=10 ...\n"
    "Strings are quoted with C escapes; t is in ms since the trace started. With --json, one\n"
    "document {\"view\": \"dump\", \"records\": [...], \"complete\", \"error\"}.\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n",
    memscope_help_sites, memscope_help_types, memscope_help_vars, memscope_help_threads,
    memscope_help_peak, memscope_help_timeline, memscope_help_diff,
    memscope_help_folded, memscope_help_pprof, memscope_help_html,
};

static int usage_error(const char *fmt, const char *arg) {
  fputs("memscope-report: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs(" (see memscope-report --help)\n", stderr);
  return MEMSCOPE_EXIT_USAGE;
}

static int parse_top(const char *s, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || v == 0 || v > 1000000000ul) return -1;
  *out = (unsigned)v;
  return 0;
}


static int run_model_view(view_id view, const memscope_view_opts *o) {
  memscope_model m;
  memscope_read_result res;
  int status = memscope_view_load(o->trace, o->at, &m, &res);
  int rc = 0;
  if (m.have_header) {
    rc = memscope_view_run(view_names[view], stdout, &m, &res, o);
  }
  fflush(stdout);
  if (rc || ferror(stdout)) {
    fputs("memscope-report: cannot write the report\n", stderr);
    if (status == 0) status = MEMSCOPE_EXIT_USAGE;
  }
  if (status == 0 && view == VIEW_LEAKS && o->fail_on_leak && m.live_blocks > 0)
    status = MEMSCOPE_EXIT_LEAKS;
  memscope_model_free(&m);
  return status;
}

int main(int argc, char **argv) {
  int view = -1, help = 0;
  memscope_view_opts o = {0};
  const char *bad_option = NULL;
  int options_done = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_done && a[0] == '-' && a[1] != 0) {
      if (!strcmp(a, "--")) options_done = 1;
      else if (!strcmp(a, "-h") || !strcmp(a, "--help")) help = 1;
      else if (!strcmp(a, "--fail-on-leak")) o.fail_on_leak = 1;
      else if (!strcmp(a, "--live")) o.live = 1;
      else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strncmp(a, "--output=", 9)) {
        o.output = !strncmp(a, "--output=", 9) ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
        if (!o.output || !o.output[0]) return usage_error("%s needs a file name", a);
      }
      else if (!strcmp(a, "--top") || !strncmp(a, "--top=", 6)) {
        const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) return usage_error("%s needs a number", a);
        if (parse_top(v, &o.top)) return usage_error("--top: expected a positive number, got '%s'", v);
      } else {
        int k = memscope_view_option(argc, argv, &i, &o);
        if (k < 0) return MEMSCOPE_EXIT_USAGE;
        if (k == 0 && !bad_option) bad_option = a;
      }
      continue;
    }
    if (view < 0 && !o.trace) {
      int k;
      for (k = 0; k < VIEW_COUNT; k++)
        if (!strcmp(a, view_names[k])) break;
      if (k < VIEW_COUNT) {
        view = k;
        continue;
      }
    }
    if (o.trace && view < 0) {
      for (int k = 0; k < VIEW_COUNT; k++)
        if (!strcmp(a, view_names[k]))
          return usage_error("the view '%s' must come before the trace file", a);
      return usage_error("unknown view '%s'", o.trace);
    }
    if (o.trace && view == VIEW_DIFF && !o.trace2) {
      o.trace2 = a;
      continue;
    }
    if (o.trace) return usage_error("one trace file expected, got a second one: '%s'", a);
    o.trace = a;
  }
  if (help) {
    fputs(view < 0 ? tool_help : view_help[view], stdout);
    return MEMSCOPE_EXIT_OK;
  }
  if (bad_option) return usage_error("unknown option '%s'", bad_option);
  if (view < 0) view = VIEW_SUMMARY;
  if (!o.trace) return usage_error("no trace file given%s", "");
  if (o.fail_on_leak && view != VIEW_LEAKS)
    return usage_error("--fail-on-leak belongs to the leaks view, not %s", view_names[view]);
  if (o.live && view < VIEW_FOLDED)
    return usage_error("--live belongs to the folded view, not %s", view_names[view]);
  if (view >= VIEW_FOLDED && o.top) return usage_error("--top does not apply to %s", view_names[view]);
  if (memscope_view_prepare(view_names[view], &o)) return MEMSCOPE_EXIT_USAGE;
  if (view >= VIEW_FOLDED) return memscope_export_run(view_names[view], &o);
  if (view == VIEW_DUMP && o.top) return usage_error("--top does not apply to %s", "dump");
  /* -o FILE for the text and JSON views: the view goes there instead of standard output */
  if (o.output && strcmp(o.output, "-") && !freopen(o.output, "w", stdout)) {
    fprintf(stderr, "memscope-report: cannot write %s: %s\n", o.output, strerror(errno));
    return MEMSCOPE_EXIT_USAGE;
  }
  if (view == VIEW_DIFF) return memscope_view_diff_run(&o);
  if (view == VIEW_DUMP) {
    memscope_read_result res;
    int rc = o.json ? memscope_view_dump_json(stdout, o.trace, &res)
                    : memscope_view_dump(stdout, o.trace, &res);
    fflush(stdout);
    int status = memscope_read_exit_status(&res);
    if (rc || ferror(stdout)) {
      fputs("memscope-report: cannot write the dump\n", stderr);
      if (status == 0) status = MEMSCOPE_EXIT_USAGE;
    }
    return status;
  }
  return run_model_view((view_id)view, &o);
}
