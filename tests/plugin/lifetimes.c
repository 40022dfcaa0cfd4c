/* lifetimes.c: plugin fixture: scope-exit hooks, exit marks, assignment exits and handoffs. */
/* LIFETIMES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct holder {
  char *buf;
  char *slots[2];
};

struct pair {
  char *text;
  int n;
};

static char *global_text;
static char *kept[32];
static int nkept;

/* Keeps a block alive until main frees it: not a handoff, so its owner's exit is recorded. */
static void keep(char *block) {
  kept[nkept++] = block;
}

static char *first(int n) {
  char *p = malloc((size_t)n); /* EXPECT kind=malloc var="p" events=1 */ /* EXPECT kind=variable col=9 func="first" type="char" var="p" flags=0 events=1 live=1 */
  if (n > 100) return NULL; /* EXPECT-NONE */
  memset(p, 'a', (size_t)n - 1);
  p[n - 1] = '\0';
  return p; /* EXPECT kind=exit col=3 func="first" var="p" flags=EXIT_RETURN events=1 live=1 */
}

static int loop(void) {
  int total = 0;
  for (int i = 0; i < 4; i++) {
    char *s = malloc(8); /* EXPECT kind=malloc var="s" events=4 */ /* EXPECT kind=variable col=11 var="s" events=4 live=4 */
    keep(s);
    if (i == 1)
      continue; /* EXPECT kind=exit col=7 func="loop" var="" flags=EXIT_CONT events=1 live=1 */
    if (i == 3)
      break; /* EXPECT kind=exit col=7 flags=EXIT_BREAK events=1 live=1 */
    for (int j = 0; j < 2; j++)
      if (j == 1) break; /* EXPECT-NONE */
    total += i;
  } /* EXPECT kind=exit col=3 flags=EXIT_END events=2 live=2 */
  return total;
}

static int cleanup(int fail) {
  int rc = -1;
  char *buf = malloc(16); /* EXPECT kind=malloc var="buf" events=2 */ /* EXPECT kind=variable col=9 var="buf" events=2 live=2 */
  if (fail) goto out; /* EXPECT-NONE */
  {
    int *tmp = malloc(sizeof *tmp); /* EXPECT kind=malloc var="tmp" type="int" events=1 */ /* EXPECT kind=variable col=10 type="int" var="tmp" events=1 live=1 */
    *tmp = fail;
    if (fail == 0) goto out; /* EXPECT kind=exit col=20 func="cleanup" flags=EXIT_GOTO events=1 live=1 */
    free(tmp); /* EXPECT-NONE */
  }
  rc = 0;
out:
  keep(buf);
  return rc; /* EXPECT kind=exit col=3 flags=EXIT_RETURN var="" events=2 live=2 */
}

static int jumped(int k) {
  if (k) goto inside;
  {
    char *q = malloc(4); /* EXPECT kind=malloc var="q" events=1 */
    free(q); /* EXPECT kind=free var="q" */
  inside:
    k++;
  }
  return k;
}

static size_t choose(int k) {
  size_t n = 0;
  switch (k) {
  case 0:;
    char *a = malloc(8); /* EXPECT kind=malloc var="a" events=1 */
    n = sizeof a;
    free(a); /* EXPECT kind=free var="a" */
    break; /* EXPECT-NONE */
  default: {
    char *c = malloc(24); /* EXPECT kind=malloc var="c" */ /* EXPECT kind=variable col=11 var="c" events=1 live=1 */
    n = 24;
    keep(c);
    break; /* EXPECT kind=exit col=5 func="choose" flags=EXIT_BREAK events=1 live=1 */
  }
  }
  return n;
}

static int overwrite(void) {
  char *o = malloc(10); /* EXPECT kind=malloc var="o" size=10 */ /* EXPECT kind=variable col=9 var="o" events=2 live=2 */
  o = malloc(20); /* EXPECT kind=malloc var="o" size=20 */ /* EXPECT kind=exit col=3 func="overwrite" flags=EXIT_ASSIGN events=1 live=1 */
  o = realloc(o, 40); /* EXPECT kind=realloc var="o" size=40 */
  keep(o);
  o = NULL; /* EXPECT kind=exit col=3 flags=EXIT_ASSIGN events=1 live=1 */
  return o == NULL; /* EXPECT-NONE */
}

static void store(struct holder *h, char **out) {
  char *d = malloc(32); /* EXPECT kind=malloc var="d" */ /* EXPECT kind=variable var="d" events=1 live=1 */
  char *e = strdup("e"); /* EXPECT kind=strdup var="e" */ /* EXPECT kind=variable var="e" events=1 live=1 */
  char *f = strdup("f"); /* EXPECT kind=strdup var="f" */ /* EXPECT kind=variable var="f" events=1 live=1 */
  char *g; /* EXPECT-NONE (the runtime skips the exit of the block it saw handed on last) */
  g = strdup("g"); /* EXPECT kind=strdup var="g" */
  h->buf = d; /* EXPECT kind=handoff col=3 func="store" type="char" var="h->buf" flags=FIELD events=1 live=1 */
  h->slots[1] = (char *)e; /* EXPECT kind=handoff col=3 var="h->slots[1]" flags=FIELD events=1 live=1 */
  *out = f; /* EXPECT kind=handoff col=3 var="*out" flags=FIELD events=1 live=1 */
  global_text = g; /* EXPECT kind=handoff col=3 var="global_text" flags=0 events=1 live=1 */
} /* EXPECT kind=exit col=1 func="store" flags=EXIT_END events=3 live=3 */

static int late(int k) {
  char *u; /* EXPECT kind=variable col=9 var="u" events=1 live=1 */
  if (k) return 0; /* EXPECT-NONE */
  u = malloc(3); /* EXPECT kind=malloc var="u" events=1 */
  keep(u);
  return 1; /* EXPECT kind=exit col=3 func="late" flags=EXIT_RETURN events=1 live=1 */
}

static char *finish(char *in) {
  char *copy = strdup(in); /* EXPECT kind=strdup var="copy" */ /* EXPECT kind=variable var="copy" events=1 live=1 */
  keep(in);
  return copy; /* EXPECT kind=exit col=3 func="finish" var="copy" flags=EXIT_RETURN events=1 live=1 */
}

static char *chained(void) {
  char *v = strdup("chained"); /* EXPECT kind=strdup var="v" */ /* EXPECT kind=variable var="v" events=1 live=1 */
  return finish(v); /* EXPECT kind=exit col=3 func="chained" var="" flags=EXIT_RETURN events=1 live=1 */
}

static struct pair make_pair(int n) {
  struct pair r = {malloc((size_t)n), n}; /* EXPECT kind=malloc var="r.text" flags=FIELD */
  return r; /* EXPECT-NONE */
}

static struct pair wrap(int n) {
  char *held = malloc(1); /* EXPECT kind=malloc var="held" */ /* EXPECT kind=variable var="held" events=1 live=1 */
  keep(held);
  return make_pair(n); /* EXPECT kind=exit col=3 func="wrap" flags=EXIT_RETURN events=1 live=1 */
}

static int unhooked(void) {
  int v = ({
    char *t = malloc(2); /* EXPECT kind=malloc var="t" */
    int r = t != NULL;
    free(t); /* EXPECT kind=free var="t" */
    r;
  });
  for (char *w = malloc(5); w; w = NULL) /* EXPECT kind=malloc var="w" */
    free(w); /* EXPECT kind=free var="w" */
  return v;
}

int main(void) {
  char *p = first(6);
  struct holder h;
  char *out;
  struct pair pr = wrap(7);
  char *c = chained();
  printf("%s %d %d %d %d %zu %zu %d %d %s %d %d\n", p, loop(), cleanup(0), cleanup(1),
         jumped(1) + jumped(0), choose(0), choose(1), overwrite(), late(0) + late(1), c, pr.n,
         unhooked());
  store(&h, &out);
  printf("%s %s %s %s\n", h.buf ? "d" : "-", h.slots[1], out, global_text);
  free(h.buf); /* EXPECT kind=free var="h.buf" */
  free(h.slots[1]); /* EXPECT kind=free var="h.slots[1]" */
  free(out); /* EXPECT kind=free var="out" */
  free(global_text); /* EXPECT kind=free var="global_text" */
  free(pr.text); /* EXPECT kind=free var="pr.text" */
  free(c); /* EXPECT kind=free var="c" */
  free(p); /* EXPECT kind=free var="p" */
  while (nkept > 0)
    free(kept[--nkept]); /* EXPECT kind=free var="kept[--nkept]" flags=FIELD events=11 */
  return 0;
}
