/* transfer.c: ownership moves to the caller by return; only the result nobody frees leaks. */
#include <stdio.h>
#include <stdlib.h>

struct node {
  int value;
  struct node *next;
};

static struct node *make(int value) {
  struct node *n = malloc(sizeof(struct node));
  n->value = value;
  n->next = NULL;
  return n;
}

int main(void) {
  struct node *kept = make(1);
  printf("%d %d\n", kept->value, make(2)->value);
  free(kept);
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  16 bytes in 1 block: allocated at transfer.c:11:20 as `struct node` into `n`; returned to the caller at transfer.c:14:3 by make(), not freed after
*/
