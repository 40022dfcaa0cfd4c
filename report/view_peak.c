/* view_peak.c: the peak view: what was live at the moment of peak heap, by site and by type. */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

#define PEAK_TOP 20

const char memscope_help_peak[] =
    "usage: memscope-report peak [--top N] [--sort bytes|count|live|mean] [--filter REGEX]\n"
    "                            [--json] TRACE\n"
    "\n"
    "What was live when live bytes peaked: the total, when, and the blocks live at that\n"
    "moment by allocation site and by type, with their share of the peak. For a trace of one\n"
    "thread this is exact. With several threads, records are in flush order, so the breakdown\n"
    "is taken where the live total was highest in file order and a note gives the peak of the\n"
    "timeline (which orders events by time) when the two differ.\n"
    "\n"
    "  --top N        rows per table (default 20)\n"
    "  --sort KEY     bytes (at the peak, default), count (blocks at the peak), live (at exit),\n"
    "                 mean (block size)\n"
    "  --filter RE    only sites whose file or function matches the POSIX extended regex RE\n"
    "  --json         one JSON document (docs/report.md describes it)\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

static int cmp_type(const void *a, const void *b) {
  return strcmp(((const memscope_row *)a)->name, ((const memscope_row *)b)->name);
}

/* Rows live at the peak: sites, and the same merged by type. */
static int peak_rows(const memscope_model *m, const memscope_view_opts *o, memscope_row **sites,
                     size_t *ns, memscope_row **types, size_t *nt) {
  *types = NULL;
  *nt = 0;
  if (_memscope_site_rows(m, o, sites, ns)) return -1;
  memscope_row *r = *sites;
  size_t k = 0;
  for (size_t i = 0; i < *ns; i++)
    if (r[i].peak || r[i].peak_bytes) r[k++] = r[i];
  *ns = k;
  *types = malloc((k ? k : 1) * sizeof **types);
  if (!*types) return -1;
  memcpy(*types, r, k * sizeof *r);
  for (size_t i = 0; i < k; i++) {
    const memscope_msite *s = &m->sites[r[i].site];
    (*types)[i].name = s->defined && s->type_name[0] ? s->type_name : "(unknown type)";
    (*types)[i].func = "";
    (*types)[i].id = 0;
  }
  if (k > 1) qsort(*types, k, sizeof **types, cmp_type);
  *nt = _memscope_rows_merge(*types, k);
  _memscope_rows_sort(r, k, o->sort, 1);
  _memscope_rows_sort(*types, *nt, o->sort, 1);
  return 0;
}

static double share(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void json_rows(memscope_json *j, const memscope_model *m, const memscope_row *rows,
                      size_t n, size_t top, int sites) {
  memscope_json_array(j);
  for (size_t i = 0; i < n && i < top; i++) {
    memscope_json_object(j);
    if (sites) _memscope_json_site(j, &m->sites[rows[i].site]);
    else memscope_json_kstr(j, "type", rows[i].name);
    memscope_json_kuint(j, "bytes", rows[i].peak_bytes);
    memscope_json_kuint(j, "blocks", rows[i].peak);
    memscope_json_kdouble(j, "share", share(rows[i].peak_bytes, m->fo_peak_bytes));
    memscope_json_end_object(j);
  }
  memscope_json_end_array(j);
}

static uint32_t active_threads(const memscope_model *m) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->nthreads; i++) n += m->threads[i].events > 0;
  return n;
}

int _memscope_view_peak(FILE *out, const memscope_model *m, const memscope_read_result *res,
                        const memscope_view_opts *o);

int _memscope_view_peak(FILE *out, const memscope_model *m, const memscope_read_result *res,
                        const memscope_view_opts *o) {
  memscope_row *sites, *types;
  size_t ns, nt, top = o->top ? o->top : PEAK_TOP;
  if (peak_rows(m, o, &sites, &ns, &types, &nt)) {
    free(sites), free(types);
    return -1;
  }
  int exact = active_threads(m) <= 1, est = memscope_model_estimated(m);
  if (o->json) {
    memscope_json j;
    memscope_json_init(&j, out);
    memscope_json_object(&j);
    _memscope_json_head(&j, "peak", m, res, o);
    memscope_json_kuint(&j, "peak_bytes", m->fo_peak_bytes);
    memscope_json_kuint(&j, "peak_blocks", m->fo_peak_blocks);
    memscope_json_kuint(&j, "t_ms", m->fo_peak_t);
    memscope_json_kbool(&j, "exact", exact);
    memscope_json_kuint(&j, "timeline_peak_bytes", m->peak_bytes);
    memscope_json_kuint(&j, "timeline_peak_t_ms", m->peak_t);
    memscope_json_kuint(&j, "total_sites", ns);
    memscope_json_key(&j, "sites");
    json_rows(&j, m, sites, ns, top, 1);
    memscope_json_kuint(&j, "total_types", nt);
    memscope_json_key(&j, "types");
    json_rows(&j, m, types, nt, top, 0);
    memscope_json_end_object(&j);
    free(sites), free(types);
    return memscope_json_finish(&j);
  }
  char a[32], b[32], k[32], line[1024];
  _memscope_view_title(out, "peak", m, res, o);
  fprintf(out, "Peak live: %s bytes in %s block%s at %llu ms\n",
          _memscope_num(a, sizeof a, m->fo_peak_bytes, est),
          _memscope_num(b, sizeof b, m->fo_peak_blocks, est), _memscope_plural(m->fo_peak_blocks),
          (unsigned long long)m->fo_peak_t);
  if (!exact && (m->fo_peak_bytes != m->peak_bytes))
    fprintf(out,
            "note: %u threads; their records are in flush order, so this breakdown is taken "
            "where the live total was highest in file order; ordered by time, live bytes peaked "
            "at %llu bytes at %llu ms\n",
            active_threads(m), (unsigned long long)m->peak_bytes, (unsigned long long)m->peak_t);
  fprintf(out, "\nLive at the peak by site\n");
  fprintf(out, "  %12s %9s %7s  %-14s %s\n", "bytes", "blocks", "share", "kind", "site");
  for (size_t i = 0; i < ns && i < top; i++) {
    const memscope_msite *s = &m->sites[sites[i].site];
    memscope_format_site(line, sizeof line, s);
    fprintf(out, "  %12s %9s %6.1f%%  %-14s %s\n",
            _memscope_num(a, sizeof a, sites[i].peak_bytes, est),
            _memscope_num(b, sizeof b, sites[i].peak, est),
            share(sites[i].peak_bytes, m->fo_peak_bytes), _memscope_kind_label(k, sizeof k, s),
            line);
  }
  if (ns > top) fprintf(out, "  ... %zu more site%s\n", ns - top, _memscope_plural(ns - top));
  fprintf(out, "\nLive at the peak by type\n");
  fprintf(out, "  %12s %9s %7s  %s\n", "bytes", "blocks", "share", "type");
  for (size_t i = 0; i < nt && i < top; i++)
    fprintf(out, "  %12s %9s %6.1f%%  %s\n", _memscope_num(a, sizeof a, types[i].peak_bytes, est),
            _memscope_num(b, sizeof b, types[i].peak, est),
            share(types[i].peak_bytes, m->fo_peak_bytes), types[i].name);
  if (nt > top) fprintf(out, "  ... %zu more type%s\n", nt - top, _memscope_plural(nt - top));
  free(sites), free(types);
  return ferror(out) ? -1 : 0;
}
