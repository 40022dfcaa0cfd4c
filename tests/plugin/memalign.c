/* memalign.c: plugin fixture: posix_memalign output parameters and aligned_alloc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct page {
  char bytes[64];
};

static int get_block(double **out) {
  return posix_memalign((void **)out, 32, 10 * sizeof(double)); /* EXPECT kind=posix_memalign func="get_block" type="double" sizeof="double" elem=8 var="*out" flags=FIELD|COUNTED size=80 */
}

int main(void) {
  struct page *pg = NULL;
  double *d = NULL;
  void *raw;
  int rc = posix_memalign((void **)&pg, 64, sizeof *pg); /* EXPECT kind=posix_memalign type="struct page" sizeof="struct page" elem=64 var="pg" flags=0 size=64 */
  rc += posix_memalign(&raw, 16, 100); /* EXPECT kind=posix_memalign type="void" var="raw" flags=0 size=100 */
  rc += get_block(&d);
  struct page *al = aligned_alloc(128, 2 * sizeof(struct page)); /* EXPECT kind=aligned_alloc type="struct page" sizeof="struct page" elem=64 var="al" flags=COUNTED size=128 */
  pg->bytes[0] = 'a';
  d[9] = 1.5;
  printf("%d %c %g %d %d\n", rc, pg->bytes[0], d[9], (int)((uintptr_t)pg % 64),
         (int)((uintptr_t)al % 128));
  free(al); /* EXPECT kind=free var="al" type="struct page" */
  free(d); /* EXPECT kind=free var="d" type="double" */
  free(raw); /* EXPECT kind=free var="raw" type="void" */
  free(pg); /* EXPECT kind=free var="pg" type="struct page" */
  return 0;
}
