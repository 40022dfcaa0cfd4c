/* views_common.c: options shared by the views, dispatch, table rows, estimate notes, JSON heads. */
#include "views_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
   Options
------------------------------------------------------------------------------------------------ */
static int opt_error(const char *fmt, const char *arg) {
  fputs("memscope-report: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs(" (see memscope-report --help)\n", stderr);
  return -1;
}

/* The value of an option given as "--name VALUE" or "--name=VALUE". */
static const char *opt_value(int argc, char **argv, int *i, size_t namelen) {
  const char *a = argv[*i];
  if (a[namelen] == '=') return a + namelen + 1;
  return *i + 1 < argc ? argv[++*i] : NULL;
}

static int opt_is(const char *a, const char *name) {
  size_t n = strlen(name);
  return !strncmp(a, name, n) && (a[n] == 0 || a[n] == '=');
}

int memscope_view_option(int argc, char **argv, int *i, memscope_view_opts *o) {
  const char *a = argv[*i];
  if (!strcmp(a, "--json")) {
    o->json = 1;
    return 1;
  }
  if (opt_is(a, "--sort")) {
    const char *v = opt_value(argc, argv, i, 6);
    static const char *keys[] = {"bytes", "count", "live", "mean"};
    if (!v) return opt_error("%s needs a key: bytes, count, live or mean", "--sort");
    for (int k = 0; k < 4; k++)
      if (!strcmp(v, keys[k])) {
        o->sort = k;
        return 1;
      }
    return opt_error("--sort: expected bytes, count, live or mean, got '%s'", v);
  }
  if (opt_is(a, "--filter")) {
    const char *v = opt_value(argc, argv, i, 8);
    if (!v) return opt_error("%s needs a regular expression", "--filter");
    o->filter = v;
    return 1;
  }
  if (opt_is(a, "--at")) {
    const char *v = opt_value(argc, argv, i, 4);
    if (!v || !v[0]) return opt_error("%s needs a mark: its label or its number", "--at");
    o->at = v;
    return 1;
  }
  if (opt_is(a, "--width")) {
    const char *v = opt_value(argc, argv, i, 7);
    char *end;
    errno = 0;
    unsigned long w = v ? strtoul(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || v[0] == '-' || w < 8 || w > 1000)
      return opt_error("--width: expected a number of columns from 8 to 1000, got '%s'",
                       v ? v : "nothing");
    o->width = (unsigned)w;
    return 1;
  }
  return 0;
}

static const char *const sort_views[] = {"leaks", "sites", "types", "vars", "threads", "peak",
                                         "diff", NULL};
static const char *const filter_views[] = {"summary", "leaks", "sites",  "types", "vars",
                                           "threads", "peak",  "diff",   "folded", "pprof",
                                           "html",    NULL};
static const char *const json_views[] = {"summary", "leaks", "dump", "sites", "types", "vars",
                                         "threads", "peak", "timeline", "diff", NULL};

static int in(const char *const *list, const char *view) {
  for (; *list; list++)
    if (!strcmp(*list, view)) return 1;
  return 0;
}

int memscope_view_prepare(const char *view, memscope_view_opts *o) {
  static regex_t re;
  static int compiled;
  if (o->json && !in(json_views, view)) return opt_error("--json does not apply to %s", view);
  if (o->sort && !in(sort_views, view)) return opt_error("--sort does not apply to %s", view);
  if (o->filter && !in(filter_views, view)) return opt_error("--filter does not apply to %s", view);
  if (o->width && strcmp(view, "timeline")) return opt_error("--width does not apply to %s", view);
  if (o->at && !strcmp(view, "dump")) return opt_error("--at does not apply to %s", view);
  if (o->top && !strcmp(view, "timeline")) return opt_error("--top does not apply to %s", view);
  if (o->trace2 && strcmp(view, "diff"))
    return opt_error("one trace file expected, got a second one: '%s'", o->trace2);
  if (!strcmp(view, "diff") && o->trace && !o->trace2)
    return opt_error("diff needs two traces: memscope-report diff A B%s", "");
  if (o->filter && !o->re) {
    if (compiled) regfree(&re);
    int rc = regcomp(&re, o->filter, REG_EXTENDED | REG_NOSUB);
    if (rc) {
      char why[200], msg[400];
      regerror(rc, &re, why, sizeof why);
      snprintf(msg, sizeof msg, "--filter: bad regular expression '%s': %s", o->filter, why);
      compiled = 0;
      return opt_error("%s", msg);
    }
    compiled = 1;
    o->re = &re;
  }
  return 0;
}

/* Views defined elsewhere that take a model. */
int _memscope_view_tables(const char *view, FILE *out, const memscope_model *m,
                          const memscope_read_result *res, const memscope_view_opts *o);
int _memscope_view_peak(FILE *out, const memscope_model *m, const memscope_read_result *res,
                        const memscope_view_opts *o);
int _memscope_view_timeline(FILE *out, const memscope_model *m, const memscope_read_result *res,
                            const memscope_view_opts *o);

int memscope_view_run(const char *view, FILE *out, const memscope_model *m,
                      const memscope_read_result *res, const memscope_view_opts *o) {
  if (!strcmp(view, "summary")) return memscope_view_summary(out, m, res, o);
  if (!strcmp(view, "leaks")) return memscope_view_leaks(out, m, res, o);
  if (!strcmp(view, "peak")) return _memscope_view_peak(out, m, res, o);
  if (!strcmp(view, "timeline")) return _memscope_view_timeline(out, m, res, o);
  return _memscope_view_tables(view, out, m, res, o);
}

/* ---------------------------------------------------------------------------------------------
   Rows
------------------------------------------------------------------------------------------------ */
static int sort_key, sort_peak;

static int cmp_rows(const void *a, const void *b) {
  const memscope_row *x = a, *y = b;
  uint64_t xb = sort_peak ? x->peak_bytes : x->bytes, yb = sort_peak ? y->peak_bytes : y->bytes;
  uint64_t xc = sort_peak ? x->peak : x->count, yc = sort_peak ? y->peak : y->count;
  if (sort_key == MEMSCOPE_SORT_MEAN) {
    double mx = _memscope_row_mean(x), my = _memscope_row_mean(y);
    if (mx != my) return mx > my ? -1 : 1;
  } else if (sort_key == MEMSCOPE_SORT_LIVE) {
    if (x->live_bytes != y->live_bytes) return x->live_bytes > y->live_bytes ? -1 : 1;
    if (x->live != y->live) return x->live > y->live ? -1 : 1;
  } else if (sort_key == MEMSCOPE_SORT_COUNT) {
    if (xc != yc) return xc > yc ? -1 : 1;
  }
  if (xb != yb) return xb > yb ? -1 : 1;
  if (xc != yc) return xc > yc ? -1 : 1;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  if (x->name && y->name) {
    int c = strcmp(x->name, y->name);
    if (c) return c;
  }
  if (x->func && y->func) return strcmp(x->func, y->func);
  return 0;
}

void _memscope_rows_sort(memscope_row *rows, size_t n, int key, int peak) {
  sort_key = key, sort_peak = peak;
  if (n > 1) qsort(rows, n, sizeof *rows, cmp_rows);
}

int _memscope_site_matches(const memscope_view_opts *o, const memscope_msite *s) {
  if (!o->re) return 1;
  if (!s->defined) return 0;
  return regexec(o->re, s->file, 0, NULL, 0) == 0 || regexec(o->re, s->function, 0, NULL, 0) == 0;
}

int _memscope_site_rows(const memscope_model *m, const memscope_view_opts *o, memscope_row **out,
                        size_t *n) {
  memscope_row *rows = calloc(m->nsites ? m->nsites : 1, sizeof *rows);
  *out = rows;
  *n = 0;
  if (!rows) return -1;
  size_t k = 0;
  for (uint32_t i = 0; i < m->nsites; i++) {
    const memscope_msite *s = &m->sites[i];
    if (!s->allocs && !s->live && !s->peak_live) continue;
    if (!_memscope_site_matches(o, s)) continue;
    memscope_row *r = &rows[k++];
    r->site = i, r->id = s->id;
    r->bytes = s->alloc_bytes, r->count = s->allocs;
    r->live_bytes = s->live_bytes, r->live = s->live;
    r->peak_bytes = s->peak_live_bytes, r->peak = s->peak_live;
    r->nsites = 1;
  }
  *n = k;
  return 0;
}

size_t _memscope_rows_merge(memscope_row *rows, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    memscope_row *p = k ? &rows[k - 1] : NULL;
    if (p && !strcmp(p->name, rows[i].name) &&
        !strcmp(p->func ? p->func : "", rows[i].func ? rows[i].func : "")) {
      p->bytes += rows[i].bytes, p->count += rows[i].count;
      p->live_bytes += rows[i].live_bytes, p->live += rows[i].live;
      p->peak_bytes += rows[i].peak_bytes, p->peak += rows[i].peak;
      p->nsites += rows[i].nsites;
    } else rows[k++] = rows[i];
  }
  return k;
}

/* ---------------------------------------------------------------------------------------------
   Text helpers
------------------------------------------------------------------------------------------------ */
const char *_memscope_num(char *buf, size_t n, uint64_t v, int est) {
  snprintf(buf, n, "%s%llu", est ? "~" : "", (unsigned long long)v);
  return buf;
}

const char *_memscope_mean(char *buf, size_t n, const memscope_row *r, int est) {
  if (!r->count) snprintf(buf, n, "-");
  else snprintf(buf, n, "%s%.1f", est ? "~" : "", _memscope_row_mean(r));
  return buf;
}

const char *_memscope_kind_label(char *buf, size_t n, const memscope_msite *s) {
  const char *kind = memscope_kind_name(s->kind);
  if (!s->defined) return "-";
  if (kind) return kind;
  snprintf(buf, n, "kind %u", s->kind);
  return buf;
}

void _memscope_site_loc(char *buf, size_t n, const memscope_msite *s) {
  if (s->column)
    snprintf(buf, n, "%s:%llu:%llu", s->file[0] ? s->file : "?", (unsigned long long)s->line,
             (unsigned long long)s->column);
  else snprintf(buf, n, "%s:%llu", s->file[0] ? s->file : "?", (unsigned long long)s->line);
}

void _memscope_estimate_note(FILE *out, const memscope_model *m) {
  if (!memscope_model_estimated(m)) return;
  fprintf(out, "note: figures marked ~ are estimates (estimated, sampled: %s)\n",
          m->sample_mode[0] ? m->sample_mode : "unknown mode");
  if (m->samples == 0) {
    fprintf(out, "confidence: no sampled block in the trace; every figure is a lower bound\n");
    return;
  }
  /* a total built from k independent samples has a relative standard error near 1/sqrt(k) */
  fprintf(out,
          "confidence: %llu sampled block%s stand for ~%llu; a figure built from k samples is "
          "within about 2/sqrt(k) (95%%): +-%.1f%% for the totals\n",
          (unsigned long long)m->samples, _memscope_plural(m->samples),
          (unsigned long long)m->sampled_blocks, 200.0 / sqrt((double)m->samples));
}

void _memscope_view_title(FILE *out, const char *view, const memscope_model *m,
                          const memscope_read_result *res, const memscope_view_opts *o) {
  (void)m;
  fprintf(out, "memscope %s: %s\n", view, o->trace);
  if (!res->complete)
    fprintf(out, "note: the trace is incomplete; figures cover its first %llu bytes\n",
            (unsigned long long)res->bytes);
  if (o->filter) fprintf(out, "filter: sites whose file or function matches /%s/\n", o->filter);
  _memscope_estimate_note(out, m);
}

/* ---------------------------------------------------------------------------------------------
   JSON helpers
------------------------------------------------------------------------------------------------ */
void _memscope_json_site(memscope_json *j, const memscope_msite *s) {
  const char *kind = memscope_kind_name(s->kind);
  memscope_json_kuint(j, "id", s->id);
  memscope_json_kstr(j, "kind", !s->defined ? "" : kind ? kind : "unknown");
  memscope_json_kstr(j, "file", s->defined ? s->file : "");
  memscope_json_kuint(j, "line", s->line);
  memscope_json_kuint(j, "column", s->column);
  memscope_json_kstr(j, "function", s->defined ? s->function : "");
  memscope_json_kstr(j, "type", s->defined ? s->type_name : "");
  memscope_json_kstr(j, "var", s->defined ? s->var_name : "");
}

void _memscope_json_head(memscope_json *j, const char *view, const memscope_model *m,
                         const memscope_read_result *res, const memscope_view_opts *o) {
  memscope_json_kstr(j, "view", view);
  memscope_json_kstr(j, "trace", o->trace);
  memscope_json_kbool(j, "complete", res->complete);
  memscope_json_kbool(j, "estimated", memscope_model_estimated(m));
  memscope_json_kstr(j, "sample", m->sample_mode[0] ? m->sample_mode : "all");
  memscope_json_key(j, "at");
  if (m->at_found) {
    const memscope_mark *mk = &m->marks[m->at_mark];
    memscope_json_object(j);
    memscope_json_kuint(j, "seq", mk->seq);
    memscope_json_kstr(j, "label", mk->label);
    memscope_json_kuint(j, "t_ms", mk->t);
    memscope_json_end_object(j);
  } else {
    memscope_json_null(j);
  }
  memscope_json_key(j, "filter");
  if (o->filter) memscope_json_str(j, o->filter);
  else memscope_json_null(j);
}

void _memscope_json_row(memscope_json *j, const memscope_row *r) {
  memscope_json_kuint(j, "bytes", r->bytes);
  memscope_json_kuint(j, "count", r->count);
  memscope_json_kuint(j, "live_bytes", r->live_bytes);
  memscope_json_kuint(j, "live", r->live);
  memscope_json_kuint(j, "peak_bytes", r->peak_bytes);
  memscope_json_kuint(j, "peak", r->peak);
  memscope_json_key(j, "mean");
  if (r->count) memscope_json_double(j, _memscope_row_mean(r));
  else memscope_json_null(j);
}

/* Reads the trace at path into m; returns the exit status the read calls for, its error on
   stderr. m is usable (have_header tells whether anything was read) even when this fails. */
int memscope_view_load(const char *path, const char *at, memscope_model *m,
                       memscope_read_result *res) {
  memset(res, 0, sizeof *res);
  if (memscope_model_init(m)) {
    memset(m, 0, sizeof *m);
    fputs("memscope-report: out of memory\n", stderr);
    return MEMSCOPE_EXIT_CORRUPT;
  }
  m->at = at;
  memscope_read_file(path, 0, memscope_model_callbacks(), m, res);
  memscope_model_finish(m);
  int status = memscope_read_exit_status(res);
  if (at && !m->at_found && m->have_header) {
    fprintf(stderr, "memscope-report: --at %s: %s has no such mark", at, path);
    for (uint32_t i = 0; i < m->nmarks; i++)
      fprintf(stderr, "%s %llu \"%s\" (%llu ms)", i ? "," : "; its marks:",
              (unsigned long long)m->marks[i].seq, m->marks[i].label,
              (unsigned long long)m->marks[i].t);
    fputs(m->nmarks ? "\n" : " (it has none)\n", stderr);
    m->have_header = 0; /* nothing to report as of a mark that is not there */
    return MEMSCOPE_EXIT_USAGE;
  }
  return status;
}

/* The exit status for a read result; prints its error. */
int memscope_read_exit_status(const memscope_read_result *res) {
  if (res->status == MEMSCOPE_READ_OK) return MEMSCOPE_EXIT_OK;
  fprintf(stderr, "memscope-report: %s\n", res->error);
  return res->status == MEMSCOPE_READ_EOPEN ? MEMSCOPE_EXIT_USAGE : MEMSCOPE_EXIT_CORRUPT;
}
