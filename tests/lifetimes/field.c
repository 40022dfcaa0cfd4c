/* field.c: a block leaks through a struct field: its holder is freed without freeing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct holder {
  char *buf;
  size_t len;
};

static void fill(struct holder *h) {
  char *data = malloc(64);
  memset(data, 'x', 63);
  data[63] = '\0';
  h->buf = data;
  h->len = 63;
}

int main(void) {
  struct holder *h = malloc(sizeof *h);
  fill(h);
  printf("%zu\n", h->len);
  free(h);
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  64 bytes in 1 block: allocated at field.c:12:16 as `char` into `data`; handed on: stored into `h->buf` at field.c:15:3 in fill()
*/
