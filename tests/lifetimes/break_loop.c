/* break_loop.c: a block leaks when a break leaves the loop body that owns it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  int found = -1;
  for (int i = 0; i < 10; i++) {
    char *line = malloc(32);
    snprintf(line, 32, "line %d", i);
    if (strcmp(line, "line 3") == 0) {
      found = i;
      break;
    }
    free(line);
  }
  printf("found %d\n", found);
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  32 bytes in 1 block: allocated at break_loop.c:9:18 as `char` into `line`; last owner `line` went out of scope at break_loop.c:13:7 (the `break` that left it) in main() without a free
*/
