/* fields.c: plugin fixture: destinations that are fields, elements and dereferences. */
#include <stdio.h>
#include <stdlib.h>

struct header {
  char *buf;
  int len;
};
struct node {
  int value;
  struct node *next;
};
struct pair {
  int *left;
  int *right;
};

static void fill(int **slot) {
  *slot = malloc(sizeof **slot); /* EXPECT kind=malloc func="fill" type="int" sizeof="int" elem=4 var="*slot" flags=FIELD size=4 */
  **slot = 42;
}

int main(void) {
  struct header hd;
  struct header *h = &hd;
  struct node *n = malloc(sizeof *n); /* EXPECT kind=malloc type="struct node" var="n" flags=0 */
  char *arr[3];
  int i, *got;
  h->buf = malloc(8 * sizeof *h->buf); /* EXPECT kind=malloc type="char" sizeof="char" elem=1 var="h->buf" flags=FIELD|COUNTED size=8 */
  hd.len = 8;
  n->next = calloc(1, sizeof(struct node)); /* EXPECT kind=calloc type="struct node" var="n->next" flags=FIELD|COUNTED size=16 */
  n->next->next = NULL;
  for (i = 0; i < 3; i++)
    arr[i] = malloc((size_t)i + 1); /* EXPECT kind=malloc type="char" var="arr[i]" flags=FIELD events=3 sizes=1,2,3 */
  fill(&got);
  struct pair pr = {malloc(sizeof(int)), NULL}; /* EXPECT kind=malloc type="int" var="pr.left" flags=FIELD size=4 */
  *pr.left = 7;
  h->buf[0] = 'z';
  printf("%c %d %d %d\n", hd.buf[0], *got, *pr.left, n->next->next == NULL);
  free(pr.left); /* EXPECT kind=free var="pr.left" type="int" flags=FIELD */
  free(got); /* EXPECT kind=free var="got" type="int" flags=0 */
  for (i = 0; i < 3; i++)
    free(arr[i]); /* EXPECT kind=free var="arr[i]" type="char" flags=FIELD events=3 */
  free(n->next); /* EXPECT kind=free var="n->next" type="struct node" flags=FIELD */
  free(n); /* EXPECT kind=free var="n" */
  free(h->buf); /* EXPECT kind=free var="h->buf" type="char" flags=FIELD */
  return 0;
}
