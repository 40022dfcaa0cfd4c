/* gen_trace.c: writes the synthetic traces that the memscope-report command tests read. */
#include <stdlib.h>

#include "trace_builder.h"

static void sites(tb *b) {
  tb_site(b, 1, 1, 0, "demo/list.c", 12, 15, "make_node", "struct node", "struct node", "n", 24);
  tb_site(b, 2, 2, 1, "demo/list.c", 30, 9, "make_table", "int", "int", "t->slots", 4);
  tb_site(b, 3, 5, 0, "demo/main.c", 8, 17, "main", "char", "", "name", 0);
  tb_site(b, 4, 4, 0, "demo/list.c", 50, 3, "free_node", "", "", "", 0);
  tb_site(b, 5, 3, 0, "demo/buf.c", 21, 11, "buf_grow", "char", "char", "b->data", 1);
}

/* A complete single-threaded run: 3 leaked nodes, a leaked name, a realloc chain. */
static void demo(tb *b, int leak) {
  tb_header(b, 1, 0, 4242, "demo");
  sites(b);
  tb_thread(b, 1, 4242, "demo");
  tb_events_begin(b, 1, 0);
  for (uint64_t i = 0; i < 10; i++) tb_alloc(b, 1, 0x5581a0 + i * 32, 24);
  tb_alloc(b, 2, 0x560000, 400);
  tb_time(b, 2);
  tb_alloc(b, 3, 0x561000, 6);
  tb_alloc(b, 5, 0x562000, 64);
  tb_realloc(b, 5, 0x562000, 0x563000, 128);
  tb_time(b, 1);
  tb_realloc(b, 5, 0x563000, 0x564000, 256);
  tb_events_end(b);
  tb_message(b, 3, "tracing \"demo\"\tfine");
  tb_events_begin(b, 1, 3);
  for (uint64_t i = 0; i < 10 - (leak ? 3u : 0u); i++) tb_free(b, 4, 0x5581a0 + i * 32);
  tb_free(b, 4, 0x560000);
  tb_free(b, 4, 0x564000);
  if (!leak) tb_free(b, 4, 0x561000);
  tb_time(b, 7);
  tb_scope_exit(b, 3, 0x561000, 6);
  tb_events_end(b);
  uint64_t n = leak ? 23 : 25;
  uint64_t v[12] = {n, n, 0, 2, tb_size(b), 70000, 1, 15, leak ? 11 : 12, 1094, 902, 10};
  tb_end(b, v, 0);
}

/* Two threads; thread 2's frees are written before thread 1's allocs. */
static void mt(tb *b) {
  tb_header(b, 1, 0, 77, "mt");
  sites(b);
  tb_thread(b, 2, 78, "worker");
  tb_events_begin(b, 2, 4);
  for (uint64_t i = 0; i < 5; i++) tb_free(b, 4, 0x7000 + i * 64);
  tb_events_end(b);
  tb_thread(b, 1, 77, "mt");
  tb_events_begin(b, 1, 1);
  for (uint64_t i = 0; i < 6; i++) tb_alloc(b, 1, 0x7000 + i * 64, 24);
  tb_events_end(b);
  uint64_t v[12] = {11, 11, 0, 2, tb_size(b), 70000, 2, 6, 5, 144, 144, 5};
  tb_end(b, v, 0);
}

/* Sampled allocations (bytes:524288), a hand-off and a change of the sampling mean. */
static void sampled(tb *b) {
  b->sample = "bytes:524288";
  tb_header(b, 1, 0, 31, "sampled");
  sites(b);
  tb_site(b, 6, 14, 2, "demo/list.c", 14, 11, "make_node", "", "", "head->next", 0);
  tb_thread(b, 1, 31, "sampled");
  tb_events_begin(b, 1, 0);
  tb_sampled(b, 1, 0x1000, 100, 1.5f);
  tb_handoff(b, 6, 0x1000);
  tb_sampled(b, 2, 0x2000, 1000, 524.5f);
  tb_time(b, 1);
  tb_free(b, 4, 0x2000);
  tb_events_end(b);
  tb_sampling(b, 1, 1048576);
  uint64_t v[12] = {4, 4, 0, 1, tb_size(b), 70000, 1, 525, 1, 524650, 524650, 2};
  tb_end(b, v, 0);
}

/* n events of alloc/free pairs over a working set of 4096 blocks, for timing. */
static void big(tb *b, uint64_t n) {
  tb_header(b, 1, 0, 1, "big");
  sites(b);
  tb_thread(b, 1, 1, "big");
  uint64_t per = 8192, done = 0, t = 0;
  while (done < n) {
    tb_events_begin(b, 1, t);
    for (uint64_t i = 0; i < per && done < n; i += 2, done += 2) {
      uint64_t k = (done / 2) % 4096;
      tb_alloc(b, 1 + k % 3, 0x100000 + k * 64, 16 + k % 48);
      tb_free(b, 4, 0x100000 + k * 64);
    }
    tb_events_end(b);
    t++;
  }
  uint64_t v[12] = {n, n, 0, t, tb_size(b), 1, 1, n / 2, n / 2, 0, 0, t};
  tb_end(b, v, 0);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen_trace OUT demo|noleak|mt|sampled [CUT] | gen_trace OUT big [N]\n");
    return 1;
  }
  tb b;
  tb_init(&b);
  const char *kind = argv[2];
  if (!strcmp(kind, "demo")) demo(&b, 1);
  else if (!strcmp(kind, "noleak")) demo(&b, 0);
  else if (!strcmp(kind, "mt")) mt(&b);
  else if (!strcmp(kind, "sampled")) sampled(&b);
  else if (!strcmp(kind, "big")) big(&b, argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000);
  else {
    fprintf(stderr, "gen_trace: unknown kind '%s'\n", kind);
    return 1;
  }
  size_t len = b.sb.size; /* CUT: keep only the first CUT bytes */
  if (argc > 3 && strcmp(kind, "big")) len = strtoull(argv[3], NULL, 10);
  int rc = tb_write(&b, argv[1], len);
  tb_destroy(&b);
  return rc ? 1 : 0;
}
