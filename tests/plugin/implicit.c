/* implicit.c: plugin fixture: C library allocators called without their header. */
/* MAJORS: 14 */
int printf(const char *, ...);

struct cell {
  long payload[3];
};

int main(void) {
  struct cell *c = malloc(2 * sizeof(struct cell)); /* EXPECT kind=malloc type="struct cell" sizeof="struct cell" elem=24 var="c" flags=COUNTED size=48 */
  char *z = calloc(4, 1); /* EXPECT kind=calloc type="char" sizeof="" elem=0 var="z" flags=COUNTED size=4 */
  c = realloc(c, 3 * sizeof *c); /* EXPECT kind=realloc var="c" sizeof="struct cell" flags=COUNTED size=72 */
  c[2].payload[2] = 9;
  printf("%ld %d\n", c[2].payload[2], z[3]);
  free(z); /* EXPECT kind=free var="z" type="char" */
  free(c); /* EXPECT kind=free var="c" type="struct cell" */
  return 0;
}
