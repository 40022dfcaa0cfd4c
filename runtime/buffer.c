/* buffer.c: per-thread event buffers: set-up, the slow path of event recording, flushing, thread exit. */
#include "internal.h"
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

_memscope_tls _memscope_tbuf_t _memscope_tb;
_memscope_tls memscope_thread_state memscope_thread;

/* Live thread buffers, so that exit can flush threads that are still running. Threads join and
   leave under the lock; the fast path never touches it. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static _memscope_tbuf_t *registry;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static _Atomic(uint64_t) buffer_bytes;       /* memory held by thread buffers */
static _Atomic(uint64_t) exited_events_seen; /* events_seen of threads that have exited */

static void thread_exit(void *arg);

static void make_exit_key(void) { pthread_key_create(&exit_key, thread_exit); }

void _memscope_buffer_refresh_limit(_memscope_tbuf_t *tb) {
  bool fast = tb->recs != NULL && !tb->in_runtime && memscope_thread.wrap_site == NULL;
  tb->limit = fast ? tb->cap : 0;
}

static void registry_link(_memscope_tbuf_t *tb) {
  pthread_mutex_lock(&registry_lock);
  tb->next = registry;
  registry = tb;
  tb->registered = 1;
  pthread_mutex_unlock(&registry_lock);
}

static void registry_unlink(_memscope_tbuf_t *tb) {
  pthread_mutex_lock(&registry_lock);
  for (_memscope_tbuf_t **p = &registry; *p != NULL; p = &(*p)->next) {
    if (*p == tb) {
      *p = tb->next;
      break;
    }
  }
  tb->registered = 0;
  pthread_mutex_unlock(&registry_lock);
}

/* Gives the calling thread its buffer. Runs on a thread's first event (and again if an event
   arrives after the thread's exit handler, from a later TLS destructor). */
static int buffer_setup(_memscope_tbuf_t *tb) {
  size_t cap = _memscope_options.buffer_kb * 1024 / sizeof(_memscope_rec_t);
  tb->recs = malloc(cap * sizeof(_memscope_rec_t));
  if (tb->recs == NULL) return MEMSCOPE_ERR_NOMEM;
  mem_add_relaxed(&buffer_bytes, cap * sizeof(_memscope_rec_t));
  tb->cap = (uint32_t)cap;
  mem_store_relaxed(&tb->count, 0);
  if (tb->thread_id == 0) {
    tb->thread_id = mem_add_relaxed(&_memscope_state.next_thread_id, 1) + 1;
    tb->os_tid = (pid_t)syscall(SYS_gettid);
  }
  prctl(PR_GET_NAME, tb->name, 0, 0, 0);
  pthread_once(&exit_key_once, make_exit_key);
  pthread_setspecific(exit_key, tb);
  registry_link(tb);
  return 0;
}

/* Hands the buffer to the writer. 'flushing' keeps the owner and the exit flusher apart. */
int _memscope_buffer_flush(_memscope_tbuf_t *tb) {
  if (mem_xchg_acq_rel(&tb->flushing, 1) != 0) return 0;
  uint32_t n = mem_load_acquire(&tb->count);
  int rc = 0;
  if (n != 0) {
    int own = tb == &_memscope_tb;
    if (own) prctl(PR_GET_NAME, tb->name, 0, 0, 0);
    rc = _memscope_queue_submit(tb, n, own);
    mem_store_relaxed(&tb->count, 0);
  }
  mem_store_release(&tb->flushing, 0);
  return rc;
}

static void thread_exit(void *arg) {
  _memscope_tbuf_t *tb = arg;
  uint8_t was_in_runtime = tb->in_runtime;
  tb->in_runtime = 1;
  tb->limit = 0;
  _memscope_buffer_flush(tb);
  _memscope_queue_wait_thread(tb); /* the writer still refers to this buffer until then */
  registry_unlink(tb);
  mem_add_relaxed(&exited_events_seen, tb->events_seen);
  tb->events_seen = 0;
  mem_add_relaxed(&buffer_bytes, -(uint64_t)tb->cap * sizeof(_memscope_rec_t));
  free(tb->recs);
  tb->recs = NULL;
  tb->cap = 0;
  tb->in_runtime = was_in_runtime;
}

/* Flushes every registered buffer; used at exit, after recording was switched off. A thread
   still running may lose the event it was appending at that instant. */
int _memscope_buffer_flush_all(void) {
  int first = 0;
  pthread_mutex_lock(&registry_lock);
  for (_memscope_tbuf_t *tb = registry; tb != NULL; tb = tb->next) {
    int rc = _memscope_buffer_flush(tb);
    if (first == 0) first = rc;
  }
  pthread_mutex_unlock(&registry_lock);
  return first;
}

/* Events seen by all threads, live and exited. */
uint64_t _memscope_buffer_events_seen(void) {
  uint64_t sum = mem_load_relaxed(&exited_events_seen);
  pthread_mutex_lock(&registry_lock);
  for (_memscope_tbuf_t *tb = registry; tb != NULL; tb = tb->next) sum += tb->events_seen;
  pthread_mutex_unlock(&registry_lock);
  return sum;
}

uint64_t _memscope_buffer_memory(void) { return mem_load_relaxed(&buffer_bytes); }

uint32_t _memscope_buffer_threads(void) {
  return mem_load_relaxed(&_memscope_state.next_thread_id);
}

/* In a forked child only the calling thread exists: drop the others from the registry and the
   parent's unwritten events from this thread's buffer (the parent writes them). */
void _memscope_buffer_reset_after_fork(void) {
  pthread_mutex_init(&registry_lock, NULL);
  registry = NULL;
  mem_store_relaxed(&exited_events_seen, 0);
  mem_store_relaxed(&_memscope_state.next_thread_id, 0);
  _memscope_tbuf_t *tb = &_memscope_tb;
  mem_store_relaxed(&buffer_bytes, 0);
  mem_store_relaxed(&tb->flushing, 0);
  mem_store_relaxed(&tb->raw_queued, 0); /* the parent encodes those */
  tb->events_seen = 0;
  tb->thread_id = 0;
  memset(&tb->site_cache, 0, sizeof tb->site_cache); /* the child's trace numbers sites anew */
  if (tb->recs != NULL) {
    mem_store_relaxed(&tb->count, 0);
    mem_add_relaxed(&buffer_bytes, (uint64_t)tb->cap * sizeof(_memscope_rec_t));
    tb->thread_id = mem_add_relaxed(&_memscope_state.next_thread_id, 1) + 1;
    tb->os_tid = (pid_t)syscall(SYS_gettid);
    registry_link(tb);
  }
}

static inline void append(_memscope_tbuf_t *tb, unsigned op, uintptr_t ptr, uintptr_t aux,
                          uint64_t size, const memscope_site *site) {
  uint32_t n = mem_load_relaxed(&tb->count);
  _memscope_rec_t *r = &tb->recs[n];
  r->ptr = ptr;
  r->aux = aux;
  r->site = site;
  r->size_op = size << MEMSCOPE_OP_BITS | op;
  mem_store_release(&tb->count, n + 1);
}

/* Everything the fast path does not: first use, a new clock value, a full buffer, wrappers,
   re-entrant calls. errno is preserved for the program. */
void _memscope_emit_slow(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size,
                         const memscope_site *site) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (tb->in_runtime) return; /* the runtime never records itself */
  int saved_errno = errno;
  tb->in_runtime = 1;
  tb->limit = 0;
  if (unlikely(!mem_load_acquire(&_memscope_state.initialized))) _memscope_ensure_init();
  if (unlikely(mem_load_relaxed(&_memscope_state.signals) != 0) && !_memscope_queue_threaded()) {
    _memscope_poll_signal();
  }
  if (!mem_load_relaxed(&memscope_mode)) goto out;
  if (tb->recs == NULL && buffer_setup(tb) != 0) {
    mem_add_relaxed(&_memscope_state.events_dropped, 1);
    goto out;
  }
  if (memscope_thread.wrap_site != NULL && op != MEMSCOPE_OP_SCOPE_EXIT &&
      op != MEMSCOPE_OP_HANDOFF) {
    site = memscope_thread.wrap_site;
    if (op == MEMSCOPE_OP_FREE) {
      tb->wrap_frees++;
    } else {
      tb->wrap_allocs++;
      /* the wrapper's result must not be counted again, also by code that entered it inline */
      memscope_thread.wrap_mark = INT64_MIN;
    }
  }
  uint32_t now;
  if (_memscope_queue_threaded()) {
    now = _memscope_queue_clock();
  } else {
    now = _memscope_clock_read();
    mem_store_relaxed(&_memscope_state.clock_ms, now);
  }
  /* a fresh read and the writer's tick may cross by a millisecond: the thread's time never
     runs back */
  if (now < tb->last_ms && mem_load_relaxed(&tb->count) != 0) now = tb->last_ms;
  uint32_t epoch = mem_load_relaxed(&_memscope_state.flush_epoch);
  if (mem_load_relaxed(&tb->count) + 2 > tb->cap || unlikely(epoch != tb->flush_epoch)) {
    tb->flush_epoch = epoch; /* a snapshot asked every thread for its buffered events */
    _memscope_buffer_flush(tb);
  }
  if (!mem_load_relaxed(&memscope_mode)) goto out; /* the flush may have failed */
  if (mem_load_relaxed(&tb->count) == 0) {
    tb->t0_ms = now;
    tb->last_ms = now;
  } else if (now != tb->last_ms) {
    append(tb, MEMSCOPE_OP_TIME, 0, now, 0, NULL);
    tb->last_ms = now;
  }
  append(tb, op, ptr, aux, size, site);
  tb->events_seen++;
out:
  tb->in_runtime = 0;
  _memscope_buffer_refresh_limit(tb);
  errno = saved_errno;
}
