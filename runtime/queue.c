/* queue.c: hands full thread buffers to the background writer thread, which also keeps the clock. */
#include "encode.h"
#include "options.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A thread whose buffer is full hands it over in one of two forms (a lock per few thousand
   events either way, nothing per event):
   - raw: it swaps in an empty record array and queues the full one. The writer thread encodes
     it, feeds the live-block table and writes it, on another core. Used while the threads
     filling buffers leave a core free and fewer than MEMSCOPE_RAW_MAX raw batches wait.
   - encoded: otherwise the thread encodes its records itself and queues the bytes, so the work
     spreads over the allocating threads instead of piling up on one.
   The queue keeps each thread's batches in order in the file. With the live-block table on, a
   thread also waits for its queued raw batches before it encodes one itself (and waits for
   room rather than encode while the writer is behind), so the table sees its events in order.
   While every event is recorded, the writer wakes at least once per millisecond to advance
   _memscope_state.clock_ms, the clock the fast path compares against; while sampling or paused,
   recorded events are rare and read the clock themselves, and an idle writer wakes every
   MEMSCOPE_IDLE_MS only (sampling rate, signals): on a machine with few cores a thousand
   wake-ups a second cost the program more than every sampled event. Full tracking dozes the
   same way once MEMSCOPE_DOZE_TICKS ticks pass without an event: clock_ms then holds
   MEMSCOPE_CLOCK_DOZING, which sends the next event to the slow path, where it reads the clock
   itself and wakes the writer (_memscope_queue_clock). When it falls behind by
   MEMSCOPE_QUEUE_MAX batches, producers wait: full tracing never drops events. Without the
   thread (MEMSCOPE_WRITER_THREAD=0, or none could be made) each thread writes its own bytes. */

#define MEMSCOPE_QUEUE_MAX 64
#define MEMSCOPE_RAW_MAX 4
#define MEMSCOPE_RECENT 8 /* submissions looked at to count the threads filling buffers */
#define MEMSCOPE_IDLE_MS 100 /* the idle writer's period when it does not keep the clock */
#define MEMSCOPE_DOZE_TICKS 20 /* 1 ms ticks without an event before full tracking dozes */
#define MEMSCOPE_WAKE_ENCODED 8 /* encoded batches that wake an idle writer before its tick */

typedef struct batch_s {
  struct batch_s *next;
  _memscope_bytes_t bytes;
  uint64_t events;
  /* a raw batch: records the writer encodes */
  _memscope_rec_t *recs;
  uint32_t nrecs, cap;
  _memscope_tbuf_t *owner; /* its raw_queued is decremented when the batch is written */
  uint32_t thread_id, t0_ms;
  pid_t os_tid;
  char name[16];
} batch_t;

typedef struct queue_s {
  pthread_mutex_t lock;
  pthread_cond_t work;     /* writer waits: batches queued, or stop */
  pthread_cond_t progress; /* producers wait: room in the queue, or drained */
  batch_t *head, *tail;
  uint32_t queued;
  uint32_t raw;            /* raw batches queued */
  uint32_t recent[MEMSCOPE_RECENT]; /* threads of the last submissions */
  uint32_t recent_pos;
  uint32_t cpus;           /* cores this process may run on */
  int busy;                /* the writer is writing a batch outside the lock */
  int idle;                /* the writer is waiting for work */
  uint32_t unused_ticks;   /* ticks since an event last used the clock (full tracking) */
  _Atomic(int) running;
  int stop;
  batch_t *spare[MEMSCOPE_QUEUE_MAX];
  uint32_t nspare;
  _memscope_rec_t *spare_recs[MEMSCOPE_RAW_MAX + 2]; /* empty record arrays to swap in */
  uint32_t spare_recs_cap[MEMSCOPE_RAW_MAX + 2];
  uint32_t nspare_recs;
  _memscope_site_cache_t sites; /* the writer thread's site cache */
  _Atomic(uint64_t) held;  /* bytes in queued and spare batches and record arrays */
  pthread_t thread;
} queue_t;

static queue_t Q = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void batch_free(batch_t *b) {
  mem_add_relaxed(&Q.held, -(uint64_t)(b->bytes.cap + sizeof *b));
  free(b->bytes.data);
  free(b);
}

/* Keeps an emptied record array for the next raw hand-over. Caller holds the lock. */
static void recycle_recs(_memscope_rec_t *recs, uint32_t cap) {
  if (Q.nspare_recs < MEMSCOPE_RAW_MAX + 2) {
    Q.spare_recs[Q.nspare_recs] = recs;
    Q.spare_recs_cap[Q.nspare_recs++] = cap;
  } else {
    mem_add_relaxed(&Q.held, -(uint64_t)cap * sizeof *recs);
    free(recs);
  }
}

/* Caller holds the lock. */
static void recycle(batch_t *b) {
  if (b->recs != NULL) {
    recycle_recs(b->recs, b->cap);
    b->recs = NULL;
  }
  if (Q.nspare < MEMSCOPE_QUEUE_MAX) {
    b->bytes.len = 0;
    b->next = NULL;
    Q.spare[Q.nspare++] = b;
  } else {
    batch_free(b);
  }
}

static void count_dropped(const _memscope_rec_t *recs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (_memscope_rec_op(&recs[i]) != MEMSCOPE_OP_TIME) {
      mem_add_relaxed(&_memscope_state.events_dropped, 1);
    }
  }
}

/* Encodes n records of a thread into b's bytes and feeds them to the live-block table; on
   failure they count as dropped. cache is the encoding thread's site cache, or NULL. */
static int encode_batch(batch_t *b, uint32_t thread_id, pid_t os_tid, const char *name,
                        uint32_t t0_ms, const _memscope_rec_t *recs, uint32_t n,
                        _memscope_site_cache_t *cache) {
  size_t before = b->bytes.cap;
  int rc = _memscope_writer_announce(thread_id, os_tid, name);
  if (rc == 0) {
    rc = _memscope_encode_events(&b->bytes, _memscope_writer_site_id, cache, thread_id, t0_ms,
                                 recs, n, &b->events);
  }
  mem_add_relaxed(&Q.held, b->bytes.cap - before);
  if (rc == 0) rc = _memscope_writer_live(recs, n);
  if (rc != 0) count_dropped(recs, n);
  return rc;
}

/* Encodes and writes one raw batch (writer thread). */
static void write_raw(batch_t *b) {
  if (encode_batch(b, b->thread_id, b->os_tid, b->name, b->t0_ms, b->recs, b->nrecs, &Q.sites) == 0)
    _memscope_writer_write_batch(b->bytes.data, b->bytes.len, b->events);
}

static void *writer_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&Q.lock);
  for (;;) {
    mem_store_relaxed(&_memscope_state.clock_ms, _memscope_clock_read());
    if (Q.head == NULL) {
      if (Q.stop) break;
      bool clock = mem_load_relaxed(&memscope_mode) == MEMSCOPE_MODE_ALL;
      if (mem_load_relaxed(&_memscope_state.clock_used)) {
        mem_store_relaxed(&_memscope_state.clock_used, 0);
        Q.unused_ticks = 0;
      } else if (Q.unused_ticks < MEMSCOPE_DOZE_TICKS) {
        Q.unused_ticks++;
      }
      if (clock && Q.unused_ticks >= MEMSCOPE_DOZE_TICKS) { /* doze: events read the clock */
        mem_store_relaxed(&_memscope_state.clock_ms, MEMSCOPE_CLOCK_DOZING);
        clock = false;
      }
      struct timespec until;
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_nsec += (clock ? 1 : MEMSCOPE_IDLE_MS) * 1000000L;
      if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
      Q.idle = 1;
      pthread_cond_timedwait(&Q.work, &Q.lock, &until);
      Q.idle = 0;
      pthread_mutex_unlock(&Q.lock);
      _memscope_sample_tick(_memscope_writer_events(), _memscope_clock_read());
      if (mem_load_relaxed(&_memscope_state.signals) != 0) _memscope_poll_signal();
      pthread_mutex_lock(&Q.lock);
      continue;
    }
    batch_t *b = Q.head;
    Q.head = b->next;
    if (Q.head == NULL) Q.tail = NULL;
    Q.queued--;
    Q.busy = 1;
    pthread_mutex_unlock(&Q.lock);
    if (b->recs != NULL) write_raw(b);
    else _memscope_writer_write_batch(b->bytes.data, b->bytes.len, b->events);
    pthread_mutex_lock(&Q.lock);
    Q.busy = 0;
    if (b->recs != NULL) {
      Q.raw--;
      mem_add_relaxed(&b->owner->raw_queued, -1u);
    }
    recycle(b);
    pthread_cond_broadcast(&Q.progress);
  }
  mem_store_relaxed(&Q.running, 0);
  pthread_cond_broadcast(&Q.progress);
  pthread_mutex_unlock(&Q.lock);
  return NULL;
}

/* Starts the writer thread with every signal blocked, so the program's handlers keep running on
   its own threads. Returns 0, or MEMSCOPE_ERR_NOMEM when no thread could be made. */
int _memscope_queue_start(void) {
  mem_store_relaxed(&_memscope_state.clock_ms, _memscope_clock_read());
  if (!_memscope_options.writer_thread) return 0;
  cpu_set_t set;
  Q.cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? (uint32_t)CPU_COUNT(&set) : 1;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&Q.work, &ca);
  pthread_cond_init(&Q.progress, NULL);
  pthread_condattr_destroy(&ca);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  Q.stop = 0;
  mem_store_relaxed(&Q.running, 1);
  int rc = pthread_create(&Q.thread, NULL, writer_main, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    mem_store_relaxed(&Q.running, 0);
    return MEMSCOPE_ERR_NOMEM;
  }
  pthread_setname_np(Q.thread, "memscope-writer");
  return 0;
}

int _memscope_queue_threaded(void) { return mem_load_relaxed(&Q.running); }

/* The clock for an event, from the slow path while the writer thread runs. Sampling: rare
   events, a fresh read (the writer does not tick). Full tracking: the writer's, noted as used
   so that it keeps ticking; while it dozes, a fresh read that also wakes it. */
uint32_t _memscope_queue_clock(void) {
  if (mem_load_relaxed(&memscope_mode) != MEMSCOPE_MODE_ALL) return _memscope_clock_read();
  uint32_t now = mem_load_relaxed(&_memscope_state.clock_ms);
  if (now != MEMSCOPE_CLOCK_DOZING) {
    if (!mem_load_relaxed(&_memscope_state.clock_used)) mem_store_relaxed(&_memscope_state.clock_used, 1);
    return now;
  }
  now = _memscope_clock_read();
  uint32_t dozing = MEMSCOPE_CLOCK_DOZING;
  if (!atomic_compare_exchange_strong_explicit(&_memscope_state.clock_ms, &dozing, now,
                                               memory_order_relaxed, memory_order_relaxed)) {
    return dozing; /* another thread woke the writer, or the writer woke */
  }
  mem_store_relaxed(&_memscope_state.clock_used, 1);
  _memscope_queue_wake();
  return now;
}

/* Wakes an idle writer, so that it keeps the clock again from now (recording restarted, or an
   event found it dozing). Under the lock: a writer about to wait is then already waiting. */
void _memscope_queue_wake(void) {
  if (!_memscope_queue_threaded()) return;
  pthread_mutex_lock(&Q.lock);
  if (Q.idle) pthread_cond_signal(&Q.work);
  pthread_mutex_unlock(&Q.lock);
}

/* Queues b at the tail. An idle writer is woken for a raw batch (it encodes it on the free
   core) or once MEMSCOPE_WAKE_ENCODED batches wait; encoded bytes otherwise wait for its next
   tick, which spares a context switch per batch when every core is busy. Caller holds the
   lock. */
static void enqueue(batch_t *b) {
  if (Q.tail) Q.tail->next = b;
  else Q.head = b;
  Q.tail = b;
  Q.queued++;
  if ((Q.idle && (b->recs != NULL || Q.queued >= MEMSCOPE_WAKE_ENCODED)) ||
      Q.queued >= MEMSCOPE_QUEUE_MAX / 2) {
    pthread_cond_signal(&Q.work);
  }
}

/* Whether a full buffer should go to the writer raw: only while the threads filling buffers
   leave a core free for the writer. Caller holds the lock. */
static bool offload(uint32_t thread_id) {
  Q.recent[Q.recent_pos++ % MEMSCOPE_RECENT] = thread_id;
  unsigned distinct = 0;
  for (unsigned i = 0; i < MEMSCOPE_RECENT; i++) {
    unsigned j = 0;
    while (j < i && Q.recent[j] != Q.recent[i]) j++;
    distinct += Q.recent[i] != 0 && j == i;
  }
  return distinct < Q.cpus;
}

/* Hands the n records of the calling thread's buffer over raw and gives the buffer an empty
   record array. Caller holds the lock and has a batch; returns 0 or MEMSCOPE_ERR_NOMEM. */
static int submit_raw(_memscope_tbuf_t *tb, uint32_t n, batch_t *b) {
  _memscope_rec_t *fresh = NULL;
  while (Q.nspare_recs > 0 && fresh == NULL) {
    Q.nspare_recs--;
    if (Q.spare_recs_cap[Q.nspare_recs] == tb->cap) {
      fresh = Q.spare_recs[Q.nspare_recs];
    } else {
      mem_add_relaxed(&Q.held, -(uint64_t)Q.spare_recs_cap[Q.nspare_recs] * sizeof *fresh);
      free(Q.spare_recs[Q.nspare_recs]);
    }
  }
  if (fresh == NULL) {
    fresh = malloc((size_t)tb->cap * sizeof *fresh);
    if (fresh == NULL) return MEMSCOPE_ERR_NOMEM;
    mem_add_relaxed(&Q.held, (uint64_t)tb->cap * sizeof *fresh);
  }
  b->recs = tb->recs;
  b->nrecs = n;
  b->cap = tb->cap;
  b->owner = tb;
  b->thread_id = tb->thread_id;
  b->t0_ms = tb->t0_ms;
  b->os_tid = tb->os_tid;
  memcpy(b->name, tb->name, sizeof b->name);
  tb->recs = fresh;
  mem_add_relaxed(&tb->raw_queued, 1);
  Q.raw++;
  enqueue(b);
  return 0;
}

/* Hands over the n records of tb: raw to the writer thread when it keeps up, else encoded here
   (or written here when there is no writer thread). 'own' is false when another thread's buffer
   is written at exit: its records stay in place and its site cache is not used. */
int _memscope_queue_submit(_memscope_tbuf_t *tb, uint32_t n, int own) {
  pthread_mutex_lock(&Q.lock);
  while (Q.queued >= MEMSCOPE_QUEUE_MAX && mem_load_relaxed(&Q.running)) {
    pthread_cond_wait(&Q.progress, &Q.lock);
  }
  batch_t *b = Q.nspare > 0 ? Q.spare[--Q.nspare] : NULL;
  if (b == NULL && (b = calloc(1, sizeof *b)) != NULL) {
    mem_add_relaxed(&Q.held, sizeof *b);
  }
  if (b == NULL) {
    pthread_mutex_unlock(&Q.lock);
    return MEMSCOPE_ERR_NOMEM;
  }
  bool running = mem_load_relaxed(&Q.running), live = _memscope_writer_keeps_live();
  /* without the live-block table, order matters only in the file, which the queue keeps: a
     thread whose raw batches pile up encodes the next one itself, so both cores encode */
  if (own && running && offload(tb->thread_id) && (live || Q.raw < MEMSCOPE_RAW_MAX)) {
    while (Q.raw >= MEMSCOPE_RAW_MAX && mem_load_relaxed(&Q.running)) {
      pthread_cond_wait(&Q.progress, &Q.lock);
    }
    int rc = submit_raw(tb, n, b);
    if (rc != 0) recycle(b);
    pthread_mutex_unlock(&Q.lock);
    if (rc != 0) count_dropped(tb->recs, n);
    return rc;
  }
  /* records encoded here must follow this thread's raw batches into the live table */
  while (live && mem_load_relaxed(&tb->raw_queued) != 0 && mem_load_relaxed(&Q.running)) {
    pthread_cond_wait(&Q.progress, &Q.lock);
  }
  pthread_mutex_unlock(&Q.lock);
  int rc = encode_batch(b, tb->thread_id, tb->os_tid, tb->name, tb->t0_ms, tb->recs, n,
                        own ? &tb->site_cache : NULL);
  if (rc == 0 && !running) rc = _memscope_writer_write_batch(b->bytes.data, b->bytes.len, b->events);
  pthread_mutex_lock(&Q.lock);
  if (rc == 0 && running) enqueue(b);
  else recycle(b);
  pthread_mutex_unlock(&Q.lock);
  return rc;
}

/* Waits until the writer has taken in every raw batch of tb (a thread's buffer must not go
   away while the writer still has to count one of its batches). */
void _memscope_queue_wait_thread(_memscope_tbuf_t *tb) {
  if (mem_load_relaxed(&tb->raw_queued) == 0) return;
  pthread_mutex_lock(&Q.lock);
  if (Q.head != NULL) pthread_cond_signal(&Q.work);
  while (mem_load_relaxed(&tb->raw_queued) != 0 && mem_load_relaxed(&Q.running)) {
    pthread_cond_wait(&Q.progress, &Q.lock);
  }
  pthread_mutex_unlock(&Q.lock);
}

/* Waits until every queued batch has been written. */
void _memscope_queue_drain(void) {
  pthread_mutex_lock(&Q.lock);
  if (Q.head != NULL) pthread_cond_signal(&Q.work);
  while ((Q.head != NULL || Q.busy) && mem_load_relaxed(&Q.running)) {
    pthread_cond_wait(&Q.progress, &Q.lock);
  }
  pthread_mutex_unlock(&Q.lock);
}

/* Drains the queue and ends the writer thread (at exit). */
void _memscope_queue_stop(void) {
  pthread_mutex_lock(&Q.lock);
  if (!mem_load_relaxed(&Q.running)) {
    pthread_mutex_unlock(&Q.lock);
    return;
  }
  Q.stop = 1;
  pthread_cond_signal(&Q.work);
  pthread_mutex_unlock(&Q.lock);
  pthread_join(Q.thread, NULL);
}

/* Memory held in queued and spare batches and record arrays. */
uint64_t _memscope_queue_memory(void) { return mem_load_relaxed(&Q.held); }

/* In a forked child the writer thread does not exist: forget the parent's queue (the parent
   writes those batches) and start a new thread. */
void _memscope_queue_after_fork(void) {
  pthread_mutex_init(&Q.lock, NULL);
  Q.head = Q.tail = NULL;
  Q.queued = 0;
  Q.raw = 0;
  Q.busy = 0;
  Q.idle = 0;
  Q.nspare_recs = 0;
  memset(Q.recent, 0, sizeof Q.recent);
  memset(&Q.sites, 0, sizeof Q.sites); /* the child's trace numbers sites anew */
  mem_store_relaxed(&Q.running, 0);
  Q.nspare = 0;
  mem_store_relaxed(&Q.held, 0);
}
