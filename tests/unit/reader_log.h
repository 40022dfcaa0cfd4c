/* reader_log.h: helpers of the reader tests: a callback log that turns a read into text, temporary files. */
#ifndef MEMSCOPE_TEST_READER_LOG_H
#define MEMSCOPE_TEST_READER_LOG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/trace_builder.h"
#include "reader.h"

/* ---------------------------------------------------------------------------------------------
   A callback log: one line per callback, so that whole sequences compare as strings.
------------------------------------------------------------------------------------------------ */
typedef struct logbuf {
  char *text;
  size_t len;
  FILE *f;
  int stop_after; /* events before the event callback refuses, -1 = never */
} logbuf;

static inline void log_open(logbuf *l) {
  memset(l, 0, sizeof *l);
  l->f = open_memstream(&l->text, &l->len);
  l->stop_after = -1;
}

static inline const char *log_close(logbuf *l) {
  fclose(l->f);
  return l->text;
}

static inline int l_header(void *ud, const memscope_trace_header *h) {
  logbuf *l = ud;
  fprintf(l->f, "H %llu.%llu pid=%llu program=%s clock=%s abi=%llu opts=%zu\n",
          (unsigned long long)h->major, (unsigned long long)h->minor, (unsigned long long)h->pid,
          h->program, h->clock, (unsigned long long)h->abi, h->noptions);
  for (size_t i = 0; i < h->noptions; i++)
    fprintf(l->f, "O %s=%s\n", h->options[i].key, h->options[i].s);
  return 0;
}

static inline int l_site(void *ud, const memscope_trace_site *s) {
  logbuf *l = ud;
  fprintf(l->f, "S %llu k=%llu f=%llu %s:%llu:%llu %s|%s|%s|%s|%llu\n", (unsigned long long)s->id,
          (unsigned long long)s->kind, (unsigned long long)s->flags, s->file,
          (unsigned long long)s->line, (unsigned long long)s->column, s->function, s->type_name,
          s->sizeof_type, s->var_name, (unsigned long long)s->elem_size);
  return 0;
}

static inline int l_thread(void *ud, const memscope_trace_thread *t) {
  logbuf *l = ud;
  fprintf(l->f, "T %llu %llu %s\n", (unsigned long long)t->id, (unsigned long long)t->os_tid,
          t->name);
  return 0;
}

static inline int l_event(void *ud, const memscope_trace_event *e) {
  logbuf *l = ud;
  if (l->stop_after == 0) return -1;
  if (l->stop_after > 0) l->stop_after--;
  fprintf(l->f, "E op=%u th=%llu t=%llu site=%llu ptr=%llx old=%llx size=%llu exit=%llu", e->op,
          (unsigned long long)e->thread, (unsigned long long)e->t, (unsigned long long)e->site,
          (unsigned long long)e->ptr, (unsigned long long)e->old, (unsigned long long)e->size,
          (unsigned long long)e->exit_site);
  if (e->op == MEMSCOPE_EV_SAMPLED) fprintf(l->f, " w=%.9g", e->weight);
  else if (e->weight != 1) fprintf(l->f, " BAD WEIGHT %g", e->weight);
  fputs("\n", l->f);
  return 0;
}

static inline int l_sampling(void *ud, uint64_t t, uint64_t mean) {
  logbuf *l = ud;
  fprintf(l->f, "P %llu %llu\n", (unsigned long long)t, (unsigned long long)mean);
  return 0;
}

static inline int l_message(void *ud, uint64_t t, const char *text, size_t len) {
  logbuf *l = ud;
  fprintf(l->f, "M %llu %.*s\n", (unsigned long long)t, (int)len, text);
  return 0;
}

static inline int l_end(void *ud, const memscope_trace_end *e) {
  logbuf *l = ud;
  fputs("X", l->f);
  for (size_t i = 0; i < e->n; i++) {
    const memscope_trace_kv *kv = &e->items[i];
    if (kv->type == MEMSCOPE_KV_UINT) fprintf(l->f, " %s=%llu", kv->key, (unsigned long long)kv->u);
    else if (kv->type == MEMSCOPE_KV_INT) fprintf(l->f, " %s=%lld", kv->key, (long long)kv->i);
    else fprintf(l->f, " %s='%s'", kv->key, kv->s);
  }
  fputs("\n", l->f);
  return 0;
}

static inline const char *l_error(void *ud) {
  (void)ud;
  return "the consumer had enough";
}

static const memscope_reader_callbacks log_cb = {l_header, l_site, l_thread, l_event,
                                                 l_message, l_end, l_error, l_sampling, NULL};

/* Reads from memory into a log; returns the status. The log text is malloc'd. */
static inline int read_log(const void *data, size_t len, memscope_read_result *res, char **text) {
  logbuf l;
  log_open(&l);
  int rc = memscope_read_mem(data, len, "trace", &log_cb, &l, res);
  *text = (char *)log_close(&l);
  return rc;
}

static char tmpdir[] = "/tmp/memscope-reader-XXXXXX";

static inline const char *write_tmp(const char *name, const void *data, size_t len) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  if (len) assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
  return path;
}

static inline int setup(void **state) {
  (void)state;
  return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int teardown(void **state) {
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

#endif /* MEMSCOPE_TEST_READER_LOG_H */
