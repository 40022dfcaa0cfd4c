/* heaptrack_workload.c: a program that makes a given number of heap allocations (and frees
   them) over a working set of live blocks, to record a heaptrack trace of the same size as a
   generated memscope trace. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKING_SET 8192
#define SITES 8

static void *slots[WORKING_SET];

/* Several call sites, so that the trace has more than one backtrace. */
static __attribute__((noinline)) void *site(unsigned k, size_t size) {
  switch (k % SITES) {
  case 0: return malloc(size);
  case 1: return malloc(size + 1);
  case 2: return calloc(1, size);
  case 3: return malloc(size + 3);
  case 4: return malloc(size + 4);
  case 5: return calloc(size, 1);
  case 6: return malloc(size + 6);
  default: return malloc(size + 7);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: heaptrack_workload ALLOCATIONS\n");
    return 1;
  }
  uint64_t n = strtoull(argv[1], NULL, 10), rng = 0x9e3779b97f4a7c15ull, made = 0;
  while (made < n) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    unsigned slot = (unsigned)(rng % WORKING_SET);
    if (slots[slot]) {
      free(slots[slot]);
      slots[slot] = NULL;
    } else {
      slots[slot] = site((unsigned)(rng >> 16), 8 + (rng >> 40) % 256);
      if (!slots[slot]) return 1;
      made++;
    }
  }
  for (unsigned i = 0; i < WORKING_SET; i++) free(slots[i]);
  printf("%llu allocations\n", (unsigned long long)made);
  return 0;
}
