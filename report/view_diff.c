/* view_diff.c: the diff view: two traces compared site by site through stable site identity. */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_TOP 30

const char memscope_help_diff[] =
    "usage: memscope-report diff [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                            [--json] A B\n"
    "\n"
    "Compares trace B with trace A. Sites are matched by their stable identity (file,\n"
    "function, line, column, kind, type), not by address or id, so runs of different builds\n"
    "line up. Prints the totals of both (bytes and blocks allocated, peak live bytes, live at\n"
    "exit), then the sites whose figures changed, largest absolute change first: growth of\n"
    "bytes and blocks allocated with both values, and the status: new (only in B), removed\n"
    "(only in A) or changed. Unchanged sites are only counted.\n"
    "\n"
    "  --top N        rows (default 30)\n"
    "  --sort KEY     bytes (default), count, live (bytes live at exit) or mean (block size):\n"
    "                 the absolute change of this figure orders the rows\n"
    "  --filter RE    only sites whose file or function matches the POSIX extended regex RE\n"
    "  --json         one JSON document (docs/report.md describes it)\n"
    "\n"
    "Exit status: 0 both traces complete, 1 usage or a trace cannot be opened, 2 a trace is\n"
    "corrupt or incomplete (the comparison covers its valid part).\n";

typedef enum { D_CHANGED, D_NEW, D_REMOVED, D_SAME } dstatus;
static const char *status_names[] = {"changed", "new", "removed", "unchanged"};

typedef struct drow {
  uint32_t a, b; /* site indexes in A and B, 0 = absent */
  dstatus status;
  memscope_row ra, rb;
  double key;    /* absolute change of the sort figure */
} drow;

static int cmp_drow(const void *x, const void *y) {
  const drow *p = x, *q = y;
  if (p->key != q->key) return p->key > q->key ? -1 : 1;
  int64_t dp = (int64_t)(p->rb.bytes - p->ra.bytes), dq = (int64_t)(q->rb.bytes - q->ra.bytes);
  uint64_t ap = dp < 0 ? (uint64_t)-dp : (uint64_t)dp, aq = dq < 0 ? (uint64_t)-dq : (uint64_t)dq;
  if (ap != aq) return ap > aq ? -1 : 1;
  if (p->b != q->b) return p->b < q->b ? -1 : 1;
  return p->a < q->a ? -1 : p->a > q->a;
}

static void fill(memscope_row *r, const memscope_model *m, uint32_t i) {
  memset(r, 0, sizeof *r);
  if (!i) return;
  const memscope_msite *s = &m->sites[i];
  r->site = i, r->id = s->id;
  r->bytes = s->alloc_bytes, r->count = s->allocs;
  r->live_bytes = s->live_bytes, r->live = s->live;
}

static int used(const memscope_msite *s) { return s->defined && (s->allocs || s->live); }

static double absd(double v) { return v < 0 ? -v : v; }

static double sort_change(const drow *d, int key) {
  switch (key) {
  case MEMSCOPE_SORT_COUNT: return absd((double)d->rb.count - (double)d->ra.count);
  case MEMSCOPE_SORT_LIVE: return absd((double)d->rb.live_bytes - (double)d->ra.live_bytes);
  case MEMSCOPE_SORT_MEAN: return absd(_memscope_row_mean(&d->rb) - _memscope_row_mean(&d->ra));
  default: return absd((double)d->rb.bytes - (double)d->ra.bytes);
  }
}

/* The rows of the comparison, sorted; counts by status in st[]. */
static drow *diff_rows(const memscope_model *A, const memscope_model *B, const memscope_view_opts *o,
                       size_t *n, size_t st[4]) {
  drow *rows = calloc((size_t)A->nsites + B->nsites + 1, sizeof *rows);
  if (!rows) return NULL;
  size_t k = 0;
  for (uint32_t i = 1; i < A->nsites; i++) {
    const memscope_msite *s = &A->sites[i];
    if (!used(s) || !_memscope_site_matches(o, s)) continue;
    uint32_t j = memscope_model_find_ident(B, s);
    if (j && !used(&B->sites[j])) j = 0;
    rows[k++] = (drow){i, j, j ? D_CHANGED : D_REMOVED, {0}, {0}, 0};
  }
  for (uint32_t j = 1; j < B->nsites; j++) {
    const memscope_msite *s = &B->sites[j];
    if (!used(s) || !_memscope_site_matches(o, s)) continue;
    uint32_t i = memscope_model_find_ident(A, s);
    if (i && used(&A->sites[i])) continue; /* matched above */
    rows[k++] = (drow){0, j, D_NEW, {0}, {0}, 0};
  }
  size_t w = 0;
  memset(st, 0, 4 * sizeof *st);
  for (size_t i = 0; i < k; i++) {
    drow *d = &rows[i];
    fill(&d->ra, A, d->a);
    fill(&d->rb, B, d->b);
    if (d->status == D_CHANGED && d->ra.bytes == d->rb.bytes && d->ra.count == d->rb.count &&
        d->ra.live_bytes == d->rb.live_bytes && d->ra.live == d->rb.live)
      d->status = D_SAME;
    st[d->status]++;
    if (d->status == D_SAME) continue;
    d->key = sort_change(d, o->sort);
    rows[w++] = *d;
  }
  if (w > 1) qsort(rows, w, sizeof *rows, cmp_drow);
  *n = w;
  return rows;
}

static const char *signed_num(char *buf, size_t n, uint64_t a, uint64_t b) {
  if (b >= a) snprintf(buf, n, "+%llu", (unsigned long long)(b - a));
  else snprintf(buf, n, "-%llu", (unsigned long long)(a - b));
  return buf;
}

static void json_pair(memscope_json *j, const char *key, uint64_t a, uint64_t b) {
  memscope_json_key(j, key);
  memscope_json_object(j);
  memscope_json_kuint(j, "a", a);
  memscope_json_kuint(j, "b", b);
  memscope_json_kint(j, "change", (int64_t)(b - a));
  memscope_json_end_object(j);
}

static void json_trace(memscope_json *j, const char *key, const char *path,
                       const memscope_model *m, const memscope_read_result *res) {
  memscope_json_key(j, key);
  memscope_json_object(j);
  memscope_json_kstr(j, "trace", path);
  memscope_json_kbool(j, "complete", res->complete);
  memscope_json_kbool(j, "estimated", memscope_model_estimated(m));
  memscope_json_kstr(j, "sample", m->sample_mode[0] ? m->sample_mode : "all");
  memscope_json_end_object(j);
}

static int diff_json(FILE *out, const memscope_model *A, const memscope_model *B,
                     const memscope_read_result *ra, const memscope_read_result *rb,
                     const memscope_view_opts *o, const drow *rows, size_t n, const size_t st[4]) {
  static const char *sorts[] = {"bytes", "count", "live", "mean"};
  size_t top = o->top ? o->top : DIFF_TOP;
  memscope_json j;
  memscope_json_init(&j, out);
  memscope_json_object(&j);
  memscope_json_kstr(&j, "view", "diff");
  json_trace(&j, "a", o->trace, A, ra);
  json_trace(&j, "b", o->trace2, B, rb);
  memscope_json_key(&j, "filter");
  if (o->filter) memscope_json_str(&j, o->filter);
  else memscope_json_null(&j);
  memscope_json_kstr(&j, "sort", sorts[o->sort]);
  memscope_json_key(&j, "totals");
  memscope_json_object(&j);
  json_pair(&j, "bytes", A->alloc_bytes, B->alloc_bytes);
  json_pair(&j, "count", A->allocs, B->allocs);
  json_pair(&j, "peak_bytes", A->peak_bytes, B->peak_bytes);
  json_pair(&j, "live_bytes", A->live_bytes, B->live_bytes);
  memscope_json_end_object(&j);
  for (int s = 0; s < 4; s++) memscope_json_kuint(&j, status_names[s], st[s]);
  memscope_json_key(&j, "rows");
  memscope_json_array(&j);
  for (size_t i = 0; i < n && i < top; i++) {
    const drow *d = &rows[i];
    memscope_json_object(&j);
    _memscope_json_site(&j, d->b ? &B->sites[d->b] : &A->sites[d->a]);
    memscope_json_kstr(&j, "status", status_names[d->status]);
    json_pair(&j, "bytes", d->ra.bytes, d->rb.bytes);
    json_pair(&j, "count", d->ra.count, d->rb.count);
    json_pair(&j, "live_bytes", d->ra.live_bytes, d->rb.live_bytes);
    memscope_json_end_object(&j);
  }
  memscope_json_end_array(&j);
  memscope_json_end_object(&j);
  return memscope_json_finish(&j);
}

static int diff_text(FILE *out, const memscope_model *A, const memscope_model *B,
                     const memscope_view_opts *o, const drow *rows, size_t n, const size_t st[4]) {
  size_t top = o->top ? o->top : DIFF_TOP;
  char g[32], line[1024];
  fprintf(out, "memscope diff: %s -> %s\n", o->trace, o->trace2);
  if (o->filter) fprintf(out, "filter: sites whose file or function matches /%s/\n", o->filter);
  if (memscope_model_estimated(A) || memscope_model_estimated(B))
    fprintf(out, "note: a trace is sampled (A: %s, B: %s); its figures are estimates\n",
            A->sample_mode[0] ? A->sample_mode : "all", B->sample_mode[0] ? B->sample_mode : "all");
  fprintf(out, "%-18s%llu -> %llu (%s)\n", "bytes allocated", (unsigned long long)A->alloc_bytes,
          (unsigned long long)B->alloc_bytes, signed_num(g, sizeof g, A->alloc_bytes, B->alloc_bytes));
  fprintf(out, "%-18s%llu -> %llu (%s)\n", "blocks allocated", (unsigned long long)A->allocs,
          (unsigned long long)B->allocs, signed_num(g, sizeof g, A->allocs, B->allocs));
  fprintf(out, "%-18s%llu -> %llu (%s)\n", "peak live bytes", (unsigned long long)A->peak_bytes,
          (unsigned long long)B->peak_bytes, signed_num(g, sizeof g, A->peak_bytes, B->peak_bytes));
  fprintf(out, "%-18s%llu -> %llu (%s)\n", "live at exit", (unsigned long long)A->live_bytes,
          (unsigned long long)B->live_bytes, signed_num(g, sizeof g, A->live_bytes, B->live_bytes));
  fprintf(out, "%-18s%zu changed, %zu new, %zu removed, %zu unchanged\n", "sites", st[D_CHANGED],
          st[D_NEW], st[D_REMOVED], st[D_SAME]);
  if (n == 0) {
    fprintf(out, "\nNo site changed.\n");
    return ferror(out) ? -1 : 0;
  }
  fprintf(out, "\n  %12s %12s %12s %10s %9s %9s  %-9s %s\n", "growth", "bytes A", "bytes B",
          "count +-", "count A", "count B", "status", "site");
  for (size_t i = 0; i < n && i < top; i++) {
    const drow *d = &rows[i];
    char c[32];
    memscope_format_site(line, sizeof line, d->b ? &B->sites[d->b] : &A->sites[d->a]);
    fprintf(out, "  %12s %12llu %12llu %10s %9llu %9llu  %-9s %s\n",
            signed_num(g, sizeof g, d->ra.bytes, d->rb.bytes), (unsigned long long)d->ra.bytes,
            (unsigned long long)d->rb.bytes, signed_num(c, sizeof c, d->ra.count, d->rb.count),
            (unsigned long long)d->ra.count, (unsigned long long)d->rb.count,
            status_names[d->status], line);
  }
  if (n > top) fprintf(out, "  ... %zu more site%s\n", n - top, _memscope_plural(n - top));
  return ferror(out) ? -1 : 0;
}

int memscope_view_diff_run(const memscope_view_opts *o) {
  memscope_model A, B;
  memscope_read_result ra, rb;
  int sa = memscope_view_load(o->trace, o->at, &A, &ra);
  int sb = memscope_view_load(o->trace2, o->at, &B, &rb);
  int status = sa == MEMSCOPE_EXIT_USAGE || sb == MEMSCOPE_EXIT_USAGE ? MEMSCOPE_EXIT_USAGE
                                                                       : sa > sb ? sa : sb;
  if (A.have_header && B.have_header) {
    size_t n, st[4];
    drow *rows = diff_rows(&A, &B, o, &n, st);
    int rc = !rows ? -1
             : o->json ? diff_json(stdout, &A, &B, &ra, &rb, o, rows, n, st)
                       : diff_text(stdout, &A, &B, o, rows, n, st);
    free(rows);
    fflush(stdout);
    if (rc || ferror(stdout)) {
      fputs("memscope-report: cannot write the report\n", stderr);
      if (status == 0) status = MEMSCOPE_EXIT_USAGE;
    }
  }
  memscope_model_free(&A);
  memscope_model_free(&B);
  return status;
}
