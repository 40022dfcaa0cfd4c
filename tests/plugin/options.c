/* options.c: plugin fixture for the plugin options (verbose, include=, exclude=, malformed). */
#include <stdlib.h>

struct node {
  int value;
};

static struct node *make(void) {
  return malloc(sizeof(struct node));
}

int main(void) {
  struct node *p = make();
  char **names = calloc(2, sizeof *names);
  free(names);
  free(p);
  return 0;
}
/* VERBOSE: memscope: @FILE@:9:10: malloc -> return (struct node) */
/* VERBOSE: memscope: @FILE@:14:18: calloc -> names (char *) */
/* VERBOSE: memscope: @FILE@:15:3: free -> names (char *) */
/* VERBOSE: memscope: @FILE@:16:3: free -> p (struct node) */
