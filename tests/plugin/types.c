/* types.c: plugin fixture: type names, sizeof types and counts of allocation sites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  int value;
  struct node *next;
};
typedef struct node Node;
typedef struct {
  double x, y;
} Point;
typedef struct node *NodeRef;

int main(void) {
  size_t n = 10, i;
  unsigned long sum = 0;
  struct node *a = malloc(sizeof(struct node)); /* EXPECT kind=malloc col=20 func="main" type="struct node" sizeof="struct node" elem=16 var="a" flags=0 events=1 size=16 */
  Node *b = malloc(sizeof *b); /* EXPECT kind=malloc type="Node" sizeof="Node" elem=16 var="b" flags=0 size=16 */
  NodeRef c = malloc(sizeof(Node)); /* EXPECT kind=malloc type="struct node" sizeof="Node" elem=16 var="c" flags=0 size=16 */
  double (*m)[4] = malloc(3 * sizeof *m); /* EXPECT kind=malloc type="double[4]" sizeof="double[4]" elem=32 var="m" flags=COUNTED size=96 */
  char **lines = calloc(5, sizeof(char *)); /* EXPECT kind=calloc type="char *" sizeof="char *" elem=8 var="lines" flags=COUNTED size=40 */
  Point *pts = calloc(7, sizeof *pts); /* EXPECT kind=calloc type="Point" sizeof="Point" elem=16 var="pts" flags=COUNTED size=112 */
  int *nums;
  unsigned char *raw = malloc(33); /* EXPECT kind=malloc type="unsigned char" sizeof="" elem=0 var="raw" flags=0 size=33 */
  const char *text;
  void *blob = malloc(24); /* EXPECT kind=malloc type="void" sizeof="" elem=0 var="blob" flags=0 size=24 */
  long *cast = (long *)malloc(2 * sizeof(long)); /* EXPECT kind=malloc type="long" sizeof="long" elem=8 var="cast" flags=COUNTED size=16 */
  void *viewed = (Point *)malloc(sizeof(Point)); /* EXPECT kind=malloc type="Point" sizeof="Point" var="viewed" size=16 */
  size_t hdr = sizeof(malloc(1000)); /* EXPECT-NONE (sizeof does not evaluate its operand) */

  nums = malloc(n * sizeof(int)); /* EXPECT kind=malloc type="int" sizeof="int" elem=4 var="nums" flags=COUNTED size=40 */
  text = malloc(sizeof(int) + n * sizeof(char)); /* EXPECT kind=malloc type="const char" sizeof="int" elem=4 var="text" flags=0 size=14 */

  a->value = 1;
  b->value = 2;
  c->value = 3;
  for (i = 0; i < 3; i++)
    m[i][3] = (double)i;
  for (i = 0; i < 5; i++)
    sum += lines[i] == NULL;
  for (i = 0; i < 7; i++)
    sum += (unsigned long)pts[i].x;
  for (i = 0; i < n; i++)
    nums[i] = (int)i;
  memset(raw, 1, 33);
  for (i = 0; i < 33; i++)
    sum += raw[i];
  cast[1] = 5;
  printf("%d %d %d %g %lu %d %ld %zu\n", a->value, b->value, c->value, m[2][3], sum, nums[9],
         cast[1], hdr);

  free(a); /* EXPECT kind=free type="struct node" var="a" flags=0 events=1 */
  free(b); /* EXPECT kind=free type="Node" var="b" flags=0 */
  free(c); /* EXPECT kind=free type="struct node" var="c" */
  free(m); /* EXPECT kind=free type="double[4]" var="m" */
  free(lines); /* EXPECT kind=free type="char *" var="lines" */
  free(pts); /* EXPECT kind=free type="Point" var="pts" */
  free(nums); /* EXPECT kind=free type="int" var="nums" */
  free(raw); /* EXPECT kind=free type="unsigned char" var="raw" */
  free((void *)text); /* EXPECT kind=free type="const char" var="text" */
  free(blob); /* EXPECT kind=free type="void" var="blob" */
  free(cast); /* EXPECT kind=free type="long" var="cast" */
  free(viewed); /* EXPECT kind=free type="void" var="viewed" */
  return 0;
}
