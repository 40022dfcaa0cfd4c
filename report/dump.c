/* dump.c: the dump view, one line of text per header, site, thread, event, message and end. */
#include "views.h"

#include <string.h>

static void q(FILE *out, const char *s) { memscope_write_quoted(out, s, strlen(s)); }

static int d_header(void *ud, const memscope_trace_header *h) {
  FILE *out = ud;
  fprintf(out, "header version=%llu.%llu pid=%llu program=", (unsigned long long)h->major,
          (unsigned long long)h->minor, (unsigned long long)h->pid);
  q(out, h->program);
  putc('\n', out);
  return 0;
}

static int d_site(void *ud, const memscope_trace_site *s) {
  FILE *out = ud;
  const char *kind = memscope_kind_name(s->kind);
  fprintf(out, "site id=%llu kind=", (unsigned long long)s->id);
  if (kind) fputs(kind, out);
  else fprintf(out, "%llu", (unsigned long long)s->kind);
  fprintf(out, " flags=0x%llx file=", (unsigned long long)s->flags);
  q(out, s->file);
  fprintf(out, " line=%llu col=%llu func=", (unsigned long long)s->line,
          (unsigned long long)s->column);
  q(out, s->function);
  fputs(" type=", out);
  q(out, s->type_name);
  fputs(" sizeof=", out);
  q(out, s->sizeof_type);
  fprintf(out, " elem=%llu var=", (unsigned long long)s->elem_size);
  q(out, s->var_name);
  putc('\n', out);
  return 0;
}

static int d_thread(void *ud, const memscope_trace_thread *t) {
  FILE *out = ud;
  fprintf(out, "thread id=%llu tid=%llu name=", (unsigned long long)t->id,
          (unsigned long long)t->os_tid);
  q(out, t->name);
  putc('\n', out);
  return 0;
}

static int d_event(void *ud, const memscope_trace_event *e) {
  FILE *out = ud;
  unsigned long long t = e->t, th = e->thread, site = e->site, ptr = e->ptr;
  switch (e->op) {
  case MEMSCOPE_EV_ALLOC:
    fprintf(out, "alloc t=%llu thread=%llu site=%llu ptr=0x%llx size=%llu\n", t, th, site, ptr,
            (unsigned long long)e->size);
    break;
  case MEMSCOPE_EV_FREE:
    fprintf(out, "free t=%llu thread=%llu site=%llu ptr=0x%llx\n", t, th, site, ptr);
    break;
  case MEMSCOPE_EV_REALLOC:
    fprintf(out, "realloc t=%llu thread=%llu site=%llu old=0x%llx ptr=0x%llx size=%llu\n", t, th,
            site, (unsigned long long)e->old, ptr, (unsigned long long)e->size);
    break;
  case MEMSCOPE_EV_SCOPE_EXIT:
    fprintf(out, "scope_exit t=%llu thread=%llu site=%llu ptr=0x%llx exit=%llu\n", t, th, site,
            ptr, (unsigned long long)e->exit_site);
    break;
  case MEMSCOPE_EV_SAMPLED:
    fprintf(out, "sampled t=%llu thread=%llu site=%llu ptr=0x%llx size=%llu weight=%.9g\n", t, th,
            site, ptr, (unsigned long long)e->size, e->weight);
    break;
  case MEMSCOPE_EV_HANDOFF:
    fprintf(out, "handoff t=%llu thread=%llu site=%llu ptr=0x%llx\n", t, th, site, ptr);
    break;
  }
  return 0;
}

static int d_message(void *ud, uint64_t t, const char *text, size_t len) {
  FILE *out = ud;
  fprintf(out, "message t=%llu text=", (unsigned long long)t);
  memscope_write_quoted(out, text, len);
  putc('\n', out);
  return 0;
}

static int d_sampling(void *ud, uint64_t t, uint64_t mean) {
  fprintf(ud, "sampling t=%llu mean=%llu\n", (unsigned long long)t, (unsigned long long)mean);
  return 0;
}

static int d_mark(void *ud, const memscope_trace_mark *mk) {
  FILE *out = ud;
  fprintf(out, "mark t=%llu seq=%llu label=", (unsigned long long)mk->t,
          (unsigned long long)mk->seq);
  memscope_write_quoted(out, mk->label, mk->label_len);
  fprintf(out, " recording=%d\n", mk->recording);
  return 0;
}

static int d_end(void *ud, const memscope_trace_end *e) {
  FILE *out = ud;
  fputs("end", out);
  for (size_t i = 0; i < e->n; i++) {
    const memscope_trace_kv *kv = &e->items[i];
    fprintf(out, " %s=", kv->key);
    if (kv->type == MEMSCOPE_KV_UINT) fprintf(out, "%llu", (unsigned long long)kv->u);
    else if (kv->type == MEMSCOPE_KV_INT) fprintf(out, "%lld", (long long)kv->i);
    else memscope_write_quoted(out, kv->s, kv->slen);
  }
  putc('\n', out);
  return 0;
}

int memscope_view_dump(FILE *out, const char *path, memscope_read_result *res) {
  static const memscope_reader_callbacks cb = {d_header, d_site,  d_thread, d_event,
                                               d_message, d_end,  NULL,     d_sampling, NULL,
                                               d_mark};
  memscope_read_file(path, 0, &cb, out, res);
  return ferror(out) ? -1 : 0;
}
