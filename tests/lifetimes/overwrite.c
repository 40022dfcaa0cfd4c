/* overwrite.c: a block leaks when its only owner is assigned a new block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char *name = malloc(10);
  strcpy(name, "first");
  name = malloc(20);
  strcpy(name, "second");
  printf("%s\n", name);
  free(name);
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  10 bytes in 1 block: allocated at overwrite.c:7:16 as `char` into `name`; last owner `name` was overwritten at overwrite.c:9:3 in main() without a free
*/
