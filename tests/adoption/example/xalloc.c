/* xalloc.c: the example's allocator wrappers: malloc that aborts on failure, and its free. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

void *xmalloc(size_t size) {
  void *p = malloc(size);
  if (p == NULL) {
    fputs("out of memory\n", stderr);
    abort();
  }
  return p;
}

void xfree(void *ptr) { free(ptr); }
