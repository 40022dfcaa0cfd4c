/* manual.c: end-to-end program using the manual API and the entry points with hand-written sites. */
#include "memscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bump arena the plugin could not see: its blocks are reported through the manual API. */
static char arena[1 << 16];
static size_t arena_used;

static void *arena_alloc(size_t n) {
  void *p = arena + arena_used;
  arena_used += (n + 15) & ~(size_t)15;
  MEMSCOPE_TRACK_ALLOC(p, n, "struct packet");
  return p;
}

static const memscope_site NODE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC,
                                   MEMSCOPE_SITE_COUNTED, 30, 9, "manual.c", "main",
                                   "struct node", "struct node", "nodes", 24};
static const memscope_site NODE_FREE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 31, 9,
                                        "manual.c", "main", "", "", "nodes", 0};
static const memscope_site GROW = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_REALLOC, 0, 32, 9,
                                   "manual.c", "main", "char", "", "buf", 0};

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "manual.c:%d: check failed: %s\n", __LINE__, #cond); \
      return 1;                                                       \
    }                                                                 \
  } while (0)

int main(void) {
  void *nodes[10];
  for (int i = 0; i < 10; i++) nodes[i] = memscope_malloc(100, &NODE);   /* 10 x 100 bytes */
  for (int i = 0; i < 7; i++) memscope_free(nodes[i], &NODE_FREE);      /* 3 left: 300 bytes */
  char *buf = memscope_realloc(NULL, 10, &GROW);                         /* 10 */
  buf = memscope_realloc(buf, 1000, &GROW);                              /* 1000 */
  buf = memscope_realloc(buf, 50, &GROW);                                /* 50, live at exit */
  strcpy(buf, "hello");
  void *pkts[4];
  for (int i = 0; i < 4; i++) pkts[i] = arena_alloc(64);                 /* 4 x 64 */
  MEMSCOPE_TRACK_FREE(pkts[0]);                                          /* 3 left: 192 */

  if (!memscope_enabled()) { /* MEMSCOPE=off: the same work, nothing recorded */
    printf("%s: tracing off\n", buf);
    return 0;
  }
  memscope_stats st;
  CHECK(memscope_get_stats(&st) == 0);
  CHECK(st.current_bytes == 300 + 50 + 192);
  CHECK(st.current_blocks == 3 + 1 + 3);
  CHECK(st.peak_bytes == 300 + 1000);
  CHECK(st.alloc_count == 10 + 3 + 4);
  CHECK(st.free_count == 7 + 2 + 1);
  CHECK(st.events_dropped == 0);
  printf("%s: %llu bytes live in %llu blocks\n", buf, (unsigned long long)st.current_bytes,
         (unsigned long long)st.current_blocks);
  return 0;
}
