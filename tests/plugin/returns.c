/* returns.c: plugin fixture: allocations returned to the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  int value;
  struct node *next;
};

static struct node *new_node(int value) {
  struct node *n = malloc(sizeof *n); /* EXPECT kind=malloc func="new_node" var="n" type="struct node" flags=0 events=3 */
  n->value = value;
  n->next = NULL;
  return n;
}

static struct node *zeroed_node(void) {
  return calloc(1, sizeof(struct node)); /* EXPECT kind=calloc func="zeroed_node" var="" type="struct node" sizeof="struct node" flags=RETURN|COUNTED size=16 */
}

static char *copy_name(const char *name) {
  return strcpy(malloc(strlen(name) + 1), name); /* EXPECT kind=malloc func="copy_name" var="" type="char" flags=0 size=6 */
}

static double *numbers(int n) {
  return (double *)malloc((size_t)n * sizeof(double)); /* EXPECT kind=malloc func="numbers" var="" type="double" sizeof="double" flags=RETURN|COUNTED size=24 */
}

int main(void) {
  struct node *a = new_node(1), *b = new_node(2), *c = new_node(3);
  struct node *z = zeroed_node();
  char *name = copy_name("alpha");
  double *d = numbers(3);
  d[2] = 0.25;
  printf("%d %d %d %d %s %g\n", a->value, b->value, c->value, z->value, name, d[2]);
  free(d); /* EXPECT kind=free var="d" */
  free(name); /* EXPECT kind=free var="name" */
  free(z); /* EXPECT kind=free var="z" */
  free(c); /* EXPECT kind=free col=3 var="c" */ free(b); /* EXPECT kind=free col=49 var="b" */
  free(a); /* EXPECT kind=free var="a" */
  return 0;
}
