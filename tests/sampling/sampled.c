/* sampled.c: a known workload for bytes sampling through the plugin's inline fast path. */
#include <stdlib.h>
#include <string.h>

static char *keep[100];

/* 200000 blocks of 64-127 bytes, each kept in a global slot (a handoff) until the block that
   takes its slot 100 calls later frees it. */
static void churn(int i) {
  char *p = malloc(64 + (size_t)(i % 64));
  if (p == NULL) abort();
  memset(p, i, 8);
  free(keep[i % 100]);
  keep[i % 100] = p;
}

/* Allocator wrappers, declared to the plugin with alloc= and free= (run.sh): the pool's inner
   calls are tracked, the arena's go through pointers the plugin cannot see. */
static void *(*volatile system_alloc)(size_t) = malloc;
static void (*volatile system_free)(void *) = free;
__attribute__((noinline)) void *pool_get(size_t n) { return malloc(n); }
__attribute__((noinline)) void pool_put(void *p) { free(p); }
__attribute__((noinline)) void *arena_get(size_t n) { return system_alloc(n); }
__attribute__((noinline)) void arena_put(void *p) { system_free(p); }

static void *pooled[100], *arena[100];

/* 50000 blocks of 96 bytes from each wrapper, released 100 calls later by its free wrapper. */
static void wrapped(int i) {
  pool_put(pooled[i % 100]);
  pooled[i % 100] = pool_get(96);
  arena_put(arena[i % 100]);
  arena[i % 100] = arena_get(96);
}

/* 20 leaks of 10000 bytes, above MEMSCOPE_SAMPLE_ALWAYS: every one is recorded, and its last
   owner `big` goes out of scope at the closing brace. */
static void leak_big(int i) {
  char *big = malloc(10000);
  if (big == NULL) abort();
  big[0] = (char)i;
}

int main(void) {
  for (int i = 0; i < 200000; i++) churn(i);
  for (int i = 0; i < 100; i++) {
    free(keep[i]);
    keep[i] = NULL;
  }
  for (int i = 0; i < 50000; i++) wrapped(i);
  for (int i = 0; i < 100; i++) {
    pool_put(pooled[i]);
    arena_put(arena[i]);
  }
  for (int i = 0; i < 10; i++) { /* above the floor: recorded inside the wrapper, once */
    void *large = pool_get(20000);
    pool_put(large);
  }
  for (int i = 0; i < 20; i++) leak_big(i);
  return 0;
}
