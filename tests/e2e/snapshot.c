/* snapshot.c: end-to-end program with known live blocks at two memscope_snapshot() marks, for memscope-report --at. */
#include "memscope.h"

#include <stdio.h>
#include <time.h>

static const memscope_site WARM = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 10, 5,
                                   "snapshot.c", "warmup", "char", "", "a", 0};
static const memscope_site STEADY = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 20, 5,
                                     "snapshot.c", "steady", "char", "", "b", 0};
static const memscope_site RELEASE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 30, 5,
                                      "snapshot.c", "main", "", "", "", 0};

/* Events are timed to the millisecond: a pause keeps each phase apart from the marks. */
static void pause_ms(void) {
  struct timespec t = {0, 3000000};
  nanosleep(&t, NULL);
}

int main(void) {
  void *a[40], *b[5];
  for (int i = 0; i < 40; i++) a[i] = memscope_malloc(100, &WARM);
  pause_ms();
  if (memscope_snapshot("warm") != 0) return 1; /* live: 40 blocks of 100 bytes */
  pause_ms();
  for (int i = 0; i < 30; i++) memscope_free(a[i], &RELEASE);
  for (int i = 0; i < 5; i++) b[i] = memscope_malloc(1000, &STEADY);
  pause_ms();
  if (memscope_snapshot("steady") != 0) return 1; /* live: 10 of 100 bytes, 5 of 1000 */
  pause_ms();
  for (int i = 0; i < 5; i++) memscope_free(b[i], &RELEASE);
  for (int i = 30; i < 40; i++) memscope_free(a[i], &RELEASE);
  puts("done");
  return 0; /* nothing live at exit */
}
