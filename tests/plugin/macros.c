/* macros.c: plugin fixture: allocation calls written inside macros and macro arguments. */
#include <stdio.h>
#include <stdlib.h>

#define NEW(T) ((T *)malloc(sizeof(T)))
#define NEW_ARRAY(T, n) calloc((n), sizeof(T))
#define RELEASE(p) do { free(p); (p) = NULL; } while (0)
#define CHECKED(e) ((e) ? (void)0 : abort())
#define ALLOC_TWICE(a, b) (a = NEW(int), b = NEW(int))

struct point {
  int x, y;
};

int main(void) {
  struct point *p = NEW(struct point); /* EXPECT kind=malloc col=21 type="struct point" sizeof="struct point" elem=8 var="p" flags=MACRO size=8 */
  int *row = NEW_ARRAY(int, 6); /* EXPECT kind=calloc col=14 type="int" sizeof="int" var="row" flags=MACRO|COUNTED size=24 */
  char *s;
  int *a, *b;
  CHECKED(s = malloc(5)); /* EXPECT kind=malloc col=15 type="char" var="s" flags=0 size=5 */
  ALLOC_TWICE(a, b); /* EXPECT kind=malloc col=3 var="a" type="int" flags=MACRO events=1 */ /* EXPECT kind=malloc col=3 var="b" type="int" flags=MACRO events=1 */
  p->x = 3;
  row[5] = 4;
  s[0] = 'm';
  *a = 1;
  *b = 2;
  printf("%d %d %c %d\n", p->x, row[5], s[0], *a + *b);
  RELEASE(b); /* EXPECT kind=free col=3 var="b" flags=MACRO events=1 */
  RELEASE(a); /* EXPECT kind=free col=3 var="a" flags=MACRO */
  free(s); /* EXPECT kind=free var="s" flags=0 */
  RELEASE(row); /* EXPECT kind=free var="row" type="int" flags=MACRO */
  RELEASE(p); /* EXPECT kind=free var="p" type="struct point" flags=MACRO */
  return p != NULL;
}
