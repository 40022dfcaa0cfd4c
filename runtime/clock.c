/* clock.c: the millisecond clock that event records are stamped with, kept by a background thread. */
#include "internal.h"
#include "options.h"

#include <signal.h>
#include <string.h>
#include <time.h>

/* Reading a clock on every event would cost more than the whole event (clock_gettime ~18 ns,
   rdtsc ~8 ns). Instead a thread advances _memscope_state.clock_ms once per millisecond and the
   fast path compares it with the value it saw last: one load of a line written 1000 times per
   second. A thread's first event after the value moved appends a TIME record. Without the
   thread (MEMSCOPE_CLOCK_THREAD=0 or no thread could be made), the slow path refreshes the clock
   whenever it runs, so time advances once per buffer. */

static pthread_t clock_thread;
static _Atomic(int) clock_running;

uint64_t _memscope_clock_ns(int clock_id) {
  struct timespec ts;
  clock_gettime(clock_id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds since the trace started, saturating at UINT32_MAX - 1 (about 49 days). */
uint32_t _memscope_clock_read(void) {
  uint64_t ms = (_memscope_clock_ns(CLOCK_MONOTONIC) - _memscope_state.start_ns) / 1000000u;
  return ms >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)ms;
}

static void *clock_main(void *arg) {
  (void)arg;
  struct timespec tick = {0, 1000000};
  while (mem_load_relaxed(&clock_running)) {
    mem_store_relaxed(&_memscope_state.clock_ms, _memscope_clock_read());
    nanosleep(&tick, NULL);
  }
  return NULL;
}

/* Starts the clock thread with every signal blocked, so the program's signal handlers keep
   running on its own threads. Returns 0, or MEMSCOPE_ERR_NOMEM when no thread could be made. */
int _memscope_clock_start(void) {
  mem_store_relaxed(&_memscope_state.clock_ms, _memscope_clock_read());
  if (!_memscope_options.clock_thread) return 0;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  mem_store_relaxed(&clock_running, 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int rc = pthread_create(&clock_thread, &attr, clock_main, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    mem_store_relaxed(&clock_running, 0);
    return MEMSCOPE_ERR_NOMEM;
  }
  pthread_setname_np(clock_thread, "memscope-clock");
  return 0;
}

/* Stops advancing the clock (at exit); the detached thread ends at its next tick. */
void _memscope_clock_stop(void) { mem_store_relaxed(&clock_running, 0); }

/* Whether time advances on its own; when not, the slow path refreshes it. */
int _memscope_clock_is_threaded(void) { return mem_load_relaxed(&clock_running); }
