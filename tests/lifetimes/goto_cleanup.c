/* goto_cleanup.c: a block leaks when a goto to the cleanup label leaves the block that owns it. */
#include <stdio.h>
#include <stdlib.h>

static int load(int fail) {
  int rc = -1;
  char *header = malloc(16);
  {
    double *values = calloc(6, sizeof(double));
    if (fail) goto out;
    values[0] = 1.5;
    free(values);
  }
  rc = 0;
out:
  free(header);
  return rc;
}

int main(void) {
  printf("%d %d\n", load(0), load(1));
  return 0;
}

/* Expected leaks, as memscope-report leaks prints them (checked by run.sh):
EXPECT-LEAK:  48 bytes in 1 block: allocated at goto_cleanup.c:9:22 as `double` into `values`; last owner `values` went out of scope at goto_cleanup.c:10:15 (the `goto` that left it) in load() without a free
*/
