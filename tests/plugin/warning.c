/* warning.c: plugin fixture: a deliberate warning, reported identically with the plugin. */
#include <stdlib.h>

int main(int argc, char **argv) {
  int unused_count;
  char *p = malloc(4);
  unsigned int n = 3;
  if (argc < n)
    p[0] = 'a';
  free(p);
  return argv == NULL;
}
