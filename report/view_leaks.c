/* view_leaks.c: the leaks view: blocks live at exit by site, each with the fates of its blocks. */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

/* Leaking sites that pass the filter, as rows whose bytes and count are the live figures. */
static int leak_rows(const memscope_model *m, const memscope_view_opts *o, memscope_row **out,
                     size_t *n) {
  if (_memscope_site_rows(m, o, out, n)) return -1;
  memscope_row *rows = *out;
  size_t k = 0;
  for (size_t i = 0; i < *n; i++) {
    if (!rows[i].live) continue;
    rows[k] = rows[i];
    rows[k].bytes = rows[k].live_bytes, rows[k].count = rows[k].live;
    k++;
  }
  *n = k;
  _memscope_rows_sort(rows, k, o->sort == MEMSCOPE_SORT_LIVE ? MEMSCOPE_SORT_BYTES : o->sort, 0);
  return 0;
}

static int leaks_json(FILE *out, const memscope_model *m, const memscope_read_result *res,
                      const memscope_view_opts *o, const memscope_row *rows, size_t n,
                      const memscope_fate *f, size_t nf, uint64_t blocks, uint64_t bytes) {
  size_t top = o->top ? o->top : SIZE_MAX;
  memscope_json j;
  memscope_json_init(&j, out);
  memscope_json_object(&j);
  _memscope_json_head(&j, "leaks", m, res, o);
  memscope_json_kbool(&j, "at_exit", m->have_end);
  memscope_json_kuint(&j, "blocks", blocks);
  memscope_json_kuint(&j, "bytes", bytes);
  memscope_json_kuint(&j, "sites", n);
  memscope_json_key(&j, "groups");
  memscope_json_array(&j);
  for (size_t i = 0; i < n && i < top; i++) {
    memscope_json_object(&j);
    _memscope_json_site(&j, &m->sites[rows[i].site]);
    memscope_json_kuint(&j, "bytes", rows[i].live_bytes);
    memscope_json_kuint(&j, "blocks", rows[i].live);
    memscope_json_key(&j, "fates");
    memscope_json_array(&j);
    size_t first, k = _memscope_fates_of(f, nf, rows[i].site, &first);
    for (size_t q = 0; q < k; q++) _memscope_json_fate(&j, m, &f[first + q]);
    memscope_json_end_array(&j);
    memscope_json_end_object(&j);
  }
  memscope_json_end_array(&j);
  memscope_json_end_object(&j);
  return memscope_json_finish(&j);
}

int memscope_view_leaks(FILE *out, const memscope_model *m, const memscope_read_result *res,
                        const memscope_view_opts *o) {
  memscope_row *rows;
  size_t n, nf;
  memscope_fate *f;
  if (leak_rows(m, o, &rows, &n) || _memscope_leak_fates(m, &f, &nf)) {
    free(rows);
    return -1;
  }
  uint64_t blocks = 0, bytes = 0;
  for (size_t i = 0; i < n; i++) blocks += rows[i].live, bytes += rows[i].live_bytes;
  int est = memscope_model_estimated(m), rc;
  if (o->json) {
    rc = leaks_json(out, m, res, o, rows, n, f, nf, blocks, bytes);
    free(rows), free(f);
    return rc;
  }
  if (o->filter) fprintf(out, "filter: sites whose file or function matches /%s/\n", o->filter);
  _memscope_estimate_note(out, m);
  char hb[40] = "", nb[32], kb[32], kk[32], line[2048];
  if (bytes >= 1024) {
    hb[0] = ' ', hb[1] = '(';
    memscope_format_bytes(hb + 2, sizeof hb - 3, bytes);
    strcat(hb, ")");
  }
  const char *tilde = est ? "~" : "";
  char when[120];
  memscope_model_when(m, when, sizeof when);
  if (m->at_found)
    fprintf(out, "Live %s: %s%llu block%s, %s%llu bytes%s, from %zu site%s\n", when, tilde,
            (unsigned long long)blocks, _memscope_plural(blocks), tilde, (unsigned long long)bytes,
            hb, n, _memscope_plural(n));
  else if (blocks == 0)
    fprintf(out, "%s: none, every block allocated was released (%s%llu blocks)\n",
            m->have_end ? "Leaks" : "Live at the end of the valid data", tilde,
            (unsigned long long)m->allocs);
  else if (m->have_end)
    fprintf(out, "Leaks: %s%llu block%s, %s%llu bytes%s still live at exit, from %zu site%s\n",
            tilde, (unsigned long long)blocks, _memscope_plural(blocks), tilde,
            (unsigned long long)bytes, hb, n, _memscope_plural(n));
  else
    fprintf(out,
            "Live at the end of the valid data (the trace is incomplete, so not necessarily "
            "leaks): %s%llu block%s, %s%llu bytes%s, from %zu site%s\n",
            tilde, (unsigned long long)blocks, _memscope_plural(blocks), tilde,
            (unsigned long long)bytes, hb, n, _memscope_plural(n));
  if (blocks != 0) {
    size_t top = o->top ? o->top : SIZE_MAX;
    fprintf(out, "  %12s %10s  %-14s %s\n", "bytes", "blocks", "kind", "site");
    for (size_t i = 0; i < n && i < top; i++) {
      const memscope_msite *s = &m->sites[rows[i].site];
      memscope_format_site(line, sizeof line, s);
      fprintf(out, "  %12s %10s  %-14s %s\n", _memscope_num(nb, sizeof nb, rows[i].live_bytes, est),
              _memscope_num(kb, sizeof kb, rows[i].live, est), _memscope_kind_label(kk, sizeof kk, s),
              line);
      size_t first, k = _memscope_fates_of(f, nf, rows[i].site, &first);
      for (size_t q = 0; q < k; q++) {
        _memscope_format_fate(line, sizeof line, m, &f[first + q], est);
        fprintf(out, "  %s\n", line);
      }
    }
    if (n > top) fprintf(out, "  ... %zu more site%s\n", n - top, _memscope_plural(n - top));
  }
  free(rows), free(f);
  return ferror(out) ? -1 : 0;
}
