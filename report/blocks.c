/* blocks.c: open-addressing block tables keyed by pointer, and the adaptive live-bytes timeline. */
#include "blocks.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
   Tables of full blocks: linear probing, at most 70% full, deletion by backward shift (no
   tombstones).
------------------------------------------------------------------------------------------------ */
static int ptab_grow(memscope_ptab *t) {
  uint64_t ncap = t->cap ? 2 * t->cap : 1024;
  memscope_xblock *ns = calloc(ncap, sizeof *ns);
  if (!ns) return -1;
  uint64_t mask = ncap - 1;
  for (uint64_t i = 0; i < t->cap; i++) {
    const memscope_xblock *b = &t->slots[i];
    if (b->ptr == 0) continue;
    uint64_t j = _memscope_ptr_hash(b->ptr) & mask;
    while (ns[j].ptr != 0) j = (j + 1) & mask;
    ns[j] = *b;
  }
  free(t->slots);
  t->slots = ns;
  t->cap = ncap;
  return 0;
}

memscope_xblock *_memscope_ptab_next(const memscope_ptab *t, const memscope_xblock *b) {
  uint64_t mask = t->cap - 1, ptr = b->ptr;
  for (uint64_t i = ((uint64_t)(b - t->slots) + 1) & mask;; i = (i + 1) & mask) {
    memscope_xblock *n = &t->slots[i];
    if (n->ptr == ptr) return n;
    if (n->ptr == 0) return NULL;
  }
}

memscope_xblock *_memscope_ptab_put(memscope_ptab *t, uint64_t ptr, int dup, int *existed) {
  if (unlikely((t->count + 1) * 10 > t->cap * 7) && ptab_grow(t) != 0) return NULL;
  uint64_t mask = t->cap - 1;
  uint64_t i = _memscope_ptr_hash(ptr) & mask;
  for (;; i = (i + 1) & mask) {
    memscope_xblock *b = &t->slots[i];
    if (b->ptr == 0) break;
    if (b->ptr == ptr && !dup) {
      *existed = 1;
      return b;
    }
  }
  memscope_xblock *b = &t->slots[i];
  memset(b, 0, sizeof *b);
  b->ptr = ptr;
  t->count++;
  *existed = 0;
  return b;
}

void _memscope_ptab_remove(memscope_ptab *t, memscope_xblock *b) {
  uint64_t mask = t->cap - 1;
  uint64_t hole = (uint64_t)(b - t->slots);
  for (uint64_t i = (hole + 1) & mask;; i = (i + 1) & mask) {
    memscope_xblock *n = &t->slots[i];
    if (n->ptr == 0) break;
    uint64_t home = _memscope_ptr_hash(n->ptr) & mask;
    /* n may move into the hole when its home is not cyclically in (hole, i] */
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      t->slots[hole] = *n;
      hole = i;
    }
  }
  t->slots[hole].ptr = 0;
  t->count--;
}

void _memscope_ptab_free(memscope_ptab *t) {
  free(t->slots);
  memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------------------------------------
   The live table: at most 3/8 full (short probes); slots aligned on cache lines, two to a line.
------------------------------------------------------------------------------------------------ */
#define LTAB_MIN_CAP 4096u

int _memscope_ltab_grow(memscope_ltab *t) {
  uint64_t ncap = t->cap ? 2 * t->cap : LTAB_MIN_CAP;
  unsigned nshift = 64;
  for (uint64_t c = ncap; c > 1; c >>= 1) nshift--;
  size_t bytes = (size_t)ncap * sizeof(memscope_block);
  memscope_block *ns = aligned_alloc(64, bytes);
  if (!ns) return -1;
  memset(ns, 0, bytes);
  memscope_ltab n = {ns, ncap, 0, ncap / 8 * 3, nshift};
  uint64_t mask = ncap - 1;
  for (uint64_t i = 0; i < t->cap; i++) {
    const memscope_block *b = &t->slots[i];
    if (b->ptr == 0) continue;
    uint64_t j = _memscope_ltab_home(&n, b->ptr);
    while (ns[j].ptr != 0) j = (j + 1) & mask;
    ns[j] = *b;
  }
  n.count = t->count;
  free(t->slots);
  *t = n;
  return 0;
}

void _memscope_ltab_free(memscope_ltab *t) {
  free(t->slots);
  memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------------------------------------
   Timeline: one bucket per 2^shift ms holding the net change and the highest running sum within
   the bucket. Two neighbours merge exactly when the width doubles.
------------------------------------------------------------------------------------------------ */
static void timeline_halve(memscope_model *m) {
  uint64_t n = (m->nbuckets + 1) / 2;
  for (uint64_t i = 0; i < n; i++) {
    memscope_bucket a = m->buckets[2 * i];
    memscope_bucket b = 2 * i + 1 < m->nbuckets ? m->buckets[2 * i + 1] : (memscope_bucket){0, 0};
    int64_t second = _memscope_sat_add(a.delta, b.maxpre);
    m->buckets[i].delta = _memscope_sat_add(a.delta, b.delta);
    m->buckets[i].maxpre = a.maxpre > second ? a.maxpre : second;
  }
  memset(m->buckets + n, 0, (m->nbuckets - n) * sizeof *m->buckets);
  m->nbuckets = n;
  m->shift++;
}

int _memscope_timeline_grow(memscope_model *m, uint64_t idx) {
  while (idx >= MEMSCOPE_TIMELINE_MAX_BUCKETS) {
    if (m->nbuckets) timeline_halve(m);
    else m->shift++;
    idx >>= 1;
  }
  if (idx >= m->buckets_cap) {
    uint64_t ncap = m->buckets_cap ? m->buckets_cap : 1024;
    while (ncap <= idx) ncap *= 2;
    if (ncap > MEMSCOPE_TIMELINE_MAX_BUCKETS) ncap = MEMSCOPE_TIMELINE_MAX_BUCKETS;
    memscope_bucket *nb = realloc(m->buckets, ncap * sizeof *nb);
    if (!nb) return MEMSCOPE_READ_ENOMEM;
    memset(nb + m->buckets_cap, 0, (ncap - m->buckets_cap) * sizeof *nb);
    m->buckets = nb;
    m->buckets_cap = ncap;
  }
  if (idx >= m->nbuckets) m->nbuckets = idx + 1;
  return 0;
}

void _memscope_timeline_peak(const memscope_model *m, uint64_t *peak, uint64_t *at) {
  int64_t run = 0, best = 0;
  uint64_t best_t = 0;
  for (uint64_t i = 0; i < m->nbuckets; i++) {
    const memscope_bucket *b = &m->buckets[i];
    int64_t high = _memscope_sat_add(run, b->maxpre);
    if (high > best) {
      best = high;
      best_t = i << m->shift;
    }
    run = _memscope_sat_add(run, b->delta);
  }
  *peak = (uint64_t)best;
  *at = best_t;
}
