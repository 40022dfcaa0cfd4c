/* queue.c: hands full thread buffers to the background writer thread, which also keeps the clock. */
#include "internal.h"
#include "options.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A thread whose buffer is full swaps it for an empty one and queues the full one: a lock and a
   signal once per few thousand events, nothing per event. The writer thread encodes and writes
   queued buffers on the other core and returns their memory to a free list. It wakes at least
   once per millisecond to advance _memscope_state.clock_ms, the clock the fast path compares
   against. When the writer falls behind by MEMSCOPE_QUEUE_MAX buffers, producers wait: full
   tracing never drops events. Without the thread (MEMSCOPE_WRITER_THREAD=0, or none could be
   made) the filling thread writes its buffer itself. */

#define MEMSCOPE_QUEUE_MAX 64

typedef struct batch_s {
  struct batch_s *next;
  _memscope_rec_t *recs;
  uint32_t n;
  uint32_t t0_ms;
  uint32_t thread_id;
  pid_t os_tid;
  char name[16];
} batch_t;

typedef struct queue_s {
  pthread_mutex_t lock;
  pthread_cond_t work;     /* writer waits: batches queued, or stop */
  pthread_cond_t progress; /* producers wait: room in the queue, or drained */
  batch_t *head, *tail;
  uint32_t queued;
  int busy;                /* the writer is encoding a batch outside the lock */
  _Atomic(int) running;
  int stop;
  _memscope_rec_t *free_recs[MEMSCOPE_QUEUE_MAX];
  uint32_t nfree;
  pthread_t thread;
} queue_t;

static queue_t Q = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void recycle(_memscope_rec_t *recs) {
  if (Q.nfree < MEMSCOPE_QUEUE_MAX) Q.free_recs[Q.nfree++] = recs;
  else free(recs);
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
      pthread_mutex_lock(&Q.lock);
      continue;
    }
    batch_t *b = Q.head;
    Q.head = b->next;
    if (Q.head == NULL) Q.tail = NULL;
    Q.queued--;
    Q.busy = 1;
    pthread_mutex_unlock(&Q.lock);
    _memscope_writer_batch(b->thread_id, b->os_tid, b->name, b->t0_ms, b->recs, b->n);
    pthread_mutex_lock(&Q.lock);
    Q.busy = 0;
    recycle(b->recs);
    free(b);
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

/* Queues n records of tb. With 'copy' the records are copied (another thread's buffer at exit,
   which its owner may still touch); otherwise tb gets a fresh array and the full one is queued.
   Falls back to writing in place when there is no writer thread. */
int _memscope_queue_submit(_memscope_tbuf_t *tb, uint32_t n, int copy) {
  if (!_memscope_queue_threaded()) {
    return _memscope_writer_batch(tb->thread_id, tb->os_tid, tb->name, tb->t0_ms, tb->recs, n);
  }
  batch_t *b = malloc(sizeof *b);
  if (b == NULL) return MEMSCOPE_ERR_NOMEM;
  b->next = NULL;
  b->n = n;
  b->t0_ms = tb->t0_ms;
  b->thread_id = tb->thread_id;
  b->os_tid = tb->os_tid;
  memcpy(b->name, tb->name, sizeof b->name);
  size_t bytes = (size_t)tb->cap * sizeof(_memscope_rec_t);
  pthread_mutex_lock(&Q.lock);
  while (Q.queued >= MEMSCOPE_QUEUE_MAX && mem_load_relaxed(&Q.running)) pthread_cond_wait(&Q.progress, &Q.lock);
  _memscope_rec_t *fresh = Q.nfree > 0 ? Q.free_recs[--Q.nfree] : NULL;
  pthread_mutex_unlock(&Q.lock);
  if (fresh == NULL) fresh = malloc(bytes);
  if (fresh == NULL) {
    free(b);
    return MEMSCOPE_ERR_NOMEM;
  }
  if (copy) {
    memcpy(fresh, tb->recs, (size_t)n * sizeof(_memscope_rec_t));
    b->recs = fresh;
  } else {
    b->recs = tb->recs;
    tb->recs = fresh;
  }
  pthread_mutex_lock(&Q.lock);
  if (Q.tail) Q.tail->next = b;
  else Q.head = b;
  Q.tail = b;
  Q.queued++;
  /* the writer looks at the queue every millisecond anyway; a wake-up costs more than waiting
     for that, so only a filling queue is worth one */
  if (Q.queued >= MEMSCOPE_QUEUE_MAX / 2) pthread_cond_signal(&Q.work);
  pthread_mutex_unlock(&Q.lock);
  return 0;
}

/* Waits until every queued buffer has been written. */
void _memscope_queue_drain(void) {
  pthread_mutex_lock(&Q.lock);
  if (Q.head != NULL) pthread_cond_signal(&Q.work);
  while ((Q.head != NULL || Q.busy) && mem_load_relaxed(&Q.running)) pthread_cond_wait(&Q.progress, &Q.lock);
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

/* Memory held in queued and spare buffers. Approximate: read without the lock. */
uint64_t _memscope_queue_memory(void) {
  return (uint64_t)(Q.queued + Q.nfree) * _memscope_options.buffer_kb * 1024;
}

/* In a forked child the writer thread does not exist: forget the parent's queue (the parent
   writes those batches) and start a new thread. */
void _memscope_queue_after_fork(void) {
  pthread_mutex_init(&Q.lock, NULL);
  Q.head = Q.tail = NULL;
  Q.queued = 0;
  Q.busy = 0;
  mem_store_relaxed(&Q.running, 0);
  Q.nfree = 0;
}
