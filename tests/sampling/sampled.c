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
  for (int i = 0; i < 20; i++) leak_big(i);
  return 0;
}
