/* view_timeline.c: the timeline view: live bytes over time as a text chart of a few rows. */
#include "views_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TIMELINE_WIDTH 60
#define TIMELINE_ROWS 4

const char memscope_help_timeline[] =
    "usage: memscope-report timeline [--width N] [--json] TRACE\n"
    "\n"
    "Live bytes over time as a chart of 4 text rows, one column per slice of time: each column\n"
    "shows the highest live bytes within its slice, in eighths of a row. The rows are labelled\n"
    "with the bytes they reach, the time axis with ms since the trace started. Times come from\n"
    "the events (1 ms resolution); long traces are kept in up to 2^20 slices whose width\n"
    "doubles as needed, so a column is never narrower than one slice.\n"
    "\n"
    "  --width N   columns of the chart (8 to 1000, default 60)\n"
    "  --json      one JSON document: every column's time range, highest and final live bytes\n"
    "\n"
    "Exit status: 0 complete trace, 1 usage or cannot open, 2 corrupt or incomplete trace.\n";

typedef struct column {
  uint64_t t0, t1;  /* [t0, t1) ms */
  uint64_t max, end;
} column;

/* The columns of the chart: *n of them, malloc'd. */
static column *columns(const memscope_model *m, unsigned width, size_t *n) {
  uint64_t nb = m->nbuckets ? m->nbuckets : 1;
  size_t w = width < nb ? width : (size_t)nb;
  column *c = calloc(w, sizeof *c);
  if (!c) return NULL;
  int64_t run = 0;
  for (size_t i = 0; i < w; i++) {
    uint64_t b0 = i * nb / w, b1 = (i + 1) * nb / w;
    int64_t best = run;
    for (uint64_t b = b0; b < b1 && b < m->nbuckets; b++) {
      if (run + m->buckets[b].maxpre > best) best = run + m->buckets[b].maxpre;
      run += m->buckets[b].delta;
    }
    c[i].t0 = b0 << m->shift, c[i].t1 = b1 << m->shift;
    c[i].max = best > 0 ? (uint64_t)best : 0;
    c[i].end = run > 0 ? (uint64_t)run : 0;
  }
  *n = w;
  return c;
}

static void bytes_label(char *buf, size_t n, uint64_t v) {
  memscope_format_bytes(buf, n, v);
}

int _memscope_view_timeline(FILE *out, const memscope_model *m, const memscope_read_result *res,
                            const memscope_view_opts *o);

int _memscope_view_timeline(FILE *out, const memscope_model *m, const memscope_read_result *res,
                            const memscope_view_opts *o) {
  size_t n;
  column *c = columns(m, o->width ? o->width : TIMELINE_WIDTH, &n);
  if (!c) return -1;
  uint64_t top = 0;
  for (size_t i = 0; i < n; i++)
    if (c[i].max > top) top = c[i].max;
  uint64_t end_ms = c[n - 1].t1;
  if (o->json) {
    memscope_json j;
    memscope_json_init(&j, out);
    memscope_json_object(&j);
    _memscope_json_head(&j, "timeline", m, res, o);
    memscope_json_kuint(&j, "bucket_ms", 1ull << m->shift);
    memscope_json_kuint(&j, "end_ms", end_ms);
    memscope_json_kuint(&j, "peak_bytes", m->peak_bytes);
    memscope_json_kuint(&j, "peak_t_ms", m->peak_t);
    memscope_json_key(&j, "columns");
    memscope_json_array(&j);
    for (size_t i = 0; i < n; i++) {
      memscope_json_object(&j);
      memscope_json_kuint(&j, "t_ms", c[i].t0);
      memscope_json_kuint(&j, "t_end_ms", c[i].t1);
      memscope_json_kuint(&j, "max_bytes", c[i].max);
      memscope_json_kuint(&j, "end_bytes", c[i].end);
      memscope_json_end_object(&j);
    }
    memscope_json_end_array(&j);
    memscope_json_end_object(&j);
    free(c);
    return memscope_json_finish(&j);
  }
  static const char *eighths[9] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
                                   "\u2585", "\u2586", "\u2587", "\u2588"};
  char lb[32], pb[32];
  _memscope_view_title(out, "timeline", m, res, o);
  bytes_label(pb, sizeof pb, m->peak_bytes);
  fprintf(out, "Live bytes from 0 to %llu ms, %zu column%s of about %llu ms; peak %s at %llu ms\n\n",
          (unsigned long long)end_ms, n, _memscope_plural(n),
          (unsigned long long)((end_ms + n / 2) / n), pb, (unsigned long long)m->peak_t);
  const unsigned units = TIMELINE_ROWS * 8;
  for (unsigned r = 0; r < TIMELINE_ROWS; r++) {
    /* each row is labelled with the live bytes its top stands for */
    bytes_label(lb, sizeof lb, top * (TIMELINE_ROWS - r) / TIMELINE_ROWS);
    fprintf(out, "%10s |", lb);
    unsigned bottom = (TIMELINE_ROWS - 1 - r) * 8;
    for (size_t i = 0; i < n; i++) {
      unsigned u = 0;
      if (top && c[i].max) {
        u = (unsigned)ceil((double)c[i].max * units / (double)top); /* at least one eighth */
        if (u > units) u = units;
      }
      unsigned fill = u <= bottom ? 0 : u - bottom > 8 ? 8 : u - bottom;
      fputs(eighths[fill], out);
    }
    fputc('\n', out);
  }
  fprintf(out, "%10s +", "0 B");
  for (size_t i = 0; i < n; i++) fputc('-', out);
  fputc('\n', out);
  char right[32];
  int rl = snprintf(right, sizeof right, "%llu ms", (unsigned long long)end_ms);
  int gap = (int)n - 4 - rl;
  fprintf(out, "%10s  0 ms%*s%s\n", "", gap > 1 ? gap : 1, "", right);
  free(c);
  return ferror(out) ? -1 : 0;
}
