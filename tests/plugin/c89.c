/* c89.c: plugin fixture: a strict ISO C89 translation unit. */
/* FLAGS: -std=c89 -pedantic -Werror */
#include <stdio.h>
#include <stdlib.h>

struct list {
  int count;
  int *items;
};

static struct list *list_new(int count) {
  struct list *l;
  int i;
  l = (struct list *)malloc(sizeof(struct list)); /* EXPECT kind=malloc func="list_new" type="struct list" sizeof="struct list" elem=16 var="l" flags=0 size=16 */
  l->count = count;
  l->items = (int *)calloc((size_t)count, sizeof(int)); /* EXPECT kind=calloc func="list_new" type="int" sizeof="int" elem=4 var="l->items" flags=FIELD|COUNTED size=20 */
  for (i = 0; i < count; i++)
    l->items[i] = i * i;
  return l;
}

int main(void) {
  struct list *l = list_new(5);
  int sum = 0, i;
  for (i = 0; i < l->count; i++)
    sum += l->items[i];
  printf("%d\n", sum);
  free(l->items); /* EXPECT kind=free var="l->items" type="int" flags=FIELD */
  free(l); /* EXPECT kind=free var="l" type="struct list" */
  return 0;
}
