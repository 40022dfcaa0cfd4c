/* early_return.c: a block leaks when an early return leaves its only owner's scope. */
#include <stdio.h>
#include <stdlib.h>

struct token {
  int kind;
  char text[60];
};

static int parse(int fail) {
  struct token *tok = malloc(sizeof *tok);
  tok->kind = fail;
  if (fail) return -1;
  free(tok);
  return 0;
}

int main(void) {
  printf("%d %d\n", parse(0), parse(1));
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  64 bytes in 1 block: allocated at early_return.c:11:23 as `struct token` into `tok`; last owner `tok` went out of scope at early_return.c:13:13 (the `return` that left it) in parse() without a free
*/
