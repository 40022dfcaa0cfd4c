/* format.c: text helpers shared by the views: site lines, byte sizes, quoting, site ordering. */
#include "views_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void memscope_format_site(char *buf, size_t n, const memscope_msite *s) {
  if (s->id == 0) {
    snprintf(buf, n, "(no site)");
    return;
  }
  if (!s->defined) {
    snprintf(buf, n, "site %llu (not described in the trace)", (unsigned long long)s->id);
    return;
  }
  size_t k = 0;
#define PUT(...) _memscope_putf(buf, n, &k, __VA_ARGS__)
  if (s->function[0]) PUT("%s()", s->function);
  else PUT("(file scope)");
  PUT(" %s:%llu", s->file[0] ? s->file : "?", (unsigned long long)s->line);
  if (s->column) PUT(":%llu", (unsigned long long)s->column);
  if (s->type_name[0]) PUT("  %s", s->type_name);
  if (s->var_name[0]) PUT("  -> %s", s->var_name);
#undef PUT
  for (char *c = buf; *c; c++) /* control bytes would break the table */
    if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
}

void memscope_format_bytes(char *buf, size_t n, uint64_t bytes) {
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) {
    snprintf(buf, n, "%llu B", (unsigned long long)bytes);
    return;
  }
  double v = (double)bytes / 1024.0;
  unsigned u = 0;
  while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) v /= 1024.0, u++;
  snprintf(buf, n, "%.1f %s", v, units[u]);
}

void memscope_write_quoted(FILE *out, const char *s, size_t len) {
  putc('"', out);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      if (c < 0x20) fprintf(out, "\\x%02x", c);
      else putc(c, out);
    }
  }
  putc('"', out);
}

static const memscope_model *sort_model;
static int sort_by_count;

static int cmp_sites(const void *a, const void *b) {
  const memscope_msite *x = &sort_model->sites[*(const uint32_t *)a];
  const memscope_msite *y = &sort_model->sites[*(const uint32_t *)b];
  uint64_t kx, ky, sx, sy;
  if (sort_by_count == 2) kx = x->live_bytes, ky = y->live_bytes, sx = x->live, sy = y->live;
  else if (sort_by_count) kx = x->allocs, ky = y->allocs, sx = x->alloc_bytes, sy = y->alloc_bytes;
  else kx = x->alloc_bytes, ky = y->alloc_bytes, sx = x->allocs, sy = y->allocs;
  if (kx != ky) return kx > ky ? -1 : 1;
  if (sx != sy) return sx > sy ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

size_t memscope_sorted_sites(const memscope_model *m, int by_count, int live_only,
                             uint32_t **out) {
  *out = NULL;
  size_t n = 0;
  uint32_t *idx = malloc((m->nsites ? m->nsites : 1) * sizeof *idx);
  if (!idx) return 0;
  for (uint32_t i = 0; i < m->nsites; i++) {
    const memscope_msite *s = &m->sites[i];
    if (live_only ? s->live > 0 : s->allocs > 0) idx[n++] = i;
  }
  sort_model = m;
  sort_by_count = live_only ? 2 : by_count;
  qsort(idx, n, sizeof *idx, cmp_sites);
  if (n == 0) {
    free(idx);
    return 0;
  }
  *out = idx;
  return n;
}

/* Appends printf-style text to buf (capacity n) at *k, never past the end. */
void _memscope_putf(char *buf, size_t n, size_t *k, const char *fmt, ...) {
  if (*k >= n) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *k, n - *k, fmt, ap);
  va_end(ap);
  if (w > 0) *k += (size_t)w;
}
