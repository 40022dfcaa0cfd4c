/* wrappers.c: plugin fixture: project allocator wrappers declared with alloc= and free=. */
/* PLUGIN-ARGS: alloc=xmalloc:size=1 alloc=xcalloc:size=2,count=1 alloc=opaque_alloc:size=1 free=xfree:ptr=1 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
  int id;
  char *label;
};

/* Wrappers compiled with the plugin: their inner calls are renamed after the outer call site. */
void *xmalloc(size_t n) {
  void *p = malloc(n); /* EXPECT-NONE: recorded under the wrapper's call site */
  if (p == NULL)
    abort();
  return p;
}

/* Nested wrappers: the outermost active wrapper names the block. */
void *xcalloc(size_t count, size_t size) {
  void *p = xmalloc(count * size); /* EXPECT-NONE: named after the outer xcalloc call */
  return memset(p, 0, count * size);
}

void xfree(void *p) {
  free(p); /* EXPECT-NONE: the free is recorded at the wrapper's call site */
}

/* A wrapper whose allocation the plugin cannot see (through a pointer): the call site records
   the block from the wrapper's result. */
void *opaque_alloc(size_t n) {
  void *(*volatile real)(size_t) = malloc;
  return real(n);
}

int main(void) {
  int k = 3;
  struct item *it = xmalloc(sizeof *it); /* EXPECT kind=custom_alloc type="struct item" sizeof="struct item" elem=16 var="it" flags=WRAPPER ops=alloc size=16 */
  it->label = xmalloc(k++ * sizeof(char)); /* EXPECT kind=custom_alloc type="char" sizeof="char" elem=1 var="it->label" flags=WRAPPER|FIELD|COUNTED ops=alloc size=3 */
  int *zeros = xcalloc(5, sizeof(int)); /* EXPECT kind=custom_alloc type="int" sizeof="int" elem=4 var="zeros" flags=WRAPPER|COUNTED ops=alloc size=20 */
  double *hidden = opaque_alloc(2 * sizeof(double)); /* EXPECT kind=custom_alloc type="double" var="hidden" flags=WRAPPER|COUNTED ops=alloc size=16 */
  it->id = k;
  strcpy(it->label, "ab");
  hidden[1] = 2.5;
  printf("%d %s %d %g\n", it->id, it->label, zeros[4], hidden[1]);
  free(hidden); /* EXPECT kind=free var="hidden" events=1 */
  xfree(zeros); /* EXPECT kind=custom_free var="zeros" type="int" flags=WRAPPER events=1 */
  xfree(it->label); /* EXPECT kind=custom_free var="it->label" type="char" flags=WRAPPER|FIELD events=1 */
  xfree(it); /* EXPECT kind=custom_free var="it" type="struct item" flags=WRAPPER events=1 */
  return 0;
}
