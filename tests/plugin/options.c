/* options.c: plugin fixture for the plugin options (verbose, include=, exclude=, lifetimes=, malformed). */
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

int pick(int k) {
  int n = 0;
  switch (k) {
  case 0:;
    char *a = malloc(4);
    n = a != NULL;
    free(a);
    /* fall through */
  default:
    n++;
  }
  return n;
}
/* VERBOSE: memscope: @FILE@:9:10: malloc -> return (struct node) */
/* VERBOSE: memscope: @FILE@:14:18: calloc -> names (char *) */
/* VERBOSE: memscope: @FILE@:15:3: free -> names (char *) */
/* VERBOSE: memscope: @FILE@:16:3: free -> p (struct node) */
/* VERBOSE: memscope: @FILE@:14:10: lifetime -> names (char *) */
/* VERBOSE: memscope: @FILE@:24:15: malloc -> a (char) */
/* VERBOSE: memscope: @FILE@:26:5: free -> a (char) */
/* VERBOSE: memscope: @FILE@:24:11: lifetime -> a not tracked: a case label of an enclosing switch follows it */
