/* internal.h: declarations shared by the runtime's files: records, thread buffers, atomics. */
#ifndef MEMSCOPE_INTERNAL_H
#define MEMSCOPE_INTERNAL_H

#include "memscope.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---------------------------------------------------------------------------------------------
   Compiler helpers
------------------------------------------------------------------------------------------------ */
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define _memscope_hidden  __attribute__((visibility("hidden")))
#define _memscope_noinline __attribute__((noinline))
#define _memscope_tls     __thread __attribute__((tls_model("initial-exec")))
#define MEMSCOPE_CACHE_LINE 64

/* C11 atomics, named by memory order. */
#define mem_load_relaxed(p)      atomic_load_explicit((p), memory_order_relaxed)
#define mem_load_acquire(p)      atomic_load_explicit((p), memory_order_acquire)
#define mem_store_relaxed(p, v)  atomic_store_explicit((p), (v), memory_order_relaxed)
#define mem_store_release(p, v)  atomic_store_explicit((p), (v), memory_order_release)
#define mem_add_relaxed(p, v)    atomic_fetch_add_explicit((p), (v), memory_order_relaxed)
#define mem_xchg_acq_rel(p, v)   atomic_exchange_explicit((p), (v), memory_order_acq_rel)

/* ---------------------------------------------------------------------------------------------
   Records
   One fixed-size record per event in the per-thread buffer; the writer turns them into the
   compact msgpack payload of an EVENTS record (docs/trace-format.md).
------------------------------------------------------------------------------------------------ */
typedef enum _memscope_op {
  MEMSCOPE_OP_TIME = 0,       /* aux = absolute clock in ms */
  MEMSCOPE_OP_ALLOC = 1,      /* ptr, size */
  MEMSCOPE_OP_FREE = 2,       /* ptr */
  MEMSCOPE_OP_REALLOC = 3,    /* aux = old ptr, ptr, size */
  MEMSCOPE_OP_SCOPE_EXIT = 4, /* ptr, site = variable, aux = exit point site */
  MEMSCOPE_OP_SAMPLED = 5,    /* ptr, size, aux = weight as float bits (sampled allocation) */
  MEMSCOPE_OP_HANDOFF = 6,    /* ptr, site = the destination (field or global) */
} _memscope_op;

/* memscope_mode holds the recording mode (MEMSCOPE_MODE_* in memscope.h): 0 records nothing,
   ALL every event, BYTES Poisson sampling of bytes (bytes:MEAN and auto:RATE), SIZE per-size-class
   rates (size:...). */

#define MEMSCOPE_OP_BITS 3

typedef struct _memscope_rec_s {
  uintptr_t ptr;
  uintptr_t aux;
  const memscope_site *site;
  uint64_t size_op; /* size << MEMSCOPE_OP_BITS | op */
} _memscope_rec_t;

_Static_assert(sizeof(_memscope_rec_t) == 32, "a record must stay 32 bytes");

static inline unsigned _memscope_rec_op(const _memscope_rec_t *r) {
  return (unsigned)(r->size_op & ((1u << MEMSCOPE_OP_BITS) - 1));
}
static inline uint64_t _memscope_rec_size(const _memscope_rec_t *r) {
  return r->size_op >> MEMSCOPE_OP_BITS;
}

/* ---------------------------------------------------------------------------------------------
   Thread buffers
   Each thread owns one buffer in TLS. The fast path writes only to it; 'limit' is 0 whenever the
   next event must take the slow path (not yet set up, inside the runtime, in a wrapper, stopped).
------------------------------------------------------------------------------------------------ */
#define MEMSCOPE_SITE_CACHE 64

/* Trace ids of recently used sites, so most lookups take no lock. */
typedef struct _memscope_site_cache_s {
  struct {
    const memscope_site *site;
    uint32_t id;
  } e[MEMSCOPE_SITE_CACHE];
} _memscope_site_cache_t;

typedef struct _memscope_tbuf_s {
  _memscope_rec_t *recs;
  uint32_t limit;               /* fast path may append while count < limit */
  _Atomic(uint32_t) count;      /* records in recs */
  uint32_t cap;                 /* capacity of recs */
  uint32_t last_ms;             /* clock when the last record was appended */
  uint32_t t0_ms;               /* clock at the first record of the buffer */
  uint32_t thread_id;           /* 1-based index in the trace, 0 = not set up */
  uint32_t flush_epoch;         /* _memscope_state.flush_epoch when this buffer last flushed */
  uint64_t events_seen;         /* events that reached this thread's buffer */
  uint64_t sample_rng;          /* per-thread random state, 0 = not seeded */
  uint64_t sample_calls;        /* allocation calls seen (MODE_SIZE every=N) */
  int64_t class_countdown[8];   /* calls until the next sample per size class (MODE_SIZE) */
  uint8_t in_runtime;           /* re-entrancy guard */
  uint8_t dead;                 /* thread has exited */
  uint8_t registered;           /* linked in the registry */
  _Atomic(uint8_t) flushing;    /* owner or exit flusher holds the buffer */
  uint32_t wrap_allocs;             /* allocations recorded since the outermost wrapper began */
  uint32_t wrap_frees;              /* frees recorded since then */
  uintptr_t last_freed;             /* the block this thread freed last */
  uintptr_t last_handoff;           /* the block this thread last stored into a field/global */
  uint64_t wrap_mark_calls;         /* sample_calls when the outermost wrapper was entered */
  pid_t os_tid;
  char name[16];                /* thread name, refreshed at each flush */
  _Atomic(uint32_t) raw_queued; /* batches of this thread's records the writer has yet to encode */
  _memscope_site_cache_t site_cache; /* trace ids of sites this thread used */
  struct _memscope_tbuf_s *next; /* registry of live thread buffers */
} _memscope_tbuf_t;

/* ---------------------------------------------------------------------------------------------
   Global state
------------------------------------------------------------------------------------------------ */
/* The recording mode, read on every call and written rarely. Exported: the code the plugin
   rewrites reads it inline, so that with recording off (MEMSCOPE=off, memscope_stop) a call costs
   one predictable branch and goes straight to libc. */
extern _Atomic(int) memscope_mode __attribute__((visibility("default")));

/* The bytes-sampling countdown and the exit slot of each thread, and the floor of blocks always
   sampled (UINT64_MAX = none): exported, read and updated inline by rewritten code. */
extern _memscope_tls memscope_thread_state memscope_thread __attribute__((visibility("default")));
extern uint64_t memscope_sample_always __attribute__((visibility("default")));

typedef struct _memscope_state_s {
  _Alignas(MEMSCOPE_CACHE_LINE) _Atomic(uint32_t) clock_ms; /* written by the writer thread */
  _Atomic(uint8_t) clock_used;     /* an event took a new clock_ms value since the writer looked */
  _Alignas(MEMSCOPE_CACHE_LINE) _Atomic(int) initialized;
  _Atomic(int) finished;           /* the END record was written */
  _Atomic(int) user_paused;        /* memscope_stop() in force */
  _Atomic(int) off;                /* switched off by MEMSCOPE=off or a fatal error */
  int mode;                        /* configured recording mode, restored by memscope_start */
  _Atomic(uint32_t) next_thread_id;
  _Atomic(uint32_t) flush_epoch;   /* bumped by a snapshot: threads write their buffers */
  _Atomic(uint32_t) signals;       /* deliveries of MEMSCOPE_SIGNAL not yet acted on */
  _Atomic(uint64_t) events_dropped;
  uint64_t start_ns;               /* CLOCK_MONOTONIC at start */
  uint64_t start_unix_ns;          /* CLOCK_REALTIME at start */
} _memscope_state_t;

extern _memscope_state_t _memscope_state _memscope_hidden;
extern _memscope_tls _memscope_tbuf_t _memscope_tb;

/* ---------------------------------------------------------------------------------------------
   Internal functions (one block per file)
------------------------------------------------------------------------------------------------ */
/* buffer.c */
void _memscope_emit_slow(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size,
                         const memscope_site *site) _memscope_hidden _memscope_noinline;
int _memscope_buffer_flush(_memscope_tbuf_t *tb) _memscope_hidden;
int _memscope_buffer_flush_all(void) _memscope_hidden;
void _memscope_buffer_reset_after_fork(void) _memscope_hidden;
void _memscope_buffer_refresh_limit(_memscope_tbuf_t *tb) _memscope_hidden;
uint64_t _memscope_buffer_memory(void) _memscope_hidden;
uint32_t _memscope_buffer_threads(void) _memscope_hidden;
uint64_t _memscope_buffer_events_seen(void) _memscope_hidden;

/* clock.c */
uint32_t _memscope_clock_read(void) _memscope_hidden;
uint64_t _memscope_clock_ns(int clock_id) _memscope_hidden;

/* queue.c */
int _memscope_queue_start(void) _memscope_hidden;
int _memscope_queue_threaded(void) _memscope_hidden;
uint32_t _memscope_queue_clock(void) _memscope_hidden;
#define MEMSCOPE_CLOCK_DOZING UINT32_MAX /* clock_ms while the writer dozes: read the clock */
void _memscope_queue_wake(void) _memscope_hidden;
int _memscope_queue_submit(_memscope_tbuf_t *tb, uint32_t n, int own) _memscope_hidden;
void _memscope_queue_wait_thread(_memscope_tbuf_t *tb) _memscope_hidden;
void _memscope_queue_drain(void) _memscope_hidden;
void _memscope_queue_stop(void) _memscope_hidden;
uint64_t _memscope_queue_memory(void) _memscope_hidden;
void _memscope_queue_after_fork(void) _memscope_hidden;

/* options.c */
int _memscope_options_load(void) _memscope_hidden;
void _memscope_options_print(FILE *out) _memscope_hidden;
int _memscope_options_each(int (*fn)(void *ctx, const char *name, const char *value),
                           void *ctx) _memscope_hidden;
size_t _memscope_options_count(void) _memscope_hidden;

/* writer.c */
int _memscope_writer_open(int fork_child) _memscope_hidden;
int _memscope_writer_site_id(void *ctx, const memscope_site *s, uint32_t *id) _memscope_hidden;
int _memscope_writer_announce(uint32_t thread_id, pid_t os_tid, const char *name) _memscope_hidden;
int _memscope_writer_write_batch(const char *data, size_t len, uint64_t events) _memscope_hidden;
int _memscope_writer_live(const _memscope_rec_t *recs, uint32_t n) _memscope_hidden;
int _memscope_writer_keeps_live(void) _memscope_hidden;
void _memscope_writer_stats(memscope_stats *out) _memscope_hidden;
int _memscope_writer_message(const char *text) _memscope_hidden;
int _memscope_writer_sampling(uint32_t t_ms, uint64_t mean) _memscope_hidden;
int _memscope_writer_mark(const char *label, int recording) _memscope_hidden;
uint64_t _memscope_writer_events(void) _memscope_hidden;
int _memscope_writer_finish(const memscope_stats *st, uint32_t duration_ms) _memscope_hidden;
void _memscope_writer_after_fork(void) _memscope_hidden;
const char *_memscope_writer_path(void) _memscope_hidden;
int _memscope_compress_level(const char *spec, int *level) _memscope_hidden;
int _memscope_expand_path(const char *pattern, char *out, size_t cap, int pid,
                          const char *program) _memscope_hidden;

/* sample.c */
int _memscope_sample_configure(const char *spec) _memscope_hidden;
void _memscope_sample_alloc(uintptr_t ptr, uint64_t size, const memscope_site *site,
                            int mode) _memscope_hidden _memscope_noinline;
void _memscope_sample_free(uintptr_t ptr, const memscope_site *site) _memscope_hidden _memscope_noinline;
void _memscope_sample_by_rule(uintptr_t ptr, uint64_t size,
                              const memscope_site *site) _memscope_hidden _memscope_noinline;
void _memscope_sample_tick(uint64_t events_recorded, uint32_t now_ms) _memscope_hidden;
int _memscope_sample_describe(char *buf, size_t cap) _memscope_hidden;
/* Exported: rewritten code checks it before calling into the runtime for a free. */
extern _Atomic(uint32_t) memscope_sampled_bits[] __attribute__((visibility("default")));
static inline size_t _memscope_filter_slot(uintptr_t p) {
  return (size_t)(p >> 4) & ((1u << MEMSCOPE_FILTER_BITS) - 1);
}
/* False when the block at p is certainly not sampled. */
static inline bool _memscope_maybe_sampled(uintptr_t p) {
  size_t slot = _memscope_filter_slot(p);
  return (mem_load_relaxed(&memscope_sampled_bits[slot >> 5]) >> (slot & 31)) & 1;
}

/* init.c */
void _memscope_ensure_init(void) _memscope_hidden;
void _memscope_stop_on_error(int code, const char *what, int err) _memscope_hidden;
void _memscope_poll_signal(void) _memscope_hidden;
int _memscope_install_signal(const char *name) _memscope_hidden;

/* Inline fast path shared by the entry points in alloc.c. */
static inline void _memscope_emit(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size,
                                  const memscope_site *site) {
  if (unlikely(!mem_load_relaxed(&memscope_mode))) return;
  _memscope_tbuf_t *tb = &_memscope_tb;
  uint32_t n = mem_load_relaxed(&tb->count);
  if (unlikely(n >= tb->limit || mem_load_relaxed(&_memscope_state.clock_ms) != tb->last_ms)) {
    _memscope_emit_slow(op, ptr, aux, size, site);
    return;
  }
  _memscope_rec_t *r = &tb->recs[n];
  r->ptr = ptr;
  r->aux = aux;
  r->site = site;
  r->size_op = size << MEMSCOPE_OP_BITS | op;
  tb->events_seen++;
  mem_store_release(&tb->count, n + 1);
}

/* An allocation: recorded as is in full mode; in sampled modes the non-sampled case is a
   thread-local countdown and a branch (bytes) or one call (size classes). counted: the caller
   (code rewritten by the plugin, through memscope_sample_hit) ran the bytes countdown already. */
static inline void _memscope_on_alloc_counted(uintptr_t ptr, uint64_t size,
                                              const memscope_site *site, bool counted) {
  /* an address handed out again is a new block: its owner's scope exit counts (branch-free) */
  _memscope_tbuf_t *tb = &_memscope_tb;
  tb->last_freed = tb->last_freed == ptr ? 0 : tb->last_freed;
  tb->last_handoff = tb->last_handoff == ptr ? 0 : tb->last_handoff;
  int mode = mem_load_relaxed(&memscope_mode);
  if (likely(mode == MEMSCOPE_MODE_ALL)) {
    _memscope_emit(MEMSCOPE_OP_ALLOC, ptr, 0, size, site);
    return;
  }
  if (mode == MEMSCOPE_MODE_OFF) return;
  if (unlikely(site != NULL &&
               (site->flags & (MEMSCOPE_SITE_SAMPLE_ALL | MEMSCOPE_SITE_SAMPLE_NEVER)))) {
    _memscope_sample_by_rule(ptr, size, site); /* the plugin's sample= rule decides */
    return;
  }
  if (!counted && mode == MEMSCOPE_MODE_BYTES && likely(size < memscope_sample_always) &&
      likely((memscope_thread.sample_countdown -= (int64_t)size) > 0)) {
    return;
  }
  _memscope_sample_alloc(ptr, size, site, mode);
}

static inline void _memscope_on_alloc(uintptr_t ptr, uint64_t size, const memscope_site *site) {
  _memscope_on_alloc_counted(ptr, size, site, false);
}

/* A free: in sampled modes only blocks that were sampled are recorded; the filter answers "not
   sampled" for almost every block with one load. */
static inline void _memscope_on_free(uintptr_t ptr, const memscope_site *site) {
  int mode = mem_load_relaxed(&memscope_mode);
  if (likely(mode == MEMSCOPE_MODE_ALL)) {
    _memscope_emit(MEMSCOPE_OP_FREE, ptr, 0, 0, site);
    return;
  }
  if (mode == MEMSCOPE_MODE_OFF) return;
  if (likely(!_memscope_maybe_sampled(ptr))) return;
  _memscope_sample_free(ptr, site);
}

/* A block moved or resized: one REALLOC in full mode, a free and an allocation when sampling. */
static inline void _memscope_on_realloc(uintptr_t old, uintptr_t ptr, uint64_t size,
                                        const memscope_site *site) {
  if (likely(mem_load_relaxed(&memscope_mode) == MEMSCOPE_MODE_ALL)) {
    _memscope_emit(MEMSCOPE_OP_REALLOC, ptr, old, size, site);
    return;
  }
  _memscope_on_free(old, site);
  _memscope_on_alloc(ptr, size, site);
}

#endif /* MEMSCOPE_INTERNAL_H */
