/* views_tables.c: the table views: sites, types, vars (receiving variables) and threads. */
#include "memscope.h"
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

#define TABLE_TOP 20

const char memscope_help_sites[] =
    "usage: memscope-report sites [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                             [--json] TRACE\n"
    "\n"
    "One row per allocation site: bytes and blocks allocated, bytes and blocks live at exit,\n"
    "bytes and blocks live at the peak of live bytes, mean block size, the 50th and 90th\n"
    "percentiles of the lifetimes of its released blocks in ms (from allocation to free or\n"
    "realloc), its kind and the site: function() file:line:col  type  -> variable.\n"
    "\n"
    "  --top N        rows (default 20)\n"
    "  --sort KEY     bytes (default), count, live (bytes live at exit) or mean (block size)\n"
    "  --filter RE    only sites whose file or function matches the POSIX extended regex RE\n"
    "  --json         one JSON document (docs/report.md describes it)\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

const char memscope_help_types[] =
    "usage: memscope-report types [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                             [--json] TRACE\n"
    "\n"
    "The sites grouped by the type they allocate (the pointee type of the destination):\n"
    "bytes, blocks, live at exit, live at the peak, mean size and the number of sites.\n"
    "\n"
    "  --top N, --sort KEY, --filter RE (on the sites' file or function), --json: as for sites\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

const char memscope_help_vars[] =
    "usage: memscope-report vars [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                            [--json] TRACE\n"
    "\n"
    "The sites grouped by the variable or field that receives the block: a local variable is\n"
    "shown as \"p in make_node()\" (one row per function), a field or other lvalue as written\n"
    "(\"h->buf\", one row whatever the function). Columns as for types.\n"
    "\n"
    "  --top N, --sort KEY, --filter RE (on the sites' file or function), --json: as for sites\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

const char memscope_help_threads[] =
    "usage: memscope-report threads [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                               [--json] TRACE\n"
    "\n"
    "One row per thread, for the blocks it allocated: bytes, blocks, live at exit, live at the\n"
    "peak, mean size; then the frees it made and its events, its index, name and kernel id.\n"
    "\n"
    "  --top N, --sort KEY, --json: as for sites\n"
    "  --filter RE    only threads whose name matches RE\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

/* The common columns of a row. */
static void row_cols(FILE *out, const memscope_row *r, int est) {
  char a[32], b[32], c[32], d[32], e[32], f[32];
  fprintf(out, "  %12s %9s %12s %8s %12s %10s", _memscope_num(a, sizeof a, r->bytes, est),
          _memscope_num(b, sizeof b, r->count, est), _memscope_num(c, sizeof c, r->live_bytes, est),
          _memscope_num(d, sizeof d, r->live, est), _memscope_num(e, sizeof e, r->peak_bytes, est),
          _memscope_mean(f, sizeof f, r, est));
}

static void head_cols(FILE *out) {
  fprintf(out, "  %12s %9s %12s %8s %12s %10s", "bytes", "count", "live bytes", "live",
          "peak bytes", "mean");
}

static void more_line(FILE *out, size_t n, size_t top, const char *what) {
  if (n > top) fprintf(out, "  ... %zu more %s%s\n", n - top, what, _memscope_plural(n - top));
}

static int lifetime_text(char *buf, size_t n, const memscope_msite *s, double q) {
  uint64_t v;
  if (!memscope_site_lifetime(s, q, &v)) return snprintf(buf, n, "-");
  return snprintf(buf, n, "%llu", (unsigned long long)v);
}

static void json_lifetime(memscope_json *j, const char *key, const memscope_msite *s, double q) {
  uint64_t v;
  memscope_json_key(j, key);
  if (memscope_site_lifetime(s, q, &v)) memscope_json_uint(j, v);
  else memscope_json_null(j);
}

/* ---------------------------------------------------------------------------------------------
   Row sets
------------------------------------------------------------------------------------------------ */
static int cmp_name(const void *a, const void *b) {
  const memscope_row *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  return strcmp(x->func ? x->func : "", y->func ? y->func : "");
}

static int is_lvalue(const memscope_msite *s) {
  return (s->flags & MEMSCOPE_SITE_FIELD) || strpbrk(s->var_name, "-.[*(") != NULL;
}

/* Site rows relabelled by type or by variable and merged. */
static int grouped_rows(const memscope_model *m, const memscope_view_opts *o, int by_var,
                        memscope_row **out, size_t *n) {
  if (_memscope_site_rows(m, o, out, n)) return -1;
  memscope_row *rows = *out;
  for (size_t i = 0; i < *n; i++) {
    const memscope_msite *s = &m->sites[rows[i].site];
    rows[i].id = 0;
    if (!by_var) {
      rows[i].name = s->defined && s->type_name[0] ? s->type_name : "(unknown type)";
      rows[i].func = "";
    } else if (!s->defined || !s->var_name[0]) {
      rows[i].name = "(no variable)", rows[i].func = "";
    } else {
      rows[i].name = s->var_name;
      rows[i].func = is_lvalue(s) ? "" : s->function;
    }
  }
  if (*n > 1) qsort(rows, *n, sizeof *rows, cmp_name);
  *n = _memscope_rows_merge(rows, *n);
  return 0;
}

static int thread_rows(const memscope_model *m, const memscope_view_opts *o, memscope_row **out,
                       size_t *n) {
  memscope_row *rows = calloc(m->nthreads ? m->nthreads : 1, sizeof *rows);
  *out = rows;
  *n = 0;
  if (!rows) return -1;
  for (uint32_t i = 0; i < m->nthreads; i++) {
    const memscope_mthread *t = &m->threads[i];
    if (i == 0 && !t->events) continue;
    if (o->re && regexec(o->re, t->name ? t->name : "", 0, NULL, 0) != 0) continue;
    memscope_row *r = &rows[(*n)++];
    r->name = t->name ? t->name : "", r->site = i, r->id = t->id;
    r->bytes = t->alloc_bytes, r->count = t->allocs;
    r->live_bytes = t->live_bytes, r->live = t->live;
    r->peak_bytes = t->peak_live_bytes, r->peak = t->peak_live;
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------
   Output
------------------------------------------------------------------------------------------------ */
typedef enum { T_SITES, T_TYPES, T_VARS, T_THREADS } table_kind;

static void text_row(FILE *out, const memscope_model *m, table_kind kind, const memscope_row *r,
                     int est) {
  char buf[1024], k1[32], k2[32];
  row_cols(out, r, est);
  switch (kind) {
  case T_SITES: {
    const memscope_msite *s = &m->sites[r->site];
    lifetime_text(k1, sizeof k1, s, 0.5);
    lifetime_text(k2, sizeof k2, s, 0.9);
    memscope_format_site(buf, sizeof buf, s);
    fprintf(out, " %8s %8s  %-14s %s\n", k1, k2, _memscope_kind_label(k1, sizeof k1, s), buf);
    break;
  }
  case T_TYPES: fprintf(out, " %6llu  %s\n", (unsigned long long)r->nsites, r->name); break;
  case T_VARS:
    if (r->func[0]) fprintf(out, " %6llu  %s in %s()\n", (unsigned long long)r->nsites, r->name, r->func);
    else fprintf(out, " %6llu  %s\n", (unsigned long long)r->nsites, r->name);
    break;
  case T_THREADS: {
    const memscope_mthread *t = &m->threads[r->site];
    fprintf(out, " %9s %9llu  ", _memscope_num(k1, sizeof k1, t->frees, est),
            (unsigned long long)t->events);
    if (r->site == 0) fprintf(out, "(unknown thread)\n");
    else {
      fprintf(out, "%llu ", (unsigned long long)t->id);
      const char *name = t->name ? t->name : ""; /* NULL: no THREAD record */
      memscope_write_quoted(out, name, strlen(name));
      fprintf(out, " (tid %llu)\n", (unsigned long long)t->os_tid);
    }
    break;
  }
  }
}

static void json_row(memscope_json *j, const memscope_model *m, table_kind kind,
                     const memscope_row *r) {
  memscope_json_object(j);
  switch (kind) {
  case T_SITES: {
    const memscope_msite *s = &m->sites[r->site];
    _memscope_json_site(j, s);
    _memscope_json_row(j, r);
    memscope_json_kuint(j, "max_size", s->max_size);
    memscope_json_kuint(j, "freed", s->frees);
    json_lifetime(j, "p50_ms", s, 0.5);
    json_lifetime(j, "p90_ms", s, 0.9);
    break;
  }
  case T_TYPES:
  case T_VARS:
    memscope_json_kstr(j, kind == T_TYPES ? "type" : "var", r->name);
    if (kind == T_VARS) memscope_json_kstr(j, "function", r->func);
    _memscope_json_row(j, r);
    memscope_json_kuint(j, "sites", r->nsites);
    break;
  case T_THREADS: {
    const memscope_mthread *t = &m->threads[r->site];
    memscope_json_kuint(j, "thread", t->id);
    memscope_json_kstr(j, "name", t->name);
    memscope_json_kuint(j, "os_tid", t->os_tid);
    _memscope_json_row(j, r);
    memscope_json_kuint(j, "frees", t->frees);
    memscope_json_kuint(j, "events", t->events);
    break;
  }
  }
  memscope_json_end_object(j);
}

int _memscope_view_tables(const char *view, FILE *out, const memscope_model *m,
                          const memscope_read_result *res, const memscope_view_opts *o);

int _memscope_view_tables(const char *view, FILE *out, const memscope_model *m,
                          const memscope_read_result *res, const memscope_view_opts *o) {
  table_kind kind;
  if (!strcmp(view, "sites")) kind = T_SITES;
  else if (!strcmp(view, "types")) kind = T_TYPES;
  else if (!strcmp(view, "vars")) kind = T_VARS;
  else if (!strcmp(view, "threads")) kind = T_THREADS;
  else return -1;
  memscope_row *rows;
  size_t n;
  int rc = kind == T_SITES     ? _memscope_site_rows(m, o, &rows, &n)
           : kind == T_THREADS ? thread_rows(m, o, &rows, &n)
                               : grouped_rows(m, o, kind == T_VARS, &rows, &n);
  if (rc) {
    free(rows);
    return -1;
  }
  _memscope_rows_sort(rows, n, o->sort, 0);
  size_t top = o->top ? o->top : TABLE_TOP;
  int est = memscope_model_estimated(m);
  static const char *what[] = {"site", "type", "variable", "thread"};
  if (o->json) {
    memscope_json j;
    memscope_json_init(&j, out);
    memscope_json_object(&j);
    _memscope_json_head(&j, view, m, res, o);
    static const char *sorts[] = {"bytes", "count", "live", "mean"};
    memscope_json_kstr(&j, "sort", sorts[o->sort]);
    memscope_json_kuint(&j, "total_rows", n);
    memscope_json_key(&j, "rows");
    memscope_json_array(&j);
    for (size_t i = 0; i < n && i < top; i++) json_row(&j, m, kind, &rows[i]);
    memscope_json_end_array(&j);
    memscope_json_end_object(&j);
    free(rows);
    return memscope_json_finish(&j);
  }
  _memscope_view_title(out, view, m, res, o);
  fputc('\n', out);
  head_cols(out);
  switch (kind) {
  case T_SITES: fprintf(out, " %8s %8s  %-14s %s\n", "p50 ms", "p90 ms", "kind", "site"); break;
  case T_TYPES: fprintf(out, " %6s  %s\n", "sites", "type"); break;
  case T_VARS: fprintf(out, " %6s  %s\n", "sites", "variable"); break;
  case T_THREADS: fprintf(out, " %9s %9s  %s\n", "frees", "events", "thread"); break;
  }
  for (size_t i = 0; i < n && i < top; i++) text_row(out, m, kind, &rows[i], est);
  if (n == 0) fprintf(out, "  (no %s%s)\n", what[kind], o->filter ? " matches the filter" : " allocated");
  more_line(out, n, top, what[kind]);
  free(rows);
  return ferror(out) ? -1 : 0;
}
