/* alloc_bench.c: allocation microbenchmark: malloc/free pairs over a sliding window, per thread. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each thread keeps a window of WINDOW live blocks and replaces a pseudo-random one per step:
   one free and one malloc. Sizes follow a fixed mix: 90% 16-256 B, 9.9% 4 KiB, 0.1% 1 MiB.
   Prints the mean ns per malloc+free pair over all threads and a checksum that depends on every
   block, so the work cannot be optimised away. Usage: alloc_bench [THREADS] [PAIRS_PER_THREAD] */

#define WINDOW 1000

struct worker {
  pthread_t thread;
  long pairs;
  uint64_t seed;
  uint64_t checksum;
};

static inline uint64_t next(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

static void *run(void *arg) {
  struct worker *w = arg;
  char *window[WINDOW] = {0};
  uint64_t x = w->seed, sum = 0;
  for (long i = 0; i < w->pairs; i++) {
    uint64_t r = next(&x);
    unsigned pick = (unsigned)(r % 1000);
    size_t size = pick < 900 ? 16 + (size_t)((r >> 16) % 241) : pick < 999 ? 4096 : 1 << 20;
    size_t slot = (size_t)((r >> 32) % WINDOW);
    free(window[slot]);
    char *p = malloc(size);
    if (p == NULL) abort();
    p[0] = (char)i;
    p[size - 1] = (char)r;
    sum += (uintptr_t)p[0] + (unsigned char)p[size - 1];
    window[slot] = p;
  }
  for (size_t i = 0; i < WINDOW; i++) free(window[i]);
  w->checksum = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  long pairs = argc > 2 ? atol(argv[2]) : 10000000;
  if (threads < 1 || threads > 256 || pairs < 1) {
    fprintf(stderr, "usage: alloc_bench [THREADS 1-256] [PAIRS_PER_THREAD]\n");
    return 2;
  }
  struct worker *w = calloc((size_t)threads, sizeof *w);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < threads; i++) {
    w[i].pairs = pairs;
    w[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
    pthread_create(&w[i].thread, NULL, run, &w[i]);
  }
  uint64_t checksum = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(w[i].thread, NULL);
    checksum += w[i].checksum;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("threads=%d pairs=%ld ns_per_pair=%.2f checksum=%llu\n", threads, pairs,
         ns / (double)pairs, (unsigned long long)checksum);
  free(w);
  return 0;
}
