/* events.c: the model's events: births, releases, cross-thread pairing, sampled blocks,
   ownership events, the breakdown of the peak and block lifetimes. */
#include "model_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Replaced blocks kept per pointer while their free has not been seen. */
#define MODEL_GHOSTS_PER_PTR 4
/* Frees of one pointer waiting for an alloc from another thread. */
#define MODEL_ORPHANS_PER_PTR 64

#define TRY_TL(m, t, d)                                                                         \
  do {                                                                                          \
    if (unlikely(_memscope_timeline_add((m), (t), (d))))                                        \
      return _memscope_model_fail((m), "out of memory");                                        \
  } while (0)

/* ---------------------------------------------------------------------------------------------
   Figures at the peak. The model counts peaks in file order: when the live total sets a new
   maximum, peak_epoch moves on. A site (or thread) whose figures are about to change first saves
   them unless it did so since the latest peak: a site untouched since then still has them. The
   cost is one comparison per change, whatever the number of sites.
------------------------------------------------------------------------------------------------ */
static inline void site_sync(const memscope_model *m, memscope_msite *s) {
  if (s->peak_epoch != m->peak_epoch) {
    s->peak_live = s->live, s->peak_live_bytes = s->live_bytes;
    s->peak_epoch = m->peak_epoch;
  }
}

static inline void thread_sync(const memscope_model *m, memscope_mthread *t) {
  if (t->peak_epoch != m->peak_epoch) {
    t->peak_live = t->live, t->peak_live_bytes = t->live_bytes;
    t->peak_epoch = m->peak_epoch;
  }
}

void _memscope_model_settle_peak(memscope_model *m) {
  for (uint32_t i = 0; i < m->nsites; i++) {
    memscope_msite *s = &m->sites[i];
    site_sync(m, s);
    s->peak_epoch = UINT64_MAX; /* settled: later syncs (none) would be wrong */
  }
  for (uint32_t i = 0; i < m->nthreads; i++) {
    memscope_mthread *t = &m->threads[i];
    thread_sync(m, t);
    t->peak_epoch = UINT64_MAX;
  }
}

/* ---------------------------------------------------------------------------------------------
   Lifetimes: a histogram per site, exact below MEMSCOPE_LIFE_EXACT ms.
------------------------------------------------------------------------------------------------ */
static inline unsigned life_bucket(uint64_t ms) {
  if (ms < MEMSCOPE_LIFE_EXACT) return (unsigned)ms;
  if (ms >> MEMSCOPE_LIFE_BITS) return MEMSCOPE_LIFE_BUCKETS - 1;
  unsigned e = 63u - (unsigned)__builtin_clzll(ms); /* 6 .. LIFE_BITS - 1 */
  unsigned sub = (unsigned)(ms >> (e - 3)) & (MEMSCOPE_LIFE_SUB - 1);
  return MEMSCOPE_LIFE_EXACT + (e - 6) * MEMSCOPE_LIFE_SUB + sub;
}

static uint64_t life_lower(unsigned i) {
  if (i < MEMSCOPE_LIFE_EXACT) return i;
  i -= MEMSCOPE_LIFE_EXACT;
  unsigned e = 6 + i / MEMSCOPE_LIFE_SUB, sub = i % MEMSCOPE_LIFE_SUB;
  return (1ull << e) + ((uint64_t)sub << (e - 3));
}

static inline int life_add(memscope_model *m, memscope_msite *s, uint64_t born, uint64_t died,
                           uint64_t n) {
  if (unlikely(!s->life) && !(s->life = calloc(MEMSCOPE_LIFE_BUCKETS, sizeof *s->life)))
    return _memscope_model_fail(m, "out of memory");
  s->life[life_bucket(died >= born ? died - born : 0)] += n;
  return 0;
}

int memscope_site_lifetime(const memscope_msite *s, double q, uint64_t *out) {
  if (!s->life) return 0;
  uint64_t total = 0;
  for (unsigned i = 0; i < MEMSCOPE_LIFE_BUCKETS; i++) total += s->life[i];
  if (total == 0) return 0;
  /* the smallest value with at least q of the blocks at or below it */
  double want = ceil(q * (double)total);
  if (want < 1) want = 1;
  uint64_t run = 0;
  for (unsigned i = 0; i < MEMSCOPE_LIFE_BUCKETS; i++) {
    run += s->life[i];
    if ((double)run >= want) {
      *out = life_lower(i);
      return 1;
    }
  }
  *out = life_lower(MEMSCOPE_LIFE_BUCKETS - 1);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
   Births and releases
------------------------------------------------------------------------------------------------ */
/* The birth time and thread of a live block; returns its wide entry, or NULL when it has none. */
static inline memscope_xblock *block_origin(const memscope_model *m, const memscope_block *b,
                                            uint64_t *born, uint32_t *thread) {
  if (likely(b->thread != MEMSCOPE_BLOCK_WIDE)) {
    *born = b->time, *thread = b->thread;
    return NULL;
  }
  memscope_xblock *x = _memscope_ptab_find(&m->wide, b->ptr);
  *born = x ? x->time : 0, *thread = x ? x->thread : 0;
  return x;
}

/* Releases a live block at time t (by FREE when 'by_free', else by REALLOC); x, bt and born come
   from block_origin. */
static inline __attribute__((always_inline)) int release(memscope_model *m, memscope_block *b,
                                                        memscope_xblock *x, uint32_t bt,
                                                        uint64_t born, uint64_t t, int by_free) {
  memscope_msite *s = &m->sites[b->site];
  memscope_mthread *th = &m->threads[bt];
  uint64_t size = b->size, n = b->count;
  site_sync(m, s);
  thread_sync(m, th);
  s->frees += n, s->freed_bytes += size;
  s->live -= n, s->live_bytes -= size;
  th->live -= n, th->live_bytes -= size, th->freed_bytes += size;
  m->live_blocks -= n, m->live_bytes -= size;
  if (by_free) m->frees += n, m->freed_bytes += size;
  else m->realloc_releases += n, m->realloc_moved_bytes += size;
  if (unlikely(life_add(m, s, born, t, n))) return MEMSCOPE_READ_ENOMEM;
  if (unlikely(x != NULL)) _memscope_ptab_remove(&m->wide, x);
  _memscope_ltab_remove(&m->live, b);
  TRY_TL(m, t, -(int64_t)size);
  return 0;
}

/* A free seen before the alloc of its block: the earliest orphan of ptr freed by another thread
   not before t. */
static memscope_xblock *orphan_match(memscope_model *m, uint64_t ptr, uint32_t thread,
                                     uint64_t t) {
  memscope_xblock *best = NULL;
  for (memscope_xblock *o = _memscope_ptab_find(&m->orphans, ptr); o;
       o = _memscope_ptab_next(&m->orphans, o))
    if (o->thread != thread && o->time >= t && (!best || o->time < best->time)) best = o;
  return best;
}

/* A block replaced by a newer alloc of its pointer that this free (at t) may have released: the
   latest one born not after t. */
static memscope_xblock *ghost_match(memscope_model *m, uint64_t ptr, uint64_t t) {
  memscope_xblock *best = NULL;
  for (memscope_xblock *g = _memscope_ptab_find(&m->ghosts, ptr); g;
       g = _memscope_ptab_next(&m->ghosts, g))
    if (g->time <= t && (!best || g->time > best->time)) best = g;
  return best;
}

/* A block of 'size' bytes standing for 'count' blocks, born at t, that another thread released
   before: it is born and released at once. Returns 1 when so, 0 when no orphan matches. */
static __attribute__((noinline)) int birth_orphan(memscope_model *m, uint64_t ptr, uint64_t size,
                                                 uint32_t count, uint64_t t, uint32_t si,
                                                 uint32_t ti, int *rc) {
  memscope_xblock *o = orphan_match(m, ptr, ti, t);
  if (!o) return 0;
  memscope_msite *s = &m->sites[si];
  memscope_mthread *th = &m->threads[ti];
  s->frees += count, s->freed_bytes += size;
  th->freed_bytes += size;
  m->frees += count, m->freed_bytes += size;
  m->cross_thread_matched++;
  uint64_t tf = o->time;
  _memscope_ptab_remove(&m->orphans, o);
  *rc = 0;
  if (life_add(m, s, t, tf, count)) *rc = MEMSCOPE_READ_ENOMEM;
  else if (_memscope_timeline_add(m, t, (int64_t)size) ||
           _memscope_timeline_add(m, tf, -(int64_t)size))
    *rc = _memscope_model_fail(m, "out of memory");
  return 1;
}

/* The live block b is replaced at t by an alloc of its pointer whose free has not been seen
   (yet): it becomes a ghost. */
static __attribute__((noinline)) int replace(memscope_model *m, memscope_block *b, uint64_t t) {
  uint64_t ptr = b->ptr, born;
  uint32_t bt;
  memscope_xblock *x = block_origin(m, b, &born, &bt);
  int dup, same = 0;
  memscope_xblock *oldest = NULL;
  for (memscope_xblock *g = _memscope_ptab_find(&m->ghosts, ptr); g;
       g = _memscope_ptab_next(&m->ghosts, g))
    if (same++, !oldest || g->time < oldest->time) oldest = g;
  if (same >= MODEL_GHOSTS_PER_PTR) _memscope_ptab_remove(&m->ghosts, oldest);
  memscope_xblock *g = _memscope_ptab_put(&m->ghosts, ptr, 1, &dup);
  if (!g) return _memscope_model_fail(m, "out of memory");
  *g = (memscope_xblock){ptr, b->size, born, t, b->site, bt, b->count, b->owner};
  if (x) _memscope_ptab_remove(&m->wide, x); /* the new block decides anew */
  b->thread = 0;
  memscope_msite *os = &m->sites[b->site];
  memscope_mthread *ot = &m->threads[bt];
  site_sync(m, os);
  thread_sync(m, ot);
  os->live -= b->count, os->live_bytes -= b->size;
  ot->live -= b->count, ot->live_bytes -= b->size;
  m->live_blocks -= b->count, m->live_bytes -= b->size;
  m->overwritten++;
  TRY_TL(m, t, -(int64_t)b->size);
  return 0;
}

/* A block of 'size' bytes standing for 'count' blocks is born at t. */
static inline __attribute__((always_inline)) int birth(memscope_model *m, uint64_t ptr,
                                                      uint64_t size, uint32_t count, uint64_t t,
                                                      uint32_t si, uint32_t ti, uint32_t owner) {
  memscope_msite *s = &m->sites[si];
  memscope_mthread *th = &m->threads[ti];
  s->allocs += count, s->alloc_bytes += size;
  if (size > s->max_size) s->max_size = size;
  m->allocs += count, m->alloc_bytes += size;
  th->allocs += count, th->alloc_bytes += size;
  int rc;
  if (unlikely(m->orphans.count != 0) && birth_orphan(m, ptr, size, count, t, si, ti, &rc))
    return rc;
  int existed;
  memscope_block *b = _memscope_ltab_put(&m->live, ptr, &existed);
  if (unlikely(!b)) return _memscope_model_fail(m, "out of memory");
  if (unlikely(existed) && (rc = replace(m, b, t))) return rc;
  b->size = size, b->site = si, b->count = count, b->owner = owner;
  if (likely(t <= UINT32_MAX && ti < MEMSCOPE_BLOCK_WIDE)) {
    b->time = (uint32_t)t, b->thread = ti;
  } else {
    int ex;
    memscope_xblock *x = _memscope_ptab_put(&m->wide, ptr, 0, &ex);
    b->time = 0, b->thread = MEMSCOPE_BLOCK_WIDE;
    if (unlikely(!x)) {
      b->thread = 0;
      return _memscope_model_fail(m, "out of memory");
    }
    *x = (memscope_xblock){ptr, size, t, 0, si, ti, count, owner};
  }
  site_sync(m, s);
  thread_sync(m, th);
  s->live += count, s->live_bytes += size;
  th->live += count, th->live_bytes += size;
  m->live_blocks += count, m->live_bytes += size;
  if (m->live_bytes > m->fo_peak_bytes) {
    m->fo_peak_bytes = m->live_bytes, m->fo_peak_blocks = m->live_blocks, m->fo_peak_t = t;
    m->peak_epoch++;
  }
  TRY_TL(m, t, (int64_t)size);
  return 0;
}

/* A free (of ptr, at t, by thread ti) that no live block explains: the free of a replaced
   block, or of a block another thread allocates later in the file. */
static __attribute__((noinline)) int free_unmatched(memscope_model *m, uint64_t ptr, uint64_t t,
                                                   uint32_t ti) {
  if (m->ghosts.count) {
    memscope_xblock *g = ghost_match(m, ptr, t);
    if (g) { /* the free of a block that an alloc of the same pointer replaced */
      memscope_msite *s = &m->sites[g->site];
      s->frees += g->count, s->freed_bytes += g->size;
      m->threads[g->thread].freed_bytes += g->size;
      m->frees += g->count, m->freed_bytes += g->size;
      m->threads[ti].frees += g->count;
      m->overwritten--;
      m->cross_thread_matched++;
      uint64_t replaced = g->aux, size = g->size;
      if (life_add(m, s, g->time, t, g->count)) return MEMSCOPE_READ_ENOMEM;
      _memscope_ptab_remove(&m->ghosts, g);
      TRY_TL(m, replaced, (int64_t)size);
      TRY_TL(m, t, -(int64_t)size);
      return 0;
    }
  }
  /* pending frees of one pointer are bounded: the oldest gives way (frees of blocks allocated
     where the trace cannot see would otherwise pile up) */
  unsigned same = 0;
  memscope_xblock *oldest = NULL;
  for (memscope_xblock *o = _memscope_ptab_find(&m->orphans, ptr); o;
       o = _memscope_ptab_next(&m->orphans, o))
    if (same++, !oldest || o->time < oldest->time) oldest = o;
  if (same >= MODEL_ORPHANS_PER_PTR) {
    _memscope_ptab_remove(&m->orphans, oldest);
    m->orphans_dropped++;
  }
  int dup;
  memscope_xblock *o = _memscope_ptab_put(&m->orphans, ptr, 1, &dup);
  if (!o) return _memscope_model_fail(m, "out of memory");
  o->time = t, o->thread = ti, o->count = 1;
  m->threads[ti].frees++;
  return 0;
}

static inline __attribute__((always_inline)) int on_free(memscope_model *m, uint64_t ptr,
                                                        uint64_t t, uint32_t ti) {
  if (unlikely(ptr == 0)) {
    m->free_null++;
    return 0;
  }
  memscope_block *b = _memscope_ltab_find(&m->live, ptr);
  if (likely(b != NULL)) {
    uint64_t born;
    uint32_t bt;
    memscope_xblock *x = block_origin(m, b, &born, &bt);
    if (likely(bt == ti || t >= born)) {
      m->threads[ti].frees += b->count;
      return release(m, b, x, bt, born, t, 1);
    }
  }
  return free_unmatched(m, ptr, t, ti);
}

/* ---------------------------------------------------------------------------------------------
   Sampled blocks and ownership events
------------------------------------------------------------------------------------------------ */
/* A sampled block stands for 'weight' blocks: its bytes are rounded, and the fractions of
   blocks are carried from one block of the site to the next, so that counts add up. */
static int sampled(memscope_model *m, const memscope_trace_event *e, uint32_t si, uint32_t ti) {
  m->samples++;
  if (unlikely(e->ptr == 0)) return 0;
  memscope_msite *s = &m->sites[si];
  double w = e->weight, bytes = (double)e->size * w + 0.5;
  double c = s->wcarry + w, whole = floor(c);
  s->wcarry = c - whole;
  uint32_t count = whole >= 4294967295.0 ? UINT32_MAX : (uint32_t)whole;
  uint64_t size = bytes >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)bytes;
  m->sampled_blocks += count;
  return birth(m, e->ptr, size, count, e->t, si, ti, 0);
}

static uint64_t owner_hash(uint32_t kind, uint32_t var, uint32_t where) {
  uint64_t h = ((uint64_t)var << 32 | where) * 0x9e3779b97f4a7c15ull ^ kind;
  return h ^ (h >> 31);
}

/* Index of the ownership event (kind, var, where), added when new; 0 when out of memory. */
static uint32_t owner_get(memscope_model *m, uint32_t kind, uint32_t var, uint32_t where) {
  if (m->owner_set_cap) {
    uint32_t mask = m->owner_set_cap - 1;
    for (uint32_t j = (uint32_t)owner_hash(kind, var, where) & mask; m->owner_set[j];
         j = (j + 1) & mask) {
      const memscope_owner *o = &m->owners[m->owner_set[j]];
      if (o->kind == kind && o->var == var && o->where == where) return m->owner_set[j];
    }
  }
  if (m->nowners == 0) m->nowners = 1; /* index 0 = no owner */
  if (m->nowners >= m->owners_cap) {
    uint32_t cap = m->owners_cap ? 2 * m->owners_cap : 64;
    memscope_owner *no = realloc(m->owners, cap * sizeof *no);
    if (!no) return 0;
    m->owners = no, m->owners_cap = cap;
    memset(&m->owners[0], 0, sizeof m->owners[0]);
  }
  if ((m->nowners + 1) * 2 > m->owner_set_cap) {
    uint32_t ncap = m->owner_set_cap ? 2 * m->owner_set_cap : 128;
    uint32_t *ns = calloc(ncap, sizeof *ns);
    if (!ns) return 0;
    for (uint32_t i = 1; i < m->nowners; i++) {
      const memscope_owner *o = &m->owners[i];
      uint32_t j = (uint32_t)owner_hash(o->kind, o->var, o->where) & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = i;
    }
    free(m->owner_set);
    m->owner_set = ns, m->owner_set_cap = ncap;
  }
  uint32_t idx = m->nowners++;
  m->owners[idx] = (memscope_owner){kind, var, where};
  uint32_t j = (uint32_t)owner_hash(kind, var, where) & (m->owner_set_cap - 1);
  while (m->owner_set[j]) j = (j + 1) & (m->owner_set_cap - 1);
  m->owner_set[j] = idx;
  return idx;
}

/* The latest ownership event of the live block ptr. */
static int own(memscope_model *m, uint64_t ptr, uint32_t kind, uint32_t var, uint32_t where) {
  memscope_block *b = ptr ? _memscope_ltab_find(&m->live, ptr) : NULL;
  if (!b) {
    m->owner_unmatched++;
    return 0;
  }
  /* once stored into a field or global, the block belongs there: the scope exit of a variable
     that still holds a copy of the pointer does not drop it (a later handoff still counts) */
  if (kind == MEMSCOPE_OWN_EXIT && b->owner != 0 && m->owners[b->owner].kind == MEMSCOPE_OWN_HANDOFF) {
    return 0;
  }
  uint32_t o = owner_get(m, kind, var, where);
  if (unlikely(o == 0)) return _memscope_model_fail(m, "out of memory");
  b->owner = o;
  return 0;
}

/* ---------------------------------------------------------------------------------------------
   The event callbacks
------------------------------------------------------------------------------------------------ */
/* REALLOC: the old block is released, the new one born at the site. */
static inline int on_realloc(memscope_model *m, const memscope_trace_event *e, uint32_t si,
                             uint32_t ti) {
  m->reallocs++;
  m->sites[si].reallocs++;
  if (e->ptr == 0 && e->size != 0) return 0; /* failed: the old block stays */
  uint32_t owner = 0; /* a moved block keeps its ownership history */
  if (e->old != 0) {
    memscope_block *b = _memscope_ltab_find(&m->live, e->old);
    if (b) {
      owner = b->owner;
      uint64_t born;
      uint32_t bt;
      memscope_xblock *x = block_origin(m, b, &born, &bt);
      int rc = release(m, b, x, bt, born, e->t, 0);
      if (rc) return rc;
    } else m->realloc_unknown++;
  }
  return e->ptr ? birth(m, e->ptr, e->size, 1, e->t, si, ti, owner) : 0;
}

/* SAMPLED, SCOPE_EXIT and HANDOFF. */
static __attribute__((noinline)) int on_other(memscope_model *m, const memscope_trace_event *e,
                                             uint32_t si, uint32_t ti) {
  switch (e->op) {
  case MEMSCOPE_EV_SAMPLED: return sampled(m, e, si, ti);
  case MEMSCOPE_EV_SCOPE_EXIT: {
    m->scope_exits++;
    uint64_t x = e->exit_site;
    uint32_t xi = x ? _memscope_site_get(m, x, x < MODEL_AUTO_ID_LIMIT) : 0;
    return own(m, e->ptr, MEMSCOPE_OWN_EXIT, si, xi);
  }
  case MEMSCOPE_EV_HANDOFF:
    m->handoffs++;
    return own(m, e->ptr, MEMSCOPE_OWN_HANDOFF, 0, si);
  default: return 0;
  }
}

/* One event of thread index ti. */
static inline __attribute__((always_inline)) int model_event(memscope_model *m,
                                                             const memscope_trace_event *e,
                                                             uint32_t ti) {
  if (unlikely(m->at_found) && e->t > m->at_t) { /* --at: later than the mark */
    m->at_skipped++;
    return 0;
  }
  m->events++;
  if (e->t > m->last_t) m->last_t = e->t;
  uint32_t si = _memscope_site_get(m, e->site, e->site < MODEL_AUTO_ID_LIMIT);
  memscope_msite *s = &m->sites[si];
  if (unlikely(!s->defined) && e->site != 0) m->unknown_site_events++;
  s->calls++;
  m->threads[ti].events++;
  switch (e->op) {
  case MEMSCOPE_EV_ALLOC:
    if (unlikely(e->ptr == 0)) return 0; /* a failed allocation */
    return birth(m, e->ptr, e->size, 1, e->t, si, ti, 0);
  case MEMSCOPE_EV_FREE: return on_free(m, e->ptr, e->t, ti);
  case MEMSCOPE_EV_REALLOC: return on_realloc(m, e, si, ti);
  default: return on_other(m, e, si, ti);
  }
}

int _memscope_model_on_event(void *ud, const memscope_trace_event *e) {
  memscope_model *m = ud;
  return model_event(m, e, _memscope_thread_get(m, e->thread, e->thread < MODEL_AUTO_ID_LIMIT));
}

/* Events ahead of the current one whose slots are asked for. */
#define MODEL_PREFETCH 8

int _memscope_model_on_events(void *ud, const memscope_trace_event *ev, size_t n,
                              size_t *refused) {
  memscope_model *m = ud;
  /* the events of a batch are of one thread */
  uint32_t ti = _memscope_thread_get(m, ev[0].thread, ev[0].thread < MODEL_AUTO_ID_LIMIT);
  size_t ahead = 0;
  if (m->live.cap) {
    for (size_t i = 0; i < n && i < MODEL_PREFETCH; i++)
      _memscope_ltab_prefetch(&m->live, ev[i].ptr);
    ahead = n > MODEL_PREFETCH ? n - MODEL_PREFETCH : 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (i < ahead) _memscope_ltab_prefetch(&m->live, ev[i + MODEL_PREFETCH].ptr);
    int rc = model_event(m, &ev[i], ti);
    if (unlikely(rc)) {
      *refused = i;
      return rc;
    }
  }
  return 0;
}
