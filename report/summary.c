/* summary.c: the summary view (default): totals, peak, rates, top sites and types, leaks. */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>


static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

static void site_table(FILE *out, const memscope_model *m, const uint32_t *idx, size_t n,
                       size_t top, int live) {
  fprintf(out, "  %12s %10s  %-14s %s\n", "bytes", "blocks", "kind", "site");
  char line[1024];
  for (size_t i = 0; i < n && i < top; i++) {
    const memscope_msite *s = &m->sites[idx[i]];
    const char *kind = memscope_kind_name(s->kind);
    char kbuf[24];
    if (!s->defined) kind = "-";
    else if (!kind) snprintf(kbuf, sizeof kbuf, "kind %u", s->kind), kind = kbuf;
    memscope_format_site(line, sizeof line, s);
    fprintf(out, "  %12llu %10llu  %-14s %s\n",
            (unsigned long long)(live ? s->live_bytes : s->alloc_bytes),
            (unsigned long long)(live ? s->live : s->allocs), kind, line);
  }
  if (n > top) fprintf(out, "  ... %zu more site%s\n", n - top, plural(n - top));
}

typedef struct type_row {
  const char *name;
  uint64_t bytes, blocks, live_bytes;
} type_row;

static int cmp_type_name(const void *a, const void *b) {
  return strcmp(((const type_row *)a)->name, ((const type_row *)b)->name);
}

static int cmp_type_bytes(const void *a, const void *b) {
  const type_row *x = a, *y = b;
  if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
  if (x->blocks != y->blocks) return x->blocks > y->blocks ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* memscope_sorted_sites with only the sites that pass --filter. */
static size_t sorted_sites(const memscope_model *m, const memscope_view_opts *o, int by_count,
                           int live_only, uint32_t **idx) {
  size_t n = memscope_sorted_sites(m, by_count, live_only, idx), k = 0;
  for (size_t i = 0; i < n; i++)
    if (_memscope_site_matches(o, &m->sites[(*idx)[i]])) (*idx)[k++] = (*idx)[i];
  return k;
}

int _memscope_summary_json(FILE *out, const memscope_model *m, const memscope_read_result *res,
                           const memscope_view_opts *o);

static int type_table(FILE *out, const memscope_model *m, const memscope_view_opts *o, size_t top) {
  type_row *rows = malloc((m->nsites ? m->nsites : 1) * sizeof *rows);
  if (!rows) return -1;
  size_t n = 0;
  for (uint32_t i = 0; i < m->nsites; i++) {
    const memscope_msite *s = &m->sites[i];
    if (!s->allocs || !_memscope_site_matches(o, s)) continue;
    rows[n].name = s->defined && s->type_name[0] ? s->type_name : "(unknown type)";
    rows[n].bytes = s->alloc_bytes, rows[n].blocks = s->allocs, rows[n].live_bytes = s->live_bytes;
    n++;
  }
  qsort(rows, n, sizeof *rows, cmp_type_name);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k > 0 && !strcmp(rows[k - 1].name, rows[i].name)) {
      rows[k - 1].bytes += rows[i].bytes;
      rows[k - 1].blocks += rows[i].blocks;
      rows[k - 1].live_bytes += rows[i].live_bytes;
    } else rows[k++] = rows[i];
  }
  qsort(rows, k, sizeof *rows, cmp_type_bytes);
  fprintf(out, "  %12s %10s %12s  %s\n", "bytes", "blocks", "live bytes", "type");
  for (size_t i = 0; i < k && i < top; i++)
    fprintf(out, "  %12llu %10llu %12llu  %s\n", (unsigned long long)rows[i].bytes,
            (unsigned long long)rows[i].blocks, (unsigned long long)rows[i].live_bytes,
            rows[i].name);
  if (k > top) fprintf(out, "  ... %zu more type%s\n", k - top, plural(k - top));
  free(rows);
  return 0;
}

/* " (1.1 KiB)" for sizes of 1 KiB and more, else "". */
static const char *human(char *buf, size_t n, uint64_t bytes) {
  if (bytes < 1024) return "";
  buf[0] = ' ', buf[1] = '(';
  memscope_format_bytes(buf + 2, n - 3, bytes);
  strcat(buf, ")");
  return buf;
}

/* The leak list: blocks live at exit grouped by site. */
static int leak_list(FILE *out, const memscope_model *m, const memscope_view_opts *o, size_t top,
                     int in_summary) {
  uint32_t *idx;
  size_t n = sorted_sites(m, o, 0, 1, &idx);
  char b[40];
  human(b, sizeof b, m->live_bytes);
  if (m->live_bytes < 1024) b[0] = 0;
  char when[120];
  memscope_model_when(m, when, sizeof when);
  if (m->at_found && m->live_blocks == 0) {
    fprintf(out, "Live %s: none (%llu blocks allocated before it, all released)\n", when,
            (unsigned long long)m->allocs);
  } else if (m->at_found) {
    fprintf(out, "Live %s: %llu block%s, %llu bytes%s, from %zu site%s\n", when,
            (unsigned long long)m->live_blocks, plural(m->live_blocks),
            (unsigned long long)m->live_bytes, b, n, plural(n));
    site_table(out, m, idx, n, top, 1);
  } else if (m->live_blocks == 0) {
    fprintf(out, "%s: none, every block allocated was released (%llu blocks)\n",
            m->have_end ? "Leaks" : "Live at the end of the valid data",
            (unsigned long long)m->allocs);
  } else {
    if (m->have_end)
      fprintf(out, "Leaks: %llu block%s, %llu bytes%s still live at exit, from %zu site%s\n",
              (unsigned long long)m->live_blocks, plural(m->live_blocks),
              (unsigned long long)m->live_bytes, b, n, plural(n));
    else
      fprintf(out,
              "Live at the end of the valid data (the trace is incomplete, so not necessarily "
              "leaks): %llu block%s, %llu bytes%s, from %zu site%s\n",
              (unsigned long long)m->live_blocks, plural(m->live_blocks),
              (unsigned long long)m->live_bytes, b, n, plural(n));
    site_table(out, m, idx, n, top, 1);
    if (in_summary && n > top) fprintf(out, "  (memscope-report leaks TRACE lists them all)\n");
  }
  free(idx);
  return 0;
}

static void runtime_line(FILE *out, const memscope_model *m) {
  uint64_t seen, rec, drop, bufs, written, rt;
  if (!m->have_end) {
    fprintf(out, "Runtime: no END record, the trace is incomplete\n");
    return;
  }
  int ok = memscope_model_end_get(m, "events_seen", &seen) &
           memscope_model_end_get(m, "events_recorded", &rec) &
           memscope_model_end_get(m, "events_dropped", &drop) &
           memscope_model_end_get(m, "buffers_flushed", &bufs) &
           memscope_model_end_get(m, "bytes_written", &written) &
           memscope_model_end_get(m, "runtime_bytes", &rt);
  if (!ok) {
    fprintf(out, "Runtime: the END record lacks some self-accounting keys\n");
    return;
  }
  char rb[32];
  memscope_format_bytes(rb, sizeof rb, rt);
  fprintf(out,
          "Runtime: %llu events seen, %llu recorded, %llu dropped; %llu buffers flushed; %llu "
          "bytes written",
          (unsigned long long)seen, (unsigned long long)rec, (unsigned long long)drop,
          (unsigned long long)bufs, (unsigned long long)written);
  if (rec) fprintf(out, " (%.1f bytes/event)", (double)written / (double)rec);
  fprintf(out, "; runtime memory %s\n", rb);

  memscope_trace_end e = {m->nend, m->end};
  for (size_t i = 0; i < e.n; i++)
    if (!strcmp(e.items[i].key, "error") && e.items[i].type == MEMSCOPE_KV_INT)
      fprintf(out, "Runtime error: tracing stopped with code %lld\n", (long long)e.items[i].i);
  uint64_t ac, fc;
  if (!memscope_model_estimated(m) && memscope_model_end_get(m, "alloc_count", &ac) &&
      memscope_model_end_get(m, "free_count", &fc) &&
      (ac != m->allocs || fc != m->frees + m->realloc_releases))
    fprintf(out, "note: the runtime counted %llu allocations and %llu frees (realloc included), "
                 "this report %llu and %llu\n",
            (unsigned long long)ac, (unsigned long long)fc, (unsigned long long)m->allocs,
            (unsigned long long)(m->frees + m->realloc_releases));
}

int memscope_view_summary(FILE *out, const memscope_model *m, const memscope_read_result *res,
                          const memscope_view_opts *o) {
  if (o->json) return _memscope_summary_json(out, m, res, o);
  size_t top = o->top ? o->top : MEMSCOPE_SUMMARY_TOP;
  char b1[40], b2[40];
  uint64_t dur = memscope_model_duration(m);
  const char *tl = memscope_model_estimated(m) ? "~" : ""; /* estimated figures */
  fprintf(out, "memscope report: %s (trace format %llu.%llu)\n", o->trace,
          (unsigned long long)m->major, (unsigned long long)m->minor);
  if (!res->complete)
    fprintf(out, "note: the trace is incomplete; figures cover its first %llu bytes\n",
            (unsigned long long)res->bytes);
  fprintf(out, "%-13s%s (pid %llu)\n", "program", m->program && m->program[0] ? m->program : "?",
          (unsigned long long)m->pid);
  fprintf(out, "%-13s%llu ms\n", "duration", (unsigned long long)dur);
  fprintf(out, "%-13s%u\n", "threads", m->nthreads - 1);
  fprintf(out, "%-13s%s%llu block%s, %s%llu bytes%s", "allocations", tl,
          (unsigned long long)m->allocs, plural(m->allocs), tl, (unsigned long long)m->alloc_bytes,
          human(b1, sizeof b1, m->alloc_bytes));
  if (m->reallocs) fprintf(out, ", %llu by realloc", (unsigned long long)m->reallocs);
  fputc('\n', out);
  fprintf(out, "%-13s%s%llu block%s, %s%llu bytes%s", "frees", tl, (unsigned long long)m->frees,
          plural(m->frees), tl, (unsigned long long)m->freed_bytes,
          human(b1, sizeof b1, m->freed_bytes));
  if (m->realloc_releases)
    fprintf(out, "; %llu more released by realloc", (unsigned long long)m->realloc_releases);
  fputc('\n', out);
  fprintf(out, "%-13s%s%llu bytes%s at %llu ms\n", "peak live", tl,
          (unsigned long long)m->peak_bytes, human(b1, sizeof b1, m->peak_bytes),
          (unsigned long long)m->peak_t);
  fprintf(out, "%-13s%s%llu block%s, %s%llu bytes%s\n",
          m->at_found ? "live at mark" : m->have_end ? "live at exit" : "live at end", tl,
          (unsigned long long)m->live_blocks,
          plural(m->live_blocks), tl, (unsigned long long)m->live_bytes,
          human(b1, sizeof b1, m->live_bytes));
  if (dur > 0) {
    memscope_format_bytes(b2, sizeof b2, (uint64_t)((double)m->alloc_bytes * 1000.0 / (double)dur));
    fprintf(out, "%-13s%s%.0f allocs/s, %s%s/s\n", "alloc rate", tl,
            (double)m->allocs * 1000.0 / (double)dur, tl, b2);
  } else fprintf(out, "%-13sn/a (duration under 1 ms)\n", "alloc rate");
  if (m->free_unknown || m->free_null || m->realloc_unknown || m->overwritten ||
      m->unknown_site_events) {
    fprintf(out, "%-13s%llu frees of unknown blocks, %llu frees of NULL, %llu reallocs of "
                 "unknown blocks, %llu blocks allocated again before their free, %llu events "
                 "of undescribed sites\n", "anomalies",
            (unsigned long long)m->free_unknown, (unsigned long long)m->free_null,
            (unsigned long long)m->realloc_unknown, (unsigned long long)m->overwritten,
            (unsigned long long)m->unknown_site_events);
  }
  if (m->nsamplings) {
    fprintf(out, "%-13smean changed %u time%s:", "sampling", m->nsamplings, plural(m->nsamplings));
    for (uint32_t i = 0; i < m->nsamplings; i++) {
      if (i == 3 && m->nsamplings > 5) {
        fprintf(out, " ...");
        i = m->nsamplings - 2;
        continue;
      }
      fprintf(out, "%s %llu bytes at %llu ms", i ? "," : "", (unsigned long long)m->samplings[i].mean,
              (unsigned long long)m->samplings[i].t);
    }
    fputc('\n', out);
  }
  if (m->nmarks) { /* memscope_snapshot() and MEMSCOPE_SIGNAL */
    fprintf(out, "%-13s", "marks");
    for (uint32_t i = 0; i < m->nmarks; i++) {
      if (i == 3 && m->nmarks > 5) {
        fprintf(out, " ...,");
        i = m->nmarks - 2;
      }
      fprintf(out, "%s%llu \"%s\" at %llu ms%s", i ? ", " : "",
              (unsigned long long)m->marks[i].seq, m->marks[i].label,
              (unsigned long long)m->marks[i].t, m->marks[i].recording ? "" : " (paused)");
    }
    fputs(m->at_found ? "" : " (memscope-report --at MARK shows the figures as of one)", out);
    fputc('\n', out);
  }
  if (m->at_found) {
    char when[120];
    fprintf(out, "as of        %s: %llu later events left out\n",
            memscope_model_when(m, when, sizeof when), (unsigned long long)m->at_skipped);
  }
  if (o->filter) fprintf(out, "filter: the tables show sites whose file or function matches /%s/\n", o->filter);
  _memscope_estimate_note(out, m);

  uint32_t *idx;
  size_t n = sorted_sites(m, o, 0, 0, &idx);
  fprintf(out, "\nTop sites by bytes allocated\n");
  site_table(out, m, idx, n, top, 0);
  free(idx);
  n = sorted_sites(m, o, 1, 0, &idx);
  fprintf(out, "\nTop sites by allocation count\n");
  site_table(out, m, idx, n, top, 0);
  free(idx);
  fprintf(out, "\nTop types by bytes allocated\n");
  if (type_table(out, m, o, top)) return -1;
  fputc('\n', out);
  leak_list(out, m, o, top, 1);
  if (m->nmessages) {
    fprintf(out, "\nRuntime messages\n");
    for (uint32_t i = 0; i < m->nmessages; i++)
    {
      fprintf(out, "  at %llu ms: ", (unsigned long long)m->message_t[i]);
      memscope_write_quoted(out, m->messages[i], strlen(m->messages[i]));
      fputc('\n', out);
    }
  }
  fputc('\n', out);
  runtime_line(out, m);
  return ferror(out) ? -1 : 0;
}
