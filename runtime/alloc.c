/* alloc.c: the tracked allocation entry points the plugin calls, wrapper brackets and the manual API. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Each entry point calls the real function first and records only what succeeded, so the
   program sees exactly the result, errno and heap it would see without memscope. A free is
   recorded before the block is released: another thread may get the same address back at once,
   and its ALLOC must not precede this FREE in time. */

void *memscope_malloc(size_t size, const memscope_site *site) {
  void *p = malloc(size);
  if (likely(p != NULL)) _memscope_on_alloc((uintptr_t)p, size, site);
  return p;
}

void *memscope_calloc(size_t count, size_t size, const memscope_site *site) {
  void *p = calloc(count, size);
  if (likely(p != NULL)) _memscope_on_alloc((uintptr_t)p, (uint64_t)count * size, site);
  return p;
}

/* realloc(NULL, n) is an allocation; a failed realloc leaves the old block live and records
   nothing; realloc(p, 0) that returns NULL has released p (glibc). */
static void *record_realloc(uintptr_t old, void *p, uint64_t size, const memscope_site *site) {
  if (likely(p != NULL)) {
    if (old == 0) _memscope_on_alloc((uintptr_t)p, size, site);
    else _memscope_on_realloc(old, (uintptr_t)p, size, site);
  } else if (old != 0 && size == 0) {
    _memscope_on_free(old, site);
  }
  return p;
}

void *memscope_realloc(void *ptr, size_t size, const memscope_site *site) {
  uintptr_t old = (uintptr_t)ptr; /* only the address is kept: the block may be gone */
  return record_realloc(old, realloc(ptr, size), size, site);
}

void *memscope_reallocarray(void *ptr, size_t count, size_t size, const memscope_site *site) {
  uintptr_t old = (uintptr_t)ptr;
  void *p = reallocarray(ptr, count, size);
  /* on failure the product may have overflowed to 0: only a real zero request released ptr */
  uint64_t bytes = p != NULL || count == 0 || size == 0 ? (uint64_t)count * size : 1;
  return record_realloc(old, p, bytes, site);
}

void memscope_free(void *ptr, const memscope_site *site) {
  _memscope_tb.last_freed = (uintptr_t)ptr; /* its owner's scope exit need not be recorded */
  if (likely(ptr != NULL)) _memscope_on_free((uintptr_t)ptr, site);
  free(ptr);
}

char *memscope_strdup(const char *s, const memscope_site *site) {
  char *p = strdup(s);
  if (likely(p != NULL)) _memscope_on_alloc((uintptr_t)p, strlen(p) + 1, site);
  return p;
}

char *memscope_strndup(const char *s, size_t n, const memscope_site *site) {
  char *p = strndup(s, n);
  if (likely(p != NULL)) _memscope_on_alloc((uintptr_t)p, strlen(p) + 1, site);
  return p;
}

void *memscope_aligned_alloc(size_t alignment, size_t size, const memscope_site *site) {
  void *p = aligned_alloc(alignment, size);
  if (likely(p != NULL)) _memscope_on_alloc((uintptr_t)p, size, site);
  return p;
}

int memscope_posix_memalign(void **out, size_t alignment, size_t size, const memscope_site *site) {
  void *p = NULL;
  int rc = posix_memalign(&p, alignment, size);
  if (likely(rc == 0)) {
    *out = p;
    _memscope_on_alloc((uintptr_t)p, size, site);
  }
  return rc;
}

/* The inline path of rewritten code found a block to sample (see memscope.h). */
void memscope_sample_hit(const void *ptr, size_t size, const memscope_site *site) {
  if (ptr != NULL) _memscope_on_alloc_counted((uintptr_t)ptr, size, site, true);
}

/* ---------------------------------------------------------------------------------------------
   Allocator wrappers. The outermost active wrapper names every block allocated under it; the
   block is recorded once, by the real allocator call inside when that call is tracked, else by
   memscope_wrap_result at the wrapper's call site.
------------------------------------------------------------------------------------------------ */
const memscope_site *memscope_wrap_enter(const memscope_site *site) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  const memscope_site *outer = memscope_thread.wrap_site;
  if (outer == NULL) {
    memscope_thread.wrap_site = site;
    memscope_thread.wrap_mark = memscope_thread.sample_countdown;
    tb->wrap_allocs = 0;
    tb->wrap_frees = 0;
    tb->wrap_mark_calls = tb->sample_calls;
    tb->limit = 0; /* events under a wrapper take the slow path, which renames them */
  }
  return outer;
}

void memscope_wrap_leave(const memscope_site *token) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (token == NULL) {
    memscope_thread.wrap_site = NULL;
    _memscope_buffer_refresh_limit(tb);
  }
}

void memscope_wrap_result(void *ptr, size_t size, const memscope_site *site) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (ptr == NULL || tb->wrap_allocs != 0) return; /* recorded inside, by the real call */
  if (mem_load_relaxed(&memscope_mode) != MEMSCOPE_MODE_ALL &&
      (memscope_thread.sample_countdown != memscope_thread.wrap_mark ||
       tb->sample_calls != tb->wrap_mark_calls)) {
    return; /* sampling: a tracked allocation inside the wrapper already had its chance */
  }
  _memscope_on_alloc((uintptr_t)ptr, size, site);
}

void memscope_wrap_free(const void *ptr, const memscope_site *site) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (ptr == NULL) return;
  /* released inside, by the real call; under bytes sampling code built with the plugin enters
     wrappers without the runtime, so the count is not kept and the sampled set decides */
  if (tb->wrap_frees != 0 && mem_load_relaxed(&memscope_mode) != MEMSCOPE_MODE_BYTES) return;
  _memscope_on_free((uintptr_t)ptr, site);
}

/* ---------------------------------------------------------------------------------------------
   Scope exits of local pointer variables
------------------------------------------------------------------------------------------------ */
void memscope_set_exit(const memscope_site *exit_point) { memscope_thread.exit_site = exit_point; }

/* Ownership events concern recorded blocks only: when sampling, the filter skips the others. */
static inline bool maybe_recorded(const void *ptr) {
  int mode = mem_load_relaxed(&memscope_mode);
  return mode == MEMSCOPE_MODE_ALL ||
         (mode != MEMSCOPE_MODE_OFF && _memscope_maybe_sampled((uintptr_t)ptr));
}

void memscope_scope_exit(const void *ptr, const memscope_site *var) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  const memscope_site *exit_point = memscope_thread.exit_site;
  /* the slot stays set: one exit runs the hooks of every variable of the scopes it leaves */
  if (ptr == NULL || !maybe_recorded(ptr)) return;
  /* nothing to learn when this thread just freed the block or handed it on: the common
     `p = malloc(); ...; free(p); }` and `p = malloc(); h->f = p; }` cost no event */
  if ((uintptr_t)ptr == tb->last_freed || (uintptr_t)ptr == tb->last_handoff) return;
  _memscope_emit(MEMSCOPE_OP_SCOPE_EXIT, (uintptr_t)ptr, (uintptr_t)exit_point, 0, var);
}

void memscope_handoff(const void *ptr, const memscope_site *site) {
  if (ptr == NULL || !maybe_recorded(ptr)) return;
  _memscope_tb.last_handoff = (uintptr_t)ptr;
  _memscope_emit(MEMSCOPE_OP_HANDOFF, (uintptr_t)ptr, 0, 0, site);
}

/* ---------------------------------------------------------------------------------------------
   Manual API
------------------------------------------------------------------------------------------------ */
void memscope_track_alloc(const void *ptr, size_t size, const memscope_site *site) {
  if (ptr != NULL) _memscope_on_alloc((uintptr_t)ptr, size, site);
}

void memscope_track_free(const void *ptr, const memscope_site *site) {
  if (ptr != NULL) _memscope_on_free((uintptr_t)ptr, site);
}

void memscope_track_realloc(const void *old_ptr, const void *new_ptr, size_t size,
                            const memscope_site *site) {
  record_realloc((uintptr_t)old_ptr, (void *)new_ptr, size, site);
}
