/* switch_decl.c: declarations after case labels, which a scope-exit hook must not break. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t step(int k) {
  size_t n = 0;
  switch (k) {
  case 0:;
    char *a = malloc(8);
    strcpy(a, "zero");
    n = strlen(a);
    free(a);
    /* fall through */
  case 1:;
    char *b = malloc(16);
    strcpy(b, "one");
    n += strlen(b);
    free(b);
    break;
  default: {
    char *c = malloc(24);
    strcpy(c, "other");
    n = strlen(c);
    free(c);
    break;
  }
  }
  return n;
}

int main(void) {
  printf("%zu %zu %zu\n", step(0), step(1), step(2));
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
   (none)
*/
