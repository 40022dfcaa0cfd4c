/* test_report_lifetimes.c: leak attribution to the last owner: every fate, exact lines and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../report/trace_builder.h"
#include "memscope.h"
#include "views.h"

#define VAR MEMSCOPE_KIND_VARIABLE
#define EXIT MEMSCOPE_KIND_EXIT

/* One allocation site, variables, every kind of exit point and a handoff; a block per fate. */
static void build(tb *b) {
  tb_init(b);
  tb_header(b, 1, 0, 7, "owners");
  tb_site(b, 1, 1, 0, "l.c", 10, 13, "make", "struct s", "struct s", "p", 16);
  tb_site(b, 2, VAR, 0, "l.c", 10, 13, "make", "struct s", "", "p", 0);
  tb_site(b, 3, EXIT, MEMSCOPE_SITE_EXIT_RETURN, "l.c", 14, 5, "make", "", "", "p", 0);
  tb_site(b, 4, EXIT, MEMSCOPE_SITE_EXIT_BREAK, "l.c", 20, 7, "loop", "", "", "", 0);
  tb_site(b, 5, EXIT, MEMSCOPE_SITE_EXIT_CONT, "l.c", 21, 7, "loop", "", "", "", 0);
  tb_site(b, 6, EXIT, MEMSCOPE_SITE_EXIT_GOTO, "l.c", 22, 7, "loop", "", "", "", 0);
  tb_site(b, 7, EXIT, MEMSCOPE_SITE_EXIT_END, "l.c", 30, 1, "loop", "", "", "", 0);
  tb_site(b, 8, EXIT, MEMSCOPE_SITE_EXIT_ASSIGN, "l.c", 25, 9, "loop", "", "", "", 0);
  tb_site(b, 9, MEMSCOPE_KIND_HANDOFF, MEMSCOPE_SITE_FIELD, "l.c", 26, 12, "store", "", "",
          "h->buf", 0);
  tb_site(b, 10, EXIT, MEMSCOPE_SITE_EXIT_RETURN, "l.c", 40, 3, "other", "", "", "q", 0);
  tb_site(b, 11, VAR, 0, "l.c", 18, 11, "loop", "struct s", "", "it", 0);
  tb_site(b, 12, 3, 0, "l.c", 50, 5, "grow", "struct s", "struct s", "p", 16);
  tb_site(b, 13, 4, 0, "l.c", 60, 3, "drop", "", "", "", 0);
  tb_thread(b, 1, 7, "owners");
  tb_events_begin(b, 1, 0);
  static const uint64_t sizes[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 5, 7, 8, 3, 4};
  for (uint64_t i = 0; i < 15; i++) tb_alloc(b, 1, 0x100 * (i + 1), sizes[i]);
  tb_scope_exit(b, 2, 0x100, 3);   /* returned */
  tb_scope_exit(b, 11, 0x200, 4);  /* break */
  tb_scope_exit(b, 11, 0x300, 5);  /* continue */
  tb_scope_exit(b, 11, 0x400, 6);  /* goto */
  tb_scope_exit(b, 11, 0x500, 7);  /* end of block */
  tb_scope_exit(b, 11, 0x600, 8);  /* overwritten */
  tb_handoff(b, 9, 0x700);         /* handed */
  /* 0x800: no event, held */
  tb_scope_exit(b, 11, 0x900, 0);  /* exit point unknown */
  tb_scope_exit(b, 2, 0xa00, 10);  /* a return of another variable drops p */
  tb_handoff(b, 9, 0xb00);
  tb_scope_exit(b, 11, 0xb00, 7);  /* a scope exit after a handoff does not drop it: handed */
  tb_scope_exit(b, 11, 0xc00, 7);
  tb_handoff(b, 9, 0xc00);         /* handed */
  tb_handoff(b, 9, 0xd00);         /* handed */
  tb_scope_exit(b, 11, 0xe00, 4);  /* break, then moved by realloc: the history follows */
  tb_realloc(b, 12, 0xe00, 0x10000, 6);
  tb_scope_exit(b, 11, 0x20000, 7); /* not live: unmatched */
  tb_scope_exit(b, 11, 0xf00, 7);   /* the 15th block, then freed: no leak */
  tb_free(b, 13, 0xf00);
  tb_events_end(b);
  uint64_t v[12] = {0, 0, 0, 1, 0, 0, 1, 16, 2, 0, 0, 1};
  tb_end(b, v, 0);
}

static char *run(memscope_model *m, int json) {
  tb b;
  build(&b);
  assert_int_equal(memscope_model_init(m), 0);
  memscope_read_result res;
  assert_int_equal(memscope_read_mem(b.sb.data, b.sb.size, "t", memscope_model_callbacks(), m, &res), 0);
  memscope_model_finish(m);
  tb_destroy(&b);
  memscope_view_opts o = {0};
  o.trace = "owners.msgpack";
  o.json = json;
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_leaks(f, m, &res, &o), 0);
  fclose(f);
  return text;
}

static void check_text(const char *got, const char *want) {
  size_t i = 0;
  while (got[i] && got[i] == want[i]) i++;
  if (got[i] || want[i])
    fail_msg("texts differ at %zu:\n--- got:\n%s\n--- want:\n%s", i, got + (i > 60 ? i - 60 : 0),
             want + (i > 60 ? i - 60 : 0));
}

#define AT "allocated at l.c:10:13 as `struct s` into `p`; "

static void test_every_fate(void **state) {
  (void)state;
  memscope_model m;
  char *text = run(&m, 0);
  check_text(text,
             "Leaks: 14 blocks, 576 bytes still live at exit, from 2 sites\n"
             "         bytes     blocks  kind           site\n"
             "           570         13  malloc         make() l.c:10:13  struct s  -> p\n"
             "  100 bytes in 1 block: " AT "last owner `p` went out of scope at l.c:40:3 (the "
             "`return` that left it) in other() without a free\n"
             "  90 bytes in 4 blocks: " AT "handed on: stored into `h->buf` at l.c:26:12 in "
             "store()\n"
             "  90 bytes in 1 block: " AT "last owner `it` went out of scope in loop() without a "
             "free\n"
             "  80 bytes in 1 block: " AT "no owner went out of scope (still referenced at exit)\n"
             "  60 bytes in 1 block: " AT "last owner `it` was overwritten at l.c:25:9 in loop() "
             "without a free\n"
             "  50 bytes in 1 block: " AT "last owner `it` went out of scope at l.c:30:1 (the end "
             "of its block) in loop() without a free\n"
             "  40 bytes in 1 block: " AT "last owner `it` went out of scope at l.c:22:7 (the "
             "`goto` that left it) in loop() without a free\n"
             "  30 bytes in 1 block: " AT "last owner `it` went out of scope at l.c:21:7 (the "
             "`continue` that left it) in loop() without a free\n"
             "  20 bytes in 1 block: " AT "last owner `it` went out of scope at l.c:20:7 (the "
             "`break` that left it) in loop() without a free\n"
             "  10 bytes in 1 block: " AT "returned to the caller at l.c:14:5 by make(), not freed "
             "after\n"
             "             6          1  realloc        grow() l.c:50:5  struct s  -> p\n"
             "  6 bytes in 1 block: allocated at l.c:50:5 as `struct s` into `p`; last owner `it` "
             "went out of scope at l.c:20:7 (the `break` that left it) in loop() without a free\n");
  assert_int_equal(m.scope_exits, 13);
  assert_int_equal(m.handoffs, 4);
  assert_int_equal(m.owner_unmatched, 1);
  free(text);
  memscope_model_free(&m);
}

static void test_fates_json(void **state) {
  (void)state;
  memscope_model m;
  char *text = run(&m, 1);
  /* the document holds the groups with their fates, in the order of the text */
  const char *g = strstr(text, "\"groups\":[{\"id\":1,\"kind\":\"malloc\",\"file\":\"l.c\",\"line\":10,"
                               "\"column\":13,\"function\":\"make\",\"type\":\"struct s\",\"var\":\"p\","
                               "\"bytes\":570,\"blocks\":13,\"fates\":[");
  assert_non_null(g);
  assert_non_null(strstr(text, "{\"kind\":\"dropped\",\"bytes\":100,\"blocks\":1,\"owner\":\"p\","
                               "\"exit\":{\"file\":\"l.c\",\"line\":40,\"column\":3,\"function\":"
                               "\"other\",\"how\":\"return\"},\"dest\":null}"));
  assert_non_null(strstr(text, "{\"kind\":\"dropped\",\"bytes\":90,\"blocks\":1,\"owner\":\"it\","
                               "\"exit\":{\"file\":\"\",\"line\":0,\"column\":0,\"function\":"
                               "\"loop\",\"how\":\"unknown\"},\"dest\":null}"));
  assert_non_null(strstr(text, "{\"kind\":\"handed\",\"bytes\":90,\"blocks\":4,\"owner\":null,"
                               "\"exit\":{\"file\":\"l.c\",\"line\":26,\"column\":12,\"function\":"
                               "\"store\",\"how\":\"handoff\"},\"dest\":\"h->buf\"}"));
  assert_non_null(strstr(text, "{\"kind\":\"held\",\"bytes\":80,\"blocks\":1,\"owner\":null,"
                               "\"exit\":null,\"dest\":null}"));
  assert_non_null(strstr(text, "{\"kind\":\"overwritten\",\"bytes\":60,\"blocks\":1,\"owner\":"
                               "\"it\",\"exit\":{\"file\":\"l.c\",\"line\":25,\"column\":9,"
                               "\"function\":\"loop\",\"how\":\"assign\"},\"dest\":null}"));
  assert_non_null(strstr(text, "{\"kind\":\"dropped\",\"bytes\":50,\"blocks\":1,\"owner\":\"it\","
                               "\"exit\":{\"file\":\"l.c\",\"line\":30,\"column\":1,\"function\":"
                               "\"loop\",\"how\":\"end\"},\"dest\":null}"));
  assert_non_null(strstr(text, "{\"kind\":\"returned\",\"bytes\":10,\"blocks\":1,\"owner\":\"p\","
                               "\"exit\":{\"file\":\"l.c\",\"line\":14,\"column\":5,\"function\":"
                               "\"make\",\"how\":\"return\"},\"dest\":null}]}"));
  assert_non_null(strstr(text, "\"view\":\"leaks\""));
  assert_non_null(strstr(text, "\"blocks\":14,\"bytes\":576,\"sites\":2,"));
  assert_int_equal(text[strlen(text) - 1], '\n');
  free(text);
  memscope_model_free(&m);
}

/* --top and --filter on the leaks view. */
static void test_leaks_top_filter(void **state) {
  (void)state;
  tb b;
  build(&b);
  memscope_model m;
  assert_int_equal(memscope_model_init(&m), 0);
  memscope_read_result res;
  memscope_read_mem(b.sb.data, b.sb.size, "t", memscope_model_callbacks(), &m, &res);
  memscope_model_finish(&m);
  tb_destroy(&b);
  memscope_view_opts o = {0};
  o.trace = "x";
  o.filter = "^gr";
  assert_int_equal(memscope_view_prepare("leaks", &o), 0);
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_leaks(f, &m, &res, &o), 0);
  fclose(f);
  check_text(text, "filter: sites whose file or function matches /^gr/\n"
                   "Leaks: 1 block, 6 bytes still live at exit, from 1 site\n"
                   "         bytes     blocks  kind           site\n"
                   "             6          1  realloc        grow() l.c:50:5  struct s  -> p\n"
                   "  6 bytes in 1 block: allocated at l.c:50:5 as `struct s` into `p`; last owner "
                   "`it` went out of scope at l.c:20:7 (the `break` that left it) in loop() without "
                   "a free\n");
  free(text);
  memscope_model_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_fate),
      cmocka_unit_test(test_fates_json),
      cmocka_unit_test(test_leaks_top_filter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
