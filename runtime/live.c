/* live.c: the writer's table of live blocks (pointer -> size), source of the in-process statistics. */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

/* Linear probing with backward-shift deletion (no tombstones), grown at 50% load. It is updated
   by the writer while it encodes a buffer, never on the allocation fast path. A free of a block
   the table does not hold (allocated before tracking started, by untracked code, or freed by a
   thread whose buffer was written before the allocating thread's) changes no figure. */

static inline size_t ptr_hash(uintptr_t p, size_t mask) {
  uint64_t x = (uint64_t)p >> 4;
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  return (size_t)x & mask;
}

static int live_grow(_memscope_live_t *l) {
  size_t ncap = l->cap ? l->cap * 2 : 1024;
  _memscope_live_slot_t *ns = calloc(ncap, sizeof *ns);
  if (ns == NULL) return MEMSCOPE_ERR_NOMEM;
  for (size_t i = 0; i < l->cap; i++) {
    if (l->slots[i].ptr == 0) continue;
    size_t j = ptr_hash(l->slots[i].ptr, ncap - 1);
    while (ns[j].ptr != 0) j = (j + 1) & (ncap - 1);
    ns[j] = l->slots[i];
  }
  free(l->slots);
  l->slots = ns;
  l->cap = ncap;
  return 0;
}

static int live_insert(_memscope_live_t *l, uintptr_t ptr, uint64_t size) {
  if ((l->count + 1) * 2 > l->cap) {
    int rc = live_grow(l);
    if (rc != 0) return rc;
  }
  size_t mask = l->cap - 1, j = ptr_hash(ptr, mask);
  while (l->slots[j].ptr != 0 && l->slots[j].ptr != ptr) j = (j + 1) & mask;
  if (l->slots[j].ptr == ptr) { /* a block we missed the free of: replace it */
    l->st.current_bytes -= l->slots[j].size;
    l->st.current_blocks--;
  } else {
    l->count++;
  }
  l->slots[j].ptr = ptr;
  l->slots[j].size = size;
  l->st.current_bytes += size;
  l->st.current_blocks++;
  if (l->st.current_bytes > l->st.peak_bytes) l->st.peak_bytes = l->st.current_bytes;
  return 0;
}

/* Removes ptr; returns true when it was live. */
static bool live_remove(_memscope_live_t *l, uintptr_t ptr) {
  if (l->cap == 0) return false;
  size_t mask = l->cap - 1, j = ptr_hash(ptr, mask);
  while (l->slots[j].ptr != ptr) {
    if (l->slots[j].ptr == 0) return false;
    j = (j + 1) & mask;
  }
  l->st.current_bytes -= l->slots[j].size;
  l->st.current_blocks--;
  l->count--;
  /* shift back the entries that probed past j */
  size_t hole = j;
  for (size_t k = (j + 1) & mask; l->slots[k].ptr != 0; k = (k + 1) & mask) {
    size_t home = ptr_hash(l->slots[k].ptr, mask);
    bool movable = hole <= k ? (home <= hole || home > k) : (home <= hole && home > k);
    if (movable) {
      l->slots[hole] = l->slots[k];
      hole = k;
    }
  }
  l->slots[hole].ptr = 0;
  l->slots[hole].size = 0;
  return true;
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
