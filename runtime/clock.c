/* clock.c: the millisecond clock that event records are stamped with. */
#include "internal.h"

#include <time.h>

/* Reading a clock on every event would cost more than the whole event (clock_gettime ~18 ns,
   rdtsc ~8 ns). Instead, while every event is recorded, the writer thread (queue.c) advances
   _memscope_state.clock_ms at least once per millisecond and the fast path compares it with the
   value it saw last: one load of a line written about 1000 times per second. A thread's first
   event after the value moved appends a TIME record. When the writer dozes (sampling, paused,
   or no event for a while) events read the clock in the slow path. Without the writer thread
   the slow path refreshes the clock whenever it runs, so time advances once per buffer. */

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
