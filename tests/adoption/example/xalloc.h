/* xalloc.h: the example's allocator wrappers, declared to memscope as ALLOC/FREE. */
#ifndef EXAMPLE_XALLOC_H
#define EXAMPLE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void xfree(void *ptr);

#endif
