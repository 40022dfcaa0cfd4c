/* app.c: the adoption example: known leaks through malloc, strdup and a wrapper; prints live bytes (with MEMSCOPE_STATS=1), exits with argv[1]. */
#include "vendor.h"
#include "xalloc.h"

#include <memscope.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  struct node *next;
  long value;
};

struct record {
  char name[40];
  int id;
};

static struct node *kept;
static char *label;

int main(int argc, char **argv) {
  struct node *head = NULL;
  for (long i = 0; i < 4; i++) {
    struct node *n = malloc(sizeof *n);
    n->value = i;
    n->next = head;
    head = n;
  }
  while (head != NULL) {
    struct node *next = head->next;
    free(head);
    head = next;
  }
  kept = malloc(sizeof *kept);
  kept->next = NULL;
  label = strdup("adoption");
  struct record *rec = xmalloc(sizeof *rec);
  strcpy(rec->name, label);
  rec->id = 7;
  struct record *tmp = xmalloc(sizeof *tmp);
  xfree(tmp);
  char *banner = vendor_banner();
  printf("%s %s %d\n", banner, rec->name, rec->id);
  memscope_stats st;
  if (memscope_get_stats(&st) == 0)
    printf("live: %llu bytes in %llu blocks\n", (unsigned long long)st.current_bytes,
           (unsigned long long)st.current_blocks);
  return argc > 1 ? atoi(argv[1]) : 0;
}
