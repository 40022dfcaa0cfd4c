/* threads.c: end-to-end program where several threads allocate at once; no event may be lost. */
#include "memscope.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define PAIRS 50000
#define LEAKS 5

static const memscope_site ALLOC = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 14, 15,
                                    "threads.c", "worker", "char", "", "p", 0};
static const memscope_site LEAK = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 15, 15,
                                   "threads.c", "worker", "char", "", "kept", 0};
static const memscope_site FREE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 16, 5,
                                   "threads.c", "worker", "", "", "p", 0};

static void *worker(void *arg) {
  size_t salt = (size_t)arg;
  for (int i = 0; i < PAIRS; i++) {
    char *p = memscope_malloc(16 + (i + salt) % 200, &ALLOC);
    p[0] = 1;
    memscope_free(p, &FREE);
  }
  for (int i = 0; i < LEAKS; i++) memscope_malloc(1000, &LEAK);
  return NULL;
}

int main(void) {
  pthread_t t[THREADS];
  for (size_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (size_t i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  memscope_stats st;
  memscope_get_stats(&st);
  printf("allocs=%llu frees=%llu live=%llu dropped=%llu\n", (unsigned long long)st.alloc_count,
         (unsigned long long)st.free_count, (unsigned long long)st.current_bytes,
         (unsigned long long)st.events_dropped);
  return st.alloc_count == THREADS * (PAIRS + LEAKS) && st.free_count == THREADS * PAIRS &&
                 st.current_bytes == THREADS * LEAKS * 1000 && st.events_dropped == 0
             ? 0
             : 1;
}
