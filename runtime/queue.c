/* queue.c: hands encoded buffers to the background writer thread, which also keeps the clock. */
#include "encode.h"
#include "options.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A thread whose buffer is full encodes it (a few ns per event, while the records are still in
   its cache) and queues the bytes: a lock once per few thousand events, nothing per event. The
   writer thread writes queued batches on another core and returns their memory to a free
   list. It wakes at least once per millisecond to advance _memscope_state.clock_ms, the clock
   the fast path compares against. When the writer falls behind by MEMSCOPE_QUEUE_MAX batches,
   producers wait: full tracing never drops events. Without the thread
   (MEMSCOPE_WRITER_THREAD=0, or none could be made) the encoding thread writes the bytes itself. */

#define MEMSCOPE_QUEUE_MAX 64

typedef struct batch_s {
  struct batch_s *next;
  _memscope_bytes_t bytes;
  uint64_t events;
} batch_t;

typedef struct queue_s {
  pthread_mutex_t lock;
  pthread_cond_t work;     /* writer waits: batches queued, or stop */
  pthread_cond_t progress; /* producers wait: room in the queue, or drained */
  batch_t *head, *tail;
  uint32_t queued;
  int busy;                /* the writer is writing a batch outside the lock */
  _Atomic(int) running;
  int stop;
  batch_t *spare[MEMSCOPE_QUEUE_MAX];
  uint32_t nspare;
  _Atomic(uint64_t) held;  /* bytes in queued and spare batches */
  pthread_t thread;
} queue_t;

static queue_t Q = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void batch_free(batch_t *b) {
  mem_add_relaxed(&Q.held, -(uint64_t)b->bytes.cap);
  free(b->bytes.data);
  free(b);
}

/* Caller holds the lock. */
static void recycle(batch_t *b) {
  if (Q.nspare < MEMSCOPE_QUEUE_MAX) {
    b->bytes.len = 0;
    b->next = NULL;
    Q.spare[Q.nspare++] = b;
  } else {
    batch_free(b);
  }
}

static void *writer_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&Q.lock);
  for (;;) {
    mem_store_relaxed(&_memscope_state.clock_ms, _memscope_clock_read());
    if (Q.head == NULL) {
      if (Q.stop) break;
      struct timespec until;
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_nsec += 1000000;
      if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
      pthread_cond_timedwait(&Q.work, &Q.lock, &until);
      pthread_mutex_unlock(&Q.lock);
      _memscope_sample_tick(_memscope_writer_events(), mem_load_relaxed(&_memscope_state.clock_ms));
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
    _memscope_writer_write_batch(b->bytes.data, b->bytes.len, b->events);
    pthread_mutex_lock(&Q.lock);
    Q.busy = 0;
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

/* Encodes n records of tb and queues them (or writes them when there is no writer thread).
   'own' is false when another thread's buffer is written at exit: its site cache is not used. */
int _memscope_queue_submit(_memscope_tbuf_t *tb, uint32_t n, int own) {
  pthread_mutex_lock(&Q.lock);
  while (Q.queued >= MEMSCOPE_QUEUE_MAX && mem_load_relaxed(&Q.running)) {
    pthread_cond_wait(&Q.progress, &Q.lock);
  }
  batch_t *b = Q.nspare > 0 ? Q.spare[--Q.nspare] : NULL;
  pthread_mutex_unlock(&Q.lock);
  if (b == NULL && (b = calloc(1, sizeof *b)) == NULL) return MEMSCOPE_ERR_NOMEM;
  size_t before = b->bytes.cap;
  int rc = _memscope_writer_announce(tb->thread_id, tb->os_tid, tb->name);
  if (rc == 0) {
    rc = _memscope_encode_events(&b->bytes, _memscope_writer_site_id, own ? tb : NULL,
                                 tb->thread_id, tb->t0_ms, tb->recs, n, &b->events);
  }
  mem_add_relaxed(&Q.held, b->bytes.cap - before);
  if (rc == 0) rc = _memscope_writer_live(tb->recs, n);
  if (rc == 0 && !_memscope_queue_threaded()) {
    rc = _memscope_writer_write_batch(b->bytes.data, b->bytes.len, b->events);
    pthread_mutex_lock(&Q.lock);
    recycle(b);
    pthread_mutex_unlock(&Q.lock);
    return rc;
  }
  pthread_mutex_lock(&Q.lock);
  if (rc != 0) {
    for (uint32_t i = 0; i < n; i++) {
      if (_memscope_rec_op(&tb->recs[i]) != MEMSCOPE_OP_TIME) {
        mem_add_relaxed(&_memscope_state.events_dropped, 1);
      }
    }
    recycle(b);
  } else {
    if (Q.tail) Q.tail->next = b;
    else Q.head = b;
    Q.tail = b;
    Q.queued++;
    /* the writer looks at the queue every millisecond anyway; a wake-up costs more than
       waiting for that, so only a filling queue is worth one */
    if (Q.queued >= MEMSCOPE_QUEUE_MAX / 2) pthread_cond_signal(&Q.work);
  }
  pthread_mutex_unlock(&Q.lock);
  return rc;
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

/* Memory held in queued and spare batches. */
uint64_t _memscope_queue_memory(void) { return mem_load_relaxed(&Q.held); }

/* In a forked child the writer thread does not exist: forget the parent's queue (the parent
   writes those batches) and start a new thread. */
void _memscope_queue_after_fork(void) {
  pthread_mutex_init(&Q.lock, NULL);
  Q.head = Q.tail = NULL;
  Q.queued = 0;
  Q.busy = 0;
  mem_store_relaxed(&Q.running, 0);
  Q.nspare = 0;
  mem_store_relaxed(&Q.held, 0);
}
