/* export.c: runs the export views (folded, pprof, html): reads the model, opens -o, exit status. */
#include "export.h"
#include "views_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------
   Helpers shared by the exports
------------------------------------------------------------------------------------------------ */
static void clean(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
    else if (*s == ';') *s = ',';
}

void _memscope_export_frames(const memscope_msite *s, char *file, size_t nfile, char *func,
                             size_t nfunc, char *label, size_t nlabel) {
  if (s->id == 0 || !s->defined) {
    snprintf(file, nfile, "?");
    snprintf(func, nfunc, "?");
    if (s->id == 0) snprintf(label, nlabel, "(unknown site)");
    else snprintf(label, nlabel, "site %llu", (unsigned long long)s->id);
    return;
  }
  snprintf(file, nfile, "%s", s->file[0] ? s->file : "?");
  snprintf(func, nfunc, "%s", s->function[0] ? s->function : "(file scope)");
  size_t k = 0;
#define PUT(...)                                                                               \
  do {                                                                                         \
    if (k < nlabel) {                                                                          \
      int w_ = snprintf(label + k, nlabel - k, __VA_ARGS__);                                   \
      if (w_ > 0) k += (size_t)w_;                                                             \
    }                                                                                          \
  } while (0)
  PUT("%llu", (unsigned long long)s->line);
  if (s->column) PUT(":%llu", (unsigned long long)s->column);
  if (s->type_name[0]) PUT(" %s", s->type_name);
  if (s->var_name[0]) PUT(" -> %s", s->var_name);
#undef PUT
  clean(file), clean(func), clean(label);
}


size_t _memscope_export_timeline(const memscope_model *m, size_t max, memscope_tpoint **out,
                                 uint64_t *width) {
  if (max < 2) max = 2;
  uint64_t nb = m->nbuckets;
  uint64_t group = nb / (max - 1) + (nb % (max - 1) != 0);
  if (group == 0) group = 1;
  size_t npts = (size_t)((nb + group - 1) / group) + 1;
  memscope_tpoint *p = malloc(npts * sizeof *p);
  *out = p;
  if (!p) return 0;
  *width = group << m->shift;
  int64_t run = 0;
  size_t n = 0;
  for (uint64_t g = 0; g < nb; g += group) {
    int64_t best = run;
    for (uint64_t i = g; i < nb && i < g + group; i++) {
      const memscope_bucket *b = &m->buckets[i];
      if (run + b->maxpre > best) best = run + b->maxpre;
      run += b->delta;
    }
    p[n].t = g << m->shift;
    p[n].bytes = best > 0 ? (uint64_t)best : 0;
    p[n].end = run > 0 ? (uint64_t)run : 0;
    n++;
  }
  uint64_t end = memscope_model_duration(m);
  if (n > 0 && end < p[n - 1].t) end = p[n - 1].t;
  p[n].t = end;
  p[n].bytes = p[n].end = run > 0 ? (uint64_t)run : 0;
  return n + 1;
}

int _memscope_export_keep(const memscope_view_opts *o, const memscope_msite *s) {
  return !o || _memscope_site_matches(o, s);
}

/* ---------------------------------------------------------------------------------------------
   The command
------------------------------------------------------------------------------------------------ */
int memscope_export_run(const char *view, const memscope_view_opts *o) {
  int pprof = !strcmp(view, "pprof"), html = !strcmp(view, "html");
  if (o->live && strcmp(view, "folded")) {
    fprintf(stderr, "memscope-report: --live belongs to the folded view, not %s "
                    "(see memscope-report %s --help)\n", view, view);
    return MEMSCOPE_EXIT_USAGE;
  }
  if (pprof && !o->output && isatty(STDOUT_FILENO)) {
    fputs("memscope-report: pprof writes a gzipped binary profile: name it with -o FILE "
          "(see memscope-report pprof --help)\n", stderr);
    return MEMSCOPE_EXIT_USAGE;
  }
  memscope_model m;
  memscope_read_result res;
  int status = memscope_view_load(o->trace, o->at, &m, &res);
  if (!m.have_header) { /* nothing to export: leave -o alone */
    memscope_model_free(&m);
    return status ? status : MEMSCOPE_EXIT_CORRUPT;
  }
  FILE *out = stdout;
  if (o->output && strcmp(o->output, "-")) {
    out = fopen(o->output, pprof ? "wb" : "w");
    if (!out) {
      fprintf(stderr, "memscope-report: cannot write %s: ", o->output);
      perror(NULL);
      memscope_model_free(&m);
      return MEMSCOPE_EXIT_USAGE;
    }
  }
  char err[160] = "";
  int rc;
  if (pprof) rc = memscope_export_pprof(out, &m, o->trace, err, sizeof err, o);
  else if (html) rc = memscope_export_html(out, &m, &res, o);
  else rc = memscope_export_folded(out, &m, o->live, o);
  if (fflush(out) || ferror(out)) rc = -1;
  if (out != stdout && fclose(out)) rc = -1;
  if (rc) {
    fprintf(stderr, "memscope-report: cannot write the %s export%s%s%s%s\n", view,
            o->output ? " to " : "", o->output ? o->output : "", err[0] ? ": " : "", err);
    if (status == 0) status = MEMSCOPE_EXIT_USAGE;
  }
  memscope_model_free(&m);
  return status;
}

/* ---------------------------------------------------------------------------------------------
   Help
------------------------------------------------------------------------------------------------ */
const char memscope_help_folded[] =
    "usage: memscope-report folded [--live] [--filter REGEX] [-o FILE] TRACE\n"
    "\n"
    "Writes folded stacks for flame graph tools (flamegraph.pl, inferno, speedscope), one line\n"
    "per allocation site, largest first:\n"
    "  demo/list.c;make_node;12:15 struct node -> n 240\n"
    "The frames are the file, the function and the site (line:col, type, receiving variable);\n"
    "the number is the bytes allocated there over the whole run.\n"
    "\n"
    "  --live     bytes still live at exit (the leaks) instead of bytes allocated\n"
    "  --filter RE  only the sites whose file or function matches the extended regex RE\n"
    "  -o FILE    write to FILE instead of standard output\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage, cannot open or cannot write, 2 corrupt or\n"
    "incomplete trace (the export then covers the valid part).\n";

const char memscope_help_pprof[] =
    "usage: memscope-report pprof [--filter REGEX] -o OUT.pb.gz TRACE\n"
    "\n"
    "Writes a gzipped pprof profile (profile.proto) for go tool pprof, speedscope and other\n"
    "pprof readers. Sample types: alloc_objects/count, alloc_space/bytes,\n"
    "inuse_objects/count and inuse_space/bytes (inuse = live at exit); alloc_space is the\n"
    "default. One sample per allocation site, with the stack site <- function; the site frame\n"
    "is named \"function [file:line:col type -> var]\" and carries the file and line. Labels:\n"
    "kind, type and variable.\n"
    "\n"
    "  --filter RE  only the sites whose file or function matches the extended regex RE\n"
    "  -o FILE    the profile (standard output when omitted and not a terminal)\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage, cannot open or cannot write, 2 corrupt or\n"
    "incomplete trace (the export then covers the valid part).\n";

const char memscope_help_html[] =
    "usage: memscope-report html [--filter REGEX] -o OUT.html TRACE\n"
    "\n"
    "Writes one self-contained HTML page (no network access needed): summary cards, a chart\n"
    "of live bytes over time (hover for time and bytes), sortable tables of sites, types and\n"
    "variables (click a column header), the blocks live at exit by site, and a flame view of\n"
    "the sites (file > function > site, sized by bytes; click to zoom).\n"
    "\n"
    "  --filter RE  tables, leaks and flame view: only the sites whose file or function\n"
    "             matches the extended regex RE (the summary cards keep the totals)\n"
    "  -o FILE    the page (standard output when omitted)\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage, cannot open or cannot write, 2 corrupt or\n"
    "incomplete trace (the page then covers the valid part).\n";
