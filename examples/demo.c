/* demo.c: a small word-counting program that memscope's demo compiles with the plugin and reports on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
  char *text;
  int count;
  struct word *next;
};

struct table {
  struct word **buckets;
  size_t nbuckets;
  size_t nwords;
};

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

static struct table *table_new(size_t nbuckets) {
  struct table *t = malloc(sizeof *t);
  t->buckets = calloc(nbuckets, sizeof *t->buckets);
  t->nbuckets = nbuckets;
  t->nwords = 0;
  return t;
}

static void table_add(struct table *t, const char *text) {
  unsigned h = hash(text) % t->nbuckets;
  for (struct word *w = t->buckets[h]; w != NULL; w = w->next) {
    if (strcmp(w->text, text) == 0) {
      w->count++;
      return;
    }
  }
  struct word *w = malloc(sizeof(struct word));
  w->text = strdup(text);
  w->count = 1;
  w->next = t->buckets[h];
  t->buckets[h] = w;
  t->nwords++;
}

/* Frees the table but forgets the words of every other bucket: a leak to find. */
static void table_free(struct table *t) {
  for (size_t i = 0; i < t->nbuckets; i++) {
    struct word *w = t->buckets[i];
    while (w != NULL && i % 2 == 0) {
      struct word *next = w->next;
      free(w->text);
      free(w);
      w = next;
    }
  }
  free(t->buckets);
  free(t);
}

int main(void) {
  static const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
                                "theta", "iota", "kappa", "lambda", "mu"};
  struct table *t = table_new(64);
  size_t cap = 16, len = 0;
  char *log = malloc(cap);
  for (int round = 0; round < 2000; round++) {
    char text[32];
    snprintf(text, sizeof text, "%s-%d", words[round % 12], round % 97);
    table_add(t, text);
    size_t need = len + strlen(text) + 2;
    if (need > cap) {
      cap *= 2;
      log = realloc(log, cap);
    }
    len += (size_t)snprintf(log + len, cap - len, "%s ", text);
  }
  printf("%zu distinct words, %zu bytes of log\n", t->nwords, len);
  free(log);
  table_free(t);
  return 0;
}
