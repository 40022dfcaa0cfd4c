/* strings.c: plugin fixture: strdup and strndup sites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  char *key;
};

int main(void) {
  const char *word = "allocation";
  struct entry e;
  char *copy = strdup(word); /* EXPECT kind=strdup type="char" sizeof="" elem=0 var="copy" flags=0 size=11 */
  char *part = strndup(word, 5); /* EXPECT kind=strndup type="char" var="part" flags=0 size=6 */
  e.key = strdup("k"); /* EXPECT kind=strdup type="char" var="e.key" flags=FIELD size=2 */
  printf("%s %s %s\n", copy, part, e.key);
  free(e.key); /* EXPECT kind=free var="e.key" flags=FIELD */
  free(part); /* EXPECT kind=free var="part" */
  free(copy); /* EXPECT kind=free var="copy" */
  return 0;
}
