/* summary_json.c: summary --json and dump --json, one JSON document each. */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

int _memscope_summary_json(FILE *out, const memscope_model *m, const memscope_read_result *res,
                           const memscope_view_opts *o);

static void json_sites(memscope_json *j, const memscope_model *m, const memscope_view_opts *o,
                       int by_count, int live, size_t top) {
  uint32_t *idx;
  size_t n = memscope_sorted_sites(m, by_count, live, &idx), k = 0;
  memscope_json_array(j);
  for (size_t i = 0; i < n && k < top; i++) {
    const memscope_msite *s = &m->sites[idx[i]];
    if (!_memscope_site_matches(o, s)) continue;
    k++;
    memscope_json_object(j);
    _memscope_json_site(j, s);
    memscope_json_kuint(j, "bytes", live ? s->live_bytes : s->alloc_bytes);
    memscope_json_kuint(j, "count", live ? s->live : s->allocs);
    memscope_json_end_object(j);
  }
  memscope_json_end_array(j);
  free(idx);
}

static int cmp_row_name(const void *a, const void *b) {
  return strcmp(((const memscope_row *)a)->name, ((const memscope_row *)b)->name);
}

static int json_types(memscope_json *j, const memscope_model *m, const memscope_view_opts *o,
                      size_t top) {
  memscope_row *rows;
  size_t n;
  if (_memscope_site_rows(m, o, &rows, &n)) {
    free(rows);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    const memscope_msite *s = &m->sites[rows[i].site];
    rows[i].name = s->defined && s->type_name[0] ? s->type_name : "(unknown type)";
    rows[i].func = "", rows[i].id = 0;
  }
  if (n > 1) qsort(rows, n, sizeof *rows, cmp_row_name);
  n = _memscope_rows_merge(rows, n);
  _memscope_rows_sort(rows, n, MEMSCOPE_SORT_BYTES, 0);
  memscope_json_array(j);
  for (size_t i = 0; i < n && i < top; i++) {
    memscope_json_object(j);
    memscope_json_kstr(j, "type", rows[i].name);
    memscope_json_kuint(j, "bytes", rows[i].bytes);
    memscope_json_kuint(j, "count", rows[i].count);
    memscope_json_kuint(j, "live_bytes", rows[i].live_bytes);
    memscope_json_end_object(j);
  }
  memscope_json_end_array(j);
  free(rows);
  return 0;
}

int _memscope_summary_json(FILE *out, const memscope_model *m, const memscope_read_result *res,
                           const memscope_view_opts *o) {
  size_t top = o->top ? o->top : MEMSCOPE_SUMMARY_TOP;
  uint64_t dur = memscope_model_duration(m);
  memscope_json j;
  memscope_json_init(&j, out);
  memscope_json_object(&j);
  _memscope_json_head(&j, "summary", m, res, o);
  memscope_json_kuint(&j, "format_major", m->major);
  memscope_json_kuint(&j, "format_minor", m->minor);
  memscope_json_kstr(&j, "program", m->program ? m->program : "");
  memscope_json_kuint(&j, "pid", m->pid);
  memscope_json_kuint(&j, "duration_ms", dur);
  memscope_json_kuint(&j, "threads", m->nthreads - 1);
  memscope_json_kuint(&j, "allocs", m->allocs);
  memscope_json_kuint(&j, "alloc_bytes", m->alloc_bytes);
  memscope_json_kuint(&j, "reallocs", m->reallocs);
  memscope_json_kuint(&j, "frees", m->frees);
  memscope_json_kuint(&j, "freed_bytes", m->freed_bytes);
  memscope_json_kuint(&j, "realloc_releases", m->realloc_releases);
  memscope_json_kuint(&j, "peak_bytes", m->peak_bytes);
  memscope_json_kuint(&j, "peak_t_ms", m->peak_t);
  memscope_json_kuint(&j, "live_blocks", m->live_blocks);
  memscope_json_kuint(&j, "live_bytes", m->live_bytes);
  memscope_json_key(&j, "alloc_rate_per_s");
  if (dur) memscope_json_double(&j, (double)m->allocs * 1000.0 / (double)dur);
  else memscope_json_null(&j);
  memscope_json_key(&j, "alloc_bytes_per_s");
  if (dur) memscope_json_double(&j, (double)m->alloc_bytes * 1000.0 / (double)dur);
  else memscope_json_null(&j);
  memscope_json_key(&j, "anomalies");
  memscope_json_object(&j);
  memscope_json_kuint(&j, "free_unknown", m->free_unknown);
  memscope_json_kuint(&j, "free_null", m->free_null);
  memscope_json_kuint(&j, "realloc_unknown", m->realloc_unknown);
  memscope_json_kuint(&j, "overwritten", m->overwritten);
  memscope_json_kuint(&j, "unknown_site_events", m->unknown_site_events);
  memscope_json_end_object(&j);
  memscope_json_key(&j, "sampling");
  memscope_json_object(&j);
  memscope_json_kuint(&j, "samples", m->samples);
  memscope_json_kuint(&j, "sampled_blocks", m->sampled_blocks);
  memscope_json_key(&j, "changes");
  memscope_json_array(&j);
  for (uint32_t i = 0; i < m->nsamplings; i++) {
    memscope_json_object(&j);
    memscope_json_kuint(&j, "t_ms", m->samplings[i].t);
    memscope_json_kuint(&j, "mean", m->samplings[i].mean);
    memscope_json_end_object(&j);
  }
  memscope_json_end_array(&j);
  memscope_json_end_object(&j);
  memscope_json_key(&j, "top_sites_by_bytes");
  json_sites(&j, m, o, 0, 0, top);
  memscope_json_key(&j, "top_sites_by_count");
  json_sites(&j, m, o, 1, 0, top);
  memscope_json_key(&j, "top_types");
  if (json_types(&j, m, o, top)) return -1;
  memscope_json_key(&j, "leaks");
  json_sites(&j, m, o, 0, 1, top);
  memscope_json_key(&j, "messages");
  memscope_json_array(&j);
  for (uint32_t i = 0; i < m->nmessages; i++) {
    memscope_json_object(&j);
    memscope_json_kuint(&j, "t_ms", m->message_t[i]);
    memscope_json_kstr(&j, "text", m->messages[i]);
    memscope_json_end_object(&j);
  }
  memscope_json_end_array(&j);
  memscope_json_key(&j, "marks");
  memscope_json_array(&j);
  for (uint32_t i = 0; i < m->nmarks; i++) {
    memscope_json_object(&j);
    memscope_json_kuint(&j, "seq", m->marks[i].seq);
    memscope_json_kstr(&j, "label", m->marks[i].label);
    memscope_json_kuint(&j, "t_ms", m->marks[i].t);
    memscope_json_kbool(&j, "recording", m->marks[i].recording);
    memscope_json_end_object(&j);
  }
  memscope_json_end_array(&j);
  memscope_json_key(&j, "runtime");
  if (!m->have_end) memscope_json_null(&j);
  else {
    memscope_json_object(&j);
    for (size_t i = 0; i < m->nend; i++) {
      const memscope_trace_kv *kv = &m->end[i];
      memscope_json_key(&j, kv->key);
      if (kv->type == MEMSCOPE_KV_UINT) memscope_json_uint(&j, kv->u);
      else if (kv->type == MEMSCOPE_KV_INT) memscope_json_int(&j, kv->i);
      else memscope_json_strn(&j, kv->s, kv->slen);
    }
    memscope_json_end_object(&j);
  }
  memscope_json_end_object(&j);
  return memscope_json_finish(&j);
}

/* ---------------------------------------------------------------------------------------------
   dump --json: {"view": "dump", "records": [ ... ], "complete": ..., "error": ...}
------------------------------------------------------------------------------------------------ */
static int j_header(void *ud, const memscope_trace_header *h) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "header");
  memscope_json_kuint(j, "major", h->major);
  memscope_json_kuint(j, "minor", h->minor);
  memscope_json_kuint(j, "pid", h->pid);
  memscope_json_kstr(j, "program", h->program);
  memscope_json_kstr(j, "clock", h->clock);
  memscope_json_kuint(j, "start_unix_ns", h->start_unix_ns);
  memscope_json_kuint(j, "abi", h->abi);
  memscope_json_key(j, "options");
  memscope_json_object(j);
  for (size_t i = 0; i < h->noptions; i++) {
    memscope_json_key(j, h->options[i].key);
    if (h->options[i].type == MEMSCOPE_KV_STR) memscope_json_strn(j, h->options[i].s, h->options[i].slen);
    else if (h->options[i].type == MEMSCOPE_KV_INT) memscope_json_int(j, h->options[i].i);
    else memscope_json_uint(j, h->options[i].u);
  }
  memscope_json_end_object(j);
  memscope_json_end_object(j);
  return 0;
}

static int j_site(void *ud, const memscope_trace_site *s) {
  memscope_json *j = ud;
  const char *kind = memscope_kind_name(s->kind);
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "site");
  memscope_json_kuint(j, "id", s->id);
  memscope_json_kstr(j, "kind", kind ? kind : "unknown");
  memscope_json_kuint(j, "kind_code", s->kind);
  memscope_json_kuint(j, "flags", s->flags);
  memscope_json_kstr(j, "file", s->file);
  memscope_json_kuint(j, "line", s->line);
  memscope_json_kuint(j, "column", s->column);
  memscope_json_kstr(j, "function", s->function);
  memscope_json_kstr(j, "type_name", s->type_name);
  memscope_json_kstr(j, "sizeof_type", s->sizeof_type);
  memscope_json_kstr(j, "var", s->var_name);
  memscope_json_kuint(j, "elem_size", s->elem_size);
  memscope_json_end_object(j);
  return 0;
}

static int j_thread(void *ud, const memscope_trace_thread *t) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "thread");
  memscope_json_kuint(j, "id", t->id);
  memscope_json_kuint(j, "os_tid", t->os_tid);
  memscope_json_kstr(j, "name", t->name);
  memscope_json_end_object(j);
  return 0;
}

static int j_event(void *ud, const memscope_trace_event *e) {
  static const char *ops[] = {"time", "alloc", "free", "realloc", "scope_exit", "sampled", "handoff"};
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", ops[e->op < 7 ? e->op : 0]);
  memscope_json_kuint(j, "t", e->t);
  memscope_json_kuint(j, "thread", e->thread);
  memscope_json_kuint(j, "site", e->site);
  if (e->op == MEMSCOPE_EV_REALLOC) memscope_json_kuint(j, "old", e->old);
  memscope_json_kuint(j, "ptr", e->ptr);
  if (e->op == MEMSCOPE_EV_ALLOC || e->op == MEMSCOPE_EV_REALLOC || e->op == MEMSCOPE_EV_SAMPLED)
    memscope_json_kuint(j, "size", e->size);
  if (e->op == MEMSCOPE_EV_SAMPLED) memscope_json_kdouble(j, "weight", e->weight);
  if (e->op == MEMSCOPE_EV_SCOPE_EXIT) memscope_json_kuint(j, "exit", e->exit_site);
  memscope_json_end_object(j);
  return 0;
}

static int j_message(void *ud, uint64_t t, const char *text, size_t len) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "message");
  memscope_json_kuint(j, "t", t);
  memscope_json_key(j, "text");
  memscope_json_strn(j, text, len);
  memscope_json_end_object(j);
  return 0;
}

static int j_sampling(void *ud, uint64_t t, uint64_t mean) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "sampling");
  memscope_json_kuint(j, "t", t);
  memscope_json_kuint(j, "mean", mean);
  memscope_json_end_object(j);
  return 0;
}

static int j_mark(void *ud, const memscope_trace_mark *mk) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "mark");
  memscope_json_kuint(j, "t", mk->t);
  memscope_json_kuint(j, "seq", mk->seq);
  memscope_json_key(j, "label");
  memscope_json_strn(j, mk->label, mk->label_len);
  memscope_json_kbool(j, "recording", mk->recording);
  memscope_json_end_object(j);
  return 0;
}

static int j_end(void *ud, const memscope_trace_end *e) {
  memscope_json *j = ud;
  memscope_json_object(j);
  memscope_json_kstr(j, "type", "end");
  for (size_t i = 0; i < e->n; i++) {
    const memscope_trace_kv *kv = &e->items[i];
    if (!strcmp(kv->key, "type")) continue;
    memscope_json_key(j, kv->key);
    if (kv->type == MEMSCOPE_KV_UINT) memscope_json_uint(j, kv->u);
    else if (kv->type == MEMSCOPE_KV_INT) memscope_json_int(j, kv->i);
    else memscope_json_strn(j, kv->s, kv->slen);
  }
  memscope_json_end_object(j);
  return 0;
}

int memscope_view_dump_json(FILE *out, const char *path, memscope_read_result *res) {
  static const memscope_reader_callbacks cb = {j_header,  j_site, j_thread, j_event,
                                               j_message, j_end,  NULL,     j_sampling, NULL,
                                               j_mark};
  memscope_json j;
  memscope_json_init(&j, out);
  memscope_json_object(&j);
  memscope_json_kstr(&j, "view", "dump");
  memscope_json_kstr(&j, "trace", path);
  memscope_json_key(&j, "records");
  memscope_json_array(&j);
  memscope_read_file(path, 0, &cb, &j, res);
  memscope_json_end_array(&j);
  memscope_json_kbool(&j, "complete", res->complete);
  memscope_json_key(&j, "error");
  if (res->status) memscope_json_str(&j, res->error);
  else memscope_json_null(&j);
  memscope_json_end_object(&j);
  return memscope_json_finish(&j);
}
