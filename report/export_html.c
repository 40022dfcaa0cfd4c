/* export_html.c: the html export: one self-contained page (inline style, script and data). */
#include "export.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Points of the live-bytes chart. */
#define HTML_TIMELINE_POINTS 1200

/* Text for HTML content and attribute values. */
static void put_html(FILE *out, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    default:
      if ((unsigned char)*s < 0x20) putc('?', out);
      else putc(*s, out);
    }
  }
}

/* A JSON string that is also safe inside <script>: '<', '>' and '&' are written as \u00XX. */
static void put_json(FILE *out, const char *s) {
  putc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') putc('\\', out), putc(c, out);
    else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
      fprintf(out, "\\u%04x", c);
    else putc(c, out);
  }
  putc('"', out);
}

static void put_key_u(FILE *out, const char *key, uint64_t v) {
  /* numbers above 2^53 lose precision in the page: none of these get there in practice */
  fprintf(out, ",\"%s\":%llu", key, (unsigned long long)v);
}

static int write_data(FILE *out, const memscope_model *m, const memscope_read_result *res,
                      const memscope_view_opts *o) {
  fputs("{\"trace\":", out);
  put_json(out, o->trace ? o->trace : "");
  fputs(",\"program\":", out);
  put_json(out, m->program ? m->program : "");
  put_key_u(out, "pid", m->pid);
  fprintf(out, ",\"complete\":%s", res->complete ? "true" : "false");
  fputs(",\"error\":", out);
  put_json(out, res->status ? res->error : "");
  put_key_u(out, "duration_ms", memscope_model_duration(m));
  put_key_u(out, "threads", m->nthreads ? m->nthreads - 1 : 0);
  put_key_u(out, "allocs", m->allocs);
  put_key_u(out, "alloc_bytes", m->alloc_bytes);
  put_key_u(out, "frees", m->frees);
  put_key_u(out, "freed_bytes", m->freed_bytes);
  put_key_u(out, "reallocs", m->reallocs);
  put_key_u(out, "peak_bytes", m->peak_bytes);
  put_key_u(out, "peak_t", m->peak_t);
  put_key_u(out, "live_blocks", m->live_blocks);
  put_key_u(out, "live_bytes", m->live_bytes);

  memscope_tpoint *pts;
  uint64_t width;
  size_t n = _memscope_export_timeline(m, HTML_TIMELINE_POINTS, &pts, &width);
  if (n == 0) return -1;
  put_key_u(out, "width_ms", width);
  fputs(",\"timeline\":[", out);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%s[%llu,%llu,%llu]", i ? "," : "", (unsigned long long)pts[i].t,
            (unsigned long long)pts[i].bytes, (unsigned long long)pts[i].end);
  free(pts);

  /* sites: [id, kind, file, func, line, col, type, var, allocs, bytes, live, live_bytes, max] */
  fputs("],\n\"sites\":[", out);
  int first = 1;
  char kbuf[24];
  for (uint32_t i = 0; i < m->nsites; i++) {
    const memscope_msite *s = &m->sites[i];
    if (s->allocs == 0 && s->live == 0) continue;
    if (!_memscope_export_keep(o, s)) continue;
    const char *kind = s->defined ? memscope_kind_name(s->kind) : "-";
    if (!kind) snprintf(kbuf, sizeof kbuf, "kind %u", s->kind), kind = kbuf;
    fprintf(out, "%s\n[%llu,", first ? "" : ",", (unsigned long long)s->id);
    first = 0;
    put_json(out, kind);
    putc(',', out);
    if (s->defined) {
      put_json(out, s->file);
      putc(',', out);
      put_json(out, s->function);
    } else {
      fputs("\"?\",", out);
      if (s->id) fprintf(out, "\"site %llu\"", (unsigned long long)s->id);
      else fputs("\"(unknown site)\"", out);
    }
    fprintf(out, ",%llu,%llu,", (unsigned long long)s->line, (unsigned long long)s->column);
    put_json(out, s->defined ? s->type_name : "");
    putc(',', out);
    put_json(out, s->defined ? s->var_name : "");
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu]", (unsigned long long)s->allocs,
            (unsigned long long)s->alloc_bytes, (unsigned long long)s->live,
            (unsigned long long)s->live_bytes, (unsigned long long)s->max_size);
  }
  fputs("]}", out);
  return ferror(out) ? -1 : 0;
}

static void header(FILE *out, const memscope_model *m, const memscope_view_opts *o) {
  const char *prog = m->program && m->program[0] ? m->program : "?";
  fputs("<header><h1>memscope &middot; ", out);
  put_html(out, prog);
  fprintf(out, "</h1><span class=\"sub\">pid %llu &middot; trace ", (unsigned long long)m->pid);
  put_html(out, o->trace ? o->trace : "-");
  fprintf(out, " &middot; format %llu.%llu", (unsigned long long)m->major,
          (unsigned long long)m->minor);
  if (m->start_unix_ns) {
    time_t t = (time_t)(m->start_unix_ns / 1000000000ull);
    struct tm tm;
    char when[64];
    if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
      fprintf(out, " &middot; started %s", when);
  }
  if (o->filter) {
    fputs(" &middot; sites whose file or function matches /", out);
    put_html(out, o->filter);
    fputs("/", out);
  }
  fputs("</span></header>\n", out);
}

int memscope_export_html(FILE *out, const memscope_model *m, const memscope_read_result *res,
                         const memscope_view_opts *o) {
  const char *prog = m->program && m->program[0] ? m->program : "?";
  fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>memscope: ", out);
  put_html(out, prog);
  fputs("</title>\n<style>\n", out);
  fputs(_memscope_html_css, out);
  fputs("</style></head>\n<body>\n", out);
  header(out, m, o);
  fputs("<main>\n<nav><a href=\"#timeline\">Timeline</a><a href=\"#tables\">Sites, types, "
        "variables</a><a href=\"#leaks-section\">Leaks</a><a href=\"#flame-section\">Flame "
        "view</a></nav>\n", out);
  if (!res->complete) {
    fputs("<div class=\"warn\" id=\"incomplete\">The trace is incomplete: this page covers its "
          "first ", out);
    fprintf(out, "%llu bytes", (unsigned long long)res->bytes);
    if (res->error[0]) {
      fputs(" (", out);
      put_html(out, res->error);
      fputs(")", out);
    }
    fputs(". Blocks shown as live were live where the valid data ends.</div>\n", out);
  }
  if (memscope_model_estimated(m)) {
    fputs("<div class=\"warn\" id=\"estimated\">Every figure is an estimate from sampled events (",
          out);
    put_html(out, m->sample_mode[0] ? m->sample_mode : "sampling");
    if (m->samples > 0)
      fprintf(out, "): %llu sampled blocks stand for about %llu; a total is within about "
                   "&plusmn;%.1f%% (95%%).</div>\n",
              (unsigned long long)m->samples, (unsigned long long)m->sampled_blocks,
              200.0 / sqrt((double)m->samples));
    else fputs("): no block was sampled, so every figure is a lower bound.</div>\n", out);
  }
  fputs("<div class=\"cards\" id=\"cards\"></div>\n"
        "<section id=\"timeline\"><h2>Live bytes over time <small>highest value per interval; "
        "hover for time and bytes; the dot marks the peak</small></h2>"
        "<div id=\"chart\"><div id=\"tip\"></div></div></section>\n"
        "<section id=\"tables\"><h2>Allocations <span class=\"tabs\">"
        "<button class=\"on\" data-tab=\"tab-sites\">Sites</button>"
        "<button data-tab=\"tab-types\">Types</button>"
        "<button data-tab=\"tab-vars\">Variables</button></span></h2>"
        "<div id=\"tab-sites\"></div><div id=\"tab-types\" style=\"display:none\"></div>"
        "<div id=\"tab-vars\" style=\"display:none\"></div></section>\n", out);
  fprintf(out, "<section id=\"leaks-section\"><h2>%s <small>blocks live %s, by allocation "
               "site; click a header to sort</small></h2><div id=\"leaks\"></div></section>\n",
          res->complete ? "Leaks" : "Live at the end of the valid data",
          res->complete ? "at exit" : "where the trace ends");
  fputs("<section id=\"flame-section\"><h2>Flame view <span class=\"seg\" id=\"flame-mode\">"
        "<button class=\"on\" data-mode=\"bytes\">bytes allocated</button>"
        "<button data-mode=\"lbytes\">live at exit</button></span></h2>"
        "<div id=\"flame\"></div></section>\n"
        "<footer>memscope-report html &middot; file &rsaquo; function &rsaquo; site</footer>\n"
        "</main>\n<script type=\"application/json\" id=\"memscope-data\">", out);
  if (write_data(out, m, res, o)) return -1;
  fputs("</script>\n<script>\n", out);
  fputs(_memscope_html_js, out);
  fputs("</script>\n</body></html>\n", out);
  return ferror(out) ? -1 : 0;
}
