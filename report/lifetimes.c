/* lifetimes.c: leak attribution to the last owner: fates of live blocks, their lines and JSON. */
#include "memscope.h"
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

memscope_fate_kind _memscope_owner_fate(const memscope_model *m, uint32_t owner) {
  if (owner == 0 || owner >= m->nowners) return MEMSCOPE_FATE_HELD;
  const memscope_owner *o = &m->owners[owner];
  if (o->kind == MEMSCOPE_OWN_HANDOFF) return MEMSCOPE_FATE_HANDED;
  const memscope_msite *v = &m->sites[o->var], *e = &m->sites[o->where];
  if (o->where != 0 && e->defined) {
    if ((e->flags & MEMSCOPE_SITE_EXIT_RETURN) && v->defined && v->var_name[0] &&
        !strcmp(e->var_name, v->var_name))
      return MEMSCOPE_FATE_RETURNED;
    if (e->flags & MEMSCOPE_SITE_EXIT_ASSIGN) return MEMSCOPE_FATE_OVERWRITTEN;
  }
  return MEMSCOPE_FATE_DROPPED;
}

const char *_memscope_fate_name(memscope_fate_kind k) {
  static const char *names[] = {"held", "dropped", "overwritten", "handed", "returned"};
  return names[k];
}

/* How an exit point left the scope: "return", ..., "" when the flags say nothing. */
static const char *exit_how(const memscope_msite *e) {
  if (e->flags & MEMSCOPE_SITE_EXIT_RETURN) return "return";
  if (e->flags & MEMSCOPE_SITE_EXIT_BREAK) return "break";
  if (e->flags & MEMSCOPE_SITE_EXIT_CONT) return "continue";
  if (e->flags & MEMSCOPE_SITE_EXIT_GOTO) return "goto";
  if (e->flags & MEMSCOPE_SITE_EXIT_END) return "end";
  if (e->flags & MEMSCOPE_SITE_EXIT_ASSIGN) return "assign";
  return "";
}

/* ---------------------------------------------------------------------------------------------
   Grouping
------------------------------------------------------------------------------------------------ */
static int cmp_fate(const void *a, const void *b) {
  const memscope_fate *x = a, *y = b;
  if (x->site != y->site) return x->site < y->site ? -1 : 1;
  if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
  if (x->blocks != y->blocks) return x->blocks > y->blocks ? -1 : 1;
  return x->owner < y->owner ? -1 : x->owner > y->owner;
}

static int cmp_key(const void *a, const void *b) {
  const memscope_fate *x = a, *y = b;
  if (x->site != y->site) return x->site < y->site ? -1 : 1;
  return x->owner < y->owner ? -1 : x->owner > y->owner;
}

int _memscope_leak_fates(const memscope_model *m, memscope_fate **out, size_t *n) {
  *out = NULL;
  *n = 0;
  memscope_fate *f = malloc((m->live.count ? m->live.count : 1) * sizeof *f);
  if (!f) return -1;
  size_t k = 0;
  for (uint64_t i = 0; i < m->live.cap; i++) {
    const memscope_block *b = &m->live.slots[i];
    if (b->ptr == 0) continue;
    f[k++] = (memscope_fate){b->site, b->owner, b->size, b->count};
  }
  qsort(f, k, sizeof *f, cmp_key);
  size_t w = 0;
  for (size_t i = 0; i < k; i++) {
    if (w > 0 && f[w - 1].site == f[i].site && f[w - 1].owner == f[i].owner) {
      f[w - 1].bytes += f[i].bytes;
      f[w - 1].blocks += f[i].blocks;
    } else f[w++] = f[i];
  }
  qsort(f, w, sizeof *f, cmp_fate);
  *out = f;
  *n = w;
  return 0;
}

size_t _memscope_fates_of(const memscope_fate *f, size_t n, uint32_t site, size_t *first) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f[mid].site < site) lo = mid + 1;
    else hi = mid;
  }
  size_t end = lo;
  while (end < n && f[end].site == site) end++;
  *first = lo;
  return end - lo;
}

/* ---------------------------------------------------------------------------------------------
   Text
------------------------------------------------------------------------------------------------ */
#define PUT(...) _memscope_putf(buf, n, &k, __VA_ARGS__)

static const char *func_of(const memscope_msite *s, char *fb, size_t n) {
  if (!s->defined || !s->function[0]) return "(file scope)";
  snprintf(fb, n, "%s()", s->function);
  return fb;
}

void _memscope_format_fate(char *buf, size_t n, const memscope_model *m, const memscope_fate *f,
                           int est) {
  size_t k = 0;
  const memscope_msite *s = &m->sites[f->site];
  char loc[600], fb[300];
  PUT("%s%llu bytes in %s%llu block%s: ", est ? "~" : "", (unsigned long long)f->bytes,
      est ? "~" : "", (unsigned long long)f->blocks, f->blocks == 1 ? "" : "s");
  if (f->site == 0) PUT("allocated at an unknown site");
  else if (!s->defined)
    PUT("allocated at site %llu (not described in the trace)", (unsigned long long)s->id);
  else {
    _memscope_site_loc(loc, sizeof loc, s);
    PUT("allocated at %s", loc);
    if (s->type_name[0]) PUT(" as `%s`", s->type_name);
    if (s->var_name[0]) PUT(" into `%s`", s->var_name);
  }
  PUT("; ");
  const memscope_owner *o = f->owner && f->owner < m->nowners ? &m->owners[f->owner] : NULL;
  const memscope_msite *v = o ? &m->sites[o->var] : NULL, *e = o ? &m->sites[o->where] : NULL;
  const char *vname = v && v->defined && v->var_name[0] ? v->var_name : "?";
  int known = e && o->where != 0 && e->defined;
  if (known) _memscope_site_loc(loc, sizeof loc, e);
  switch (_memscope_owner_fate(m, f->owner)) {
  case MEMSCOPE_FATE_HELD:
    PUT("no owner went out of scope (still referenced %s)", m->at_found ? "at the mark" : "at exit");
    break;
  case MEMSCOPE_FATE_HANDED:
    if (known)
      PUT("handed on: stored into `%s` at %s in %s", e->var_name[0] ? e->var_name : "?", loc,
          func_of(e, fb, sizeof fb));
    else PUT("handed on: stored at a place not described in the trace");
    break;
  case MEMSCOPE_FATE_RETURNED:
    PUT("returned to the caller at %s by %s, not freed after", loc, func_of(e, fb, sizeof fb));
    break;
  case MEMSCOPE_FATE_OVERWRITTEN:
    PUT("last owner `%s` was overwritten at %s in %s without a free", vname, loc,
        func_of(e, fb, sizeof fb));
    break;
  case MEMSCOPE_FATE_DROPPED:
    if (!known) {
      PUT("last owner `%s` went out of scope in %s without a free", vname,
          func_of(v, fb, sizeof fb));
      break;
    }
    PUT("last owner `%s` went out of scope at %s", vname, loc);
    const char *how = exit_how(e);
    if (!strcmp(how, "end")) PUT(" (the end of its block)");
    else if (how[0] && strcmp(how, "assign")) PUT(" (the `%s` that left it)", how);
    PUT(" in %s without a free", func_of(e, fb, sizeof fb));
    break;
  }
  for (char *c = buf; *c; c++) /* control bytes would break the line */
    if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
}
#undef PUT

/* ---------------------------------------------------------------------------------------------
   JSON
------------------------------------------------------------------------------------------------ */
static void json_place(memscope_json *j, const memscope_msite *s, const char *how) {
  memscope_json_object(j);
  memscope_json_kstr(j, "file", s->defined ? s->file : "");
  memscope_json_kuint(j, "line", s->defined ? s->line : 0);
  memscope_json_kuint(j, "column", s->defined ? s->column : 0);
  memscope_json_kstr(j, "function", s->defined ? s->function : "");
  memscope_json_kstr(j, "how", how);
  memscope_json_end_object(j);
}

void _memscope_json_fate(memscope_json *j, const memscope_model *m, const memscope_fate *f) {
  memscope_fate_kind kind = _memscope_owner_fate(m, f->owner);
  const memscope_owner *o = f->owner && f->owner < m->nowners ? &m->owners[f->owner] : NULL;
  memscope_json_object(j);
  memscope_json_kstr(j, "kind", _memscope_fate_name(kind));
  memscope_json_kuint(j, "bytes", f->bytes);
  memscope_json_kuint(j, "blocks", f->blocks);
  memscope_json_key(j, "owner");
  if (o && o->kind == MEMSCOPE_OWN_EXIT) memscope_json_str(j, m->sites[o->var].var_name);
  else memscope_json_null(j);
  memscope_json_key(j, "exit");
  if (!o) memscope_json_null(j);
  else if (o->kind == MEMSCOPE_OWN_HANDOFF) json_place(j, &m->sites[o->where], "handoff");
  else if (o->where == 0 || !m->sites[o->where].defined) {
    /* unknown exit point: the variable's function */
    const memscope_msite *v = &m->sites[o->var];
    memscope_json_object(j);
    memscope_json_kstr(j, "file", "");
    memscope_json_kuint(j, "line", 0);
    memscope_json_kuint(j, "column", 0);
    memscope_json_kstr(j, "function", v->defined ? v->function : "");
    memscope_json_kstr(j, "how", "unknown");
    memscope_json_end_object(j);
  } else {
    const char *how = exit_how(&m->sites[o->where]);
    json_place(j, &m->sites[o->where], how[0] ? how : "unknown");
  }
  memscope_json_key(j, "dest");
  if (o && o->kind == MEMSCOPE_OWN_HANDOFF) memscope_json_str(j, m->sites[o->where].var_name);
  else memscope_json_null(j);
  memscope_json_end_object(j);
}
