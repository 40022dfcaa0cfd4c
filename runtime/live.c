/* live.c: the writer's table of live blocks (pointer -> size), source of the in-process statistics. */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

/* Linear probing with tombstones, rebuilt when live plus dead slots pass half the table. malloc
   hands a freed address straight back (LIFO caches), so a FREE is usually followed by an ALLOC
   that reuses the tombstone the FREE left: one short probe each. The table is updated by the
   writer while it encodes a buffer, never on the allocation fast path. A free of a block the
   table does not hold (allocated before tracking started, by untracked code, or freed by a
   thread whose buffer was written before the allocating thread's) changes no figure. */

#define SLOT_EMPTY 0
#define SLOT_DEAD 1 /* no block lives at address 1 */

static inline size_t ptr_hash(uintptr_t p, size_t mask) {
  uint64_t x = (uint64_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (size_t)x & mask;
}

/* Rebuilds into a table sized for the live blocks, dropping tombstones. */
static int live_rebuild(_memscope_live_t *l) {
  size_t ncap = l->cap ? l->cap : 1024;
  while ((l->count + 1) * 4 > ncap) ncap *= 2;
  _memscope_live_slot_t *ns = calloc(ncap, sizeof *ns);
  if (ns == NULL) return MEMSCOPE_ERR_NOMEM;
  for (size_t i = 0; i < l->cap; i++) {
    if (l->slots[i].ptr <= SLOT_DEAD) continue;
    size_t j = ptr_hash(l->slots[i].ptr, ncap - 1);
    while (ns[j].ptr != SLOT_EMPTY) j = (j + 1) & (ncap - 1);
    ns[j] = l->slots[i];
  }
  free(l->slots);
  l->slots = ns;
  l->cap = ncap;
  l->dead = 0;
  return 0;
}

static int live_insert(_memscope_live_t *l, uintptr_t ptr, uint64_t size) {
  if ((l->count + l->dead + 1) * 2 > l->cap) {
    int rc = live_rebuild(l);
    if (rc != 0) return rc;
  }
  size_t mask = l->cap - 1, j = ptr_hash(ptr, mask), reuse = SIZE_MAX;
  for (; l->slots[j].ptr != SLOT_EMPTY; j = (j + 1) & mask) {
    if (l->slots[j].ptr == ptr) { /* a block whose free we missed: replace it */
      l->st.current_bytes -= l->slots[j].size;
      l->st.current_blocks--;
      l->count--;
      reuse = j;
      break;
    }
    if (l->slots[j].ptr == SLOT_DEAD && reuse == SIZE_MAX) reuse = j;
  }
  if (reuse != SIZE_MAX) {
    if (l->slots[reuse].ptr == SLOT_DEAD) l->dead--;
    j = reuse;
  }
  l->slots[j].ptr = ptr;
  l->slots[j].size = size;
  l->count++;
  l->st.current_bytes += size;
  l->st.current_blocks++;
  if (l->st.current_bytes > l->st.peak_bytes) l->st.peak_bytes = l->st.current_bytes;
  return 0;
}

/* Removes ptr; returns true when it was live. */
static bool live_remove(_memscope_live_t *l, uintptr_t ptr) {
  if (l->cap == 0) return false;
  size_t mask = l->cap - 1;
  for (size_t j = ptr_hash(ptr, mask); l->slots[j].ptr != SLOT_EMPTY; j = (j + 1) & mask) {
    if (l->slots[j].ptr == ptr) {
      l->st.current_bytes -= l->slots[j].size;
      l->st.current_blocks--;
      l->count--;
      l->slots[j].ptr = SLOT_DEAD;
      l->dead++;
      return true;
    }
  }
  return false;
}

int _memscope_live_apply(_memscope_live_t *l, const _memscope_rec_t *recs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    const _memscope_rec_t *r = &recs[i];
    switch (_memscope_rec_op(r)) {
    case MEMSCOPE_OP_ALLOC:
    case MEMSCOPE_OP_REALLOC: {
      if (_memscope_rec_op(r) == MEMSCOPE_OP_REALLOC && live_remove(l, r->aux)) {
        l->st.free_count++;
      }
      uint64_t size = _memscope_rec_size(r);
      l->st.alloc_count++;
      l->st.alloc_bytes += size;
      int rc = live_insert(l, r->ptr, size);
      if (rc != 0) return rc;
      break;
    }
    case MEMSCOPE_OP_SAMPLED: { /* figures scaled by the weight: estimates */
      float w;
      uint32_t bits = (uint32_t)r->aux;
      memcpy(&w, &bits, sizeof w);
      uint64_t size = (uint64_t)((double)_memscope_rec_size(r) * w + 0.5);
      l->st.alloc_count += (uint64_t)(w + 0.5);
      l->st.alloc_bytes += size;
      int rc = live_insert(l, r->ptr, size);
      if (rc != 0) return rc;
      break;
    }
    case MEMSCOPE_OP_FREE:
      if (live_remove(l, r->ptr)) l->st.free_count++;
      break;
    default:
      break;
    }
  }
  return 0;
}

void _memscope_live_free(_memscope_live_t *l) {
  free(l->slots);
  memset(l, 0, sizeof *l);
}

size_t _memscope_live_bytes(const _memscope_live_t *l) {
  return l->cap * sizeof(_memscope_live_slot_t);
}
