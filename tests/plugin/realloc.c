/* realloc.c: plugin fixture: realloc chains, realloc(NULL, n) and reallocarray. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int *v = NULL;
  int i, total = 0;
  char *buf = realloc(NULL, 16); /* EXPECT kind=realloc type="char" var="buf" flags=0 ops=alloc sizes=16 */
  buf = realloc(buf, 32); /* EXPECT kind=realloc type="char" var="buf" flags=0 ops=realloc sizes=32 */
  buf = realloc(buf, 64); /* EXPECT kind=realloc type="char" var="buf" ops=realloc sizes=64 */
  for (i = 1; i <= 4; i++) {
    v = realloc(v, i * sizeof *v); /* EXPECT kind=realloc type="int" sizeof="int" elem=4 var="v" flags=COUNTED ops=alloc,realloc,realloc,realloc sizes=4,8,12,16 */
    v[i - 1] = i;
  }
  long *w = reallocarray(NULL, 6, sizeof(long)); /* EXPECT kind=reallocarray type="long" sizeof="long" elem=8 var="w" flags=COUNTED ops=alloc size=48 */
  w = reallocarray(w, 12, sizeof *w); /* EXPECT kind=reallocarray var="w" sizeof="long" flags=COUNTED ops=realloc size=96 */
  for (i = 0; i < 4; i++)
    total += v[i];
  buf[63] = 'x';
  w[11] = 7;
  printf("%d %c %ld\n", total, buf[63], w[11]);
  free(w); /* EXPECT kind=free var="w" type="long" events=1 */
  free(v); /* EXPECT kind=free var="v" type="int" events=1 */
  free(buf); /* EXPECT kind=free var="buf" type="char" events=1 */
  return 0;
}
