/* window.c: end-to-end program profiled for a window only: started paused, resumed and paused by MEMSCOPE_SIGNAL. */
#include "memscope.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const memscope_site SITE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 12, 5,
                                   "window.c", "phase", "char", "", "p", 0};

static void phase(int n, size_t size) {
  for (int i = 0; i < n; i++) memscope_malloc(size, &SITE); /* kept: each phase is visible */
}

/* The writer thread acts on the signal within 100 ms. */
static int wait_enabled(int want) {
  struct timespec ms = {0, 1000000};
  for (int i = 0; i < 2000; i++) {
    if (memscope_enabled() == want) return 1;
    nanosleep(&ms, NULL);
  }
  return 0;
}

int main(void) {
  phase(100, 10); /* paused from start-up: not recorded */
  raise(SIGUSR2);
  if (!wait_enabled(1)) return fprintf(stderr, "window.c: the signal did not resume recording\n"), 1;
  phase(50, 20);
  if (memscope_snapshot("after the window") != 0) return 1;
  raise(SIGUSR2);
  if (!wait_enabled(0)) return fprintf(stderr, "window.c: the signal did not pause recording\n"), 1;
  phase(30, 30); /* paused again */
  printf("done\n");
  return 0;
}
