/* fnptr.c: plugin fixture: calls the plugin must leave alone, which must still work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*alloc_fn)(size_t);

static void *pick(int which, alloc_fn *out) {
  *out = which ? malloc : NULL;
  return (void *)*out;
}

int main(void) {
  alloc_fn fp = malloc;
  void (*release)(void *) = free;
  alloc_fn chosen;
  char *a = fp(16); /* EXPECT-NONE: through a function pointer */
  char *b = (*fp)(8); /* EXPECT-NONE */
  size_t width = sizeof(malloc(4)) + sizeof(calloc(1, 2)); /* EXPECT-NONE: unevaluated */
  char *c = _Generic(width, size_t: malloc(3), default: calloc(1, 3)); /* EXPECT kind=malloc var="c" type="char" size=3 */
  pick(1, &chosen);
  char *d = chosen(4); /* EXPECT-NONE */
  strcpy(a, "through");
  strcpy(b, "ptr");
  c[0] = 'g';
  d[0] = 'h';
  printf("%s %s %c %c %zu\n", a, b, c[0], d[0], width);
  release(d); /* EXPECT-NONE */
  free(c); /* EXPECT kind=free var="c" events=1 */
  free(b); /* EXPECT kind=free var="b" events=1 */
  release(a); /* EXPECT-NONE */
  return 0;
}
