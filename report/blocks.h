/* blocks.h: pointer-keyed block tables and the live-bytes timeline used by the model. */
#ifndef MEMSCOPE_BLOCKS_H
#define MEMSCOPE_BLOCKS_H

#include "model.h"

#define _memscope_internal_b __attribute__((visibility("hidden")))

/* ---------------------------------------------------------------------------------------------
   Tables of full blocks (orphans, ghosts, wide live blocks)
------------------------------------------------------------------------------------------------ */
static inline uint64_t _memscope_ptr_hash(uint64_t p) {
  uint64_t h = p * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}

/* Finds the first entry for ptr, or NULL. */
static inline memscope_xblock *_memscope_ptab_find(const memscope_ptab *t, uint64_t ptr) {
  if (t->count == 0) return NULL;
  uint64_t mask = t->cap - 1;
  for (uint64_t i = _memscope_ptr_hash(ptr) & mask;; i = (i + 1) & mask) {
    memscope_xblock *b = &t->slots[i];
    if (b->ptr == ptr) return b;
    if (b->ptr == 0) return NULL;
  }
}

/* The next entry for the same pointer after b, or NULL (for tables with duplicates). */
memscope_xblock *_memscope_ptab_next(const memscope_ptab *t, const memscope_xblock *b)
    _memscope_internal_b;
/* Finds the entry for ptr or adds an empty one (*existed tells which); NULL when out of memory.
   With 'dup' a new entry is always added. */
memscope_xblock *_memscope_ptab_put(memscope_ptab *t, uint64_t ptr, int dup, int *existed)
    _memscope_internal_b;
/* Removes an entry found by find/next/put. */
void _memscope_ptab_remove(memscope_ptab *t, memscope_xblock *b) _memscope_internal_b;
void _memscope_ptab_free(memscope_ptab *t) _memscope_internal_b;

/* ---------------------------------------------------------------------------------------------
   The live table: linear probing from the top bits of a multiplicative hash (consecutive
   pointers spread over the table), deletion by backward shift.
------------------------------------------------------------------------------------------------ */
static inline uint64_t _memscope_ltab_home(const memscope_ltab *t, uint64_t ptr) {
  return (ptr * 0x9e3779b97f4a7c15ull) >> t->shift;
}

/* Makes room for one more entry; -1 when out of memory. */
int _memscope_ltab_grow(memscope_ltab *t) _memscope_internal_b;
void _memscope_ltab_free(memscope_ltab *t) _memscope_internal_b;

/* The entry of ptr (not 0), or NULL. */
static inline memscope_block *_memscope_ltab_find(const memscope_ltab *t, uint64_t ptr) {
  if (unlikely(t->count == 0)) return NULL;
  uint64_t mask = t->cap - 1;
  for (uint64_t i = _memscope_ltab_home(t, ptr);; i = (i + 1) & mask) {
    memscope_block *b = &t->slots[i];
    if (b->ptr == ptr) return b;
    if (b->ptr == 0) return NULL;
  }
}

/* Finds the entry of ptr (not 0) or adds one with only its pointer set (*existed tells which);
   NULL when out of memory. */
static inline memscope_block *_memscope_ltab_put(memscope_ltab *t, uint64_t ptr, int *existed) {
  if (unlikely(t->count >= t->limit) && _memscope_ltab_grow(t) != 0) return NULL;
  uint64_t mask = t->cap - 1;
  memscope_block *b;
  for (uint64_t i = _memscope_ltab_home(t, ptr);; i = (i + 1) & mask) {
    b = &t->slots[i];
    if (b->ptr == ptr) {
      *existed = 1;
      return b;
    }
    if (b->ptr == 0) break;
  }
  b->ptr = ptr;
  t->count++;
  *existed = 0;
  return b;
}

/* Removes an entry found by find or put: the entries after it that may move back fill the
   hole, so that no probe sequence is broken. */
static inline void _memscope_ltab_remove(memscope_ltab *t, memscope_block *b) {
  uint64_t mask = t->cap - 1, hole = (uint64_t)(b - t->slots);
  for (uint64_t i = (hole + 1) & mask;; i = (i + 1) & mask) {
    memscope_block *n = &t->slots[i];
    if (n->ptr == 0) break;
    uint64_t home = _memscope_ltab_home(t, n->ptr);
    /* n may move into the hole when its home is not cyclically in (hole, i] */
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      t->slots[hole] = *n;
      hole = i;
    }
  }
  t->slots[hole].ptr = 0;
  t->count--;
}

/* Asks the cache for the slot where ptr's probe starts. */
static inline void _memscope_ltab_prefetch(const memscope_ltab *t, uint64_t ptr) {
  __builtin_prefetch(&t->slots[_memscope_ltab_home(t, ptr)]);
}

/* ---------------------------------------------------------------------------------------------
   Timeline
------------------------------------------------------------------------------------------------ */
/* a + b, held at the int64 limits: sizes from a damaged trace may be anything */
static inline int64_t _memscope_sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (unlikely(__builtin_add_overflow(a, b, &r))) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

/* Adds a live-byte change at time t (ms); returns 0 or MEMSCOPE_READ_ENOMEM. */
int _memscope_timeline_grow(memscope_model *m, uint64_t idx) _memscope_internal_b;
static inline int _memscope_timeline_add(memscope_model *m, uint64_t t, int64_t delta) {
  uint64_t idx = t >> m->shift;
  if (unlikely(idx >= m->nbuckets)) {
    int rc = _memscope_timeline_grow(m, idx);
    if (rc) return rc;
    idx = t >> m->shift;
  }
  memscope_bucket *b = &m->buckets[idx];
  b->delta = _memscope_sat_add(b->delta, delta);
  if (b->delta > b->maxpre) b->maxpre = b->delta;
  return 0;
}
/* Peak of the running sum over all buckets and the start of its bucket. */
void _memscope_timeline_peak(const memscope_model *m, uint64_t *peak, uint64_t *at)
    _memscope_internal_b;

#endif /* MEMSCOPE_BLOCKS_H */
