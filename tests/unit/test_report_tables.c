/* test_report_tables.c: exact text and JSON of the sites, types, vars, threads, peak and timeline
   views, the JSON writer, the shared options, and sampled figures in the summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../report/trace_builder.h"
#include "json.h"
#include "views.h"

/* Two threads, three allocation sites; the peak (528 bytes) is at t=0 in thread 1. */
static void build(tb *b) {
  tb_init(b);
  tb_header(b, 1, 0, 5, "tables");
  tb_site(b, 1, 1, 0, "src/a.c", 10, 5, "alpha", "struct x", "struct x", "p", 32);
  tb_site(b, 2, 2, 2, "src/b.c", 20, 9, "beta", "int", "int", "t->v", 4);
  tb_site(b, 3, 5, 0, "src/a.c", 30, 7, "gamma", "char", "", "name", 0);
  tb_site(b, 4, 4, 0, "src/a.c", 40, 3, "alpha", "", "", "", 0);
  tb_thread(b, 1, 100, "main");
  tb_thread(b, 2, 101, "work\"er");
  tb_events_begin(b, 1, 0);
  for (uint64_t i = 0; i < 4; i++) tb_alloc(b, 1, 0x1000 + i * 64, 32);
  tb_alloc(b, 2, 0x5000, 400);
  tb_time(b, 2);
  for (uint64_t i = 0; i < 3; i++) tb_free(b, 4, 0x1000 + i * 64);
  tb_free(b, 4, 0x5000);
  tb_alloc(b, 3, 0x6000, 7);
  tb_events_end(b);
  tb_events_begin(b, 2, 3);
  tb_alloc(b, 2, 0x8000, 100);
  tb_time(b, 4);
  tb_alloc(b, 2, 0x8100, 60);
  tb_free(b, 4, 0x8000);
  tb_events_end(b);
  uint64_t v[12] = {0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 0, 10};
  tb_end(b, v, 0);
}

static memscope_model model;
static memscope_read_result result;

static char *view(const char *name, memscope_view_opts *o) {
  o->trace = "a.msgpack";
  assert_int_equal(memscope_view_prepare(name, o), 0);
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_run(name, f, &model, &result, o), 0);
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

static const char sites_text[] =
      "memscope sites: a.msgpack\n"
      "\n"
      "         bytes     count   live bytes     live   peak bytes       mean   p50 ms   p90 ms  kind           site\n"
      "           560         3           60        1          400      186.7        2        4  calloc         beta() src/b.c:20:9  int  -> t->v\n"
      "           128         4           32        1          128       32.0        2        2  malloc         alpha() src/a.c:10:5  struct x  -> p\n"
      "             7         1            7        1            0        7.0        -        -  strdup         gamma() src/a.c:30:7  char  -> name\n";

static const char types_text[] =
      "memscope types: a.msgpack\n"
      "\n"
      "         bytes     count   live bytes     live   peak bytes       mean  sites  type\n"
      "           560         3           60        1          400      186.7      1  int\n"
      "           128         4           32        1          128       32.0      1  struct x\n"
      "             7         1            7        1            0        7.0      1  char\n";

static const char vars_text[] =
      "memscope vars: a.msgpack\n"
      "\n"
      "         bytes     count   live bytes     live   peak bytes       mean  sites  variable\n"
      "           560         3           60        1          400      186.7      1  t->v\n"
      "           128         4           32        1          128       32.0      1  p in alpha()\n"
      "             7         1            7        1            0        7.0      1  name in gamma()\n";

static const char threads_text[] =
      "memscope threads: a.msgpack\n"
      "\n"
      "         bytes     count   live bytes     live   peak bytes       mean     frees    events  thread\n"
      "           535         6           39        2          528       89.2         4        10  1 \"main\" (tid 100)\n"
      "           160         2           60        1            0       80.0         1         3  2 \"work\\\"er\" (tid 101)\n";

static const char peak_text[] =
      "memscope peak: a.msgpack\n"
      "Peak live: 528 bytes in 5 blocks at 0 ms\n"
      "\n"
      "Live at the peak by site\n"
      "         bytes    blocks   share  kind           site\n"
      "           400         1   75.8%  calloc         beta() src/b.c:20:9  int  -> t->v\n"
      "           128         4   24.2%  malloc         alpha() src/a.c:10:5  struct x  -> p\n"
      "\n"
      "Live at the peak by type\n"
      "         bytes    blocks   share  type\n"
      "           400         1   75.8%  int\n"
      "           128         4   24.2%  struct x\n";

static const char timeline_text[] =
      "memscope timeline: a.msgpack\n"
      "Live bytes from 0 to 8 ms, 8 columns of about 1 ms; peak 528 B at 0 ms\n"
      "\n"
      "     528 B |███     \n"
      "     396 B |███     \n"
      "     264 B |███▁▁▁▁▅\n"
      "     132 B |████████\n"
      "       0 B +--------\n"
      "            0 ms 8 ms\n";

static void test_text_views(void **state) {
  (void)state;
  static const char *names[] = {"sites", "types", "vars", "threads", "peak", "timeline"};
  const char *want[] = {sites_text, types_text, vars_text, threads_text, peak_text, timeline_text};
  for (int i = 0; i < 6; i++) {
    memscope_view_opts o = {0};
    char *text = view(names[i], &o);
    check_text(text, want[i]);
    free(text);
  }
}

static void test_sort_filter_top(void **state) {
  (void)state;
  memscope_view_opts o = {0};
  o.sort = MEMSCOPE_SORT_MEAN;
  o.filter = "gam|^alp";
  char *text = view("sites", &o);
  check_text(text,
             "memscope sites: a.msgpack\n"
             "filter: sites whose file or function matches /gam|^alp/\n"
             "\n"
             "         bytes     count   live bytes     live   peak bytes       mean   p50 ms   p90 ms  kind           site\n"
             "           128         4           32        1          128       32.0        2        2  malloc         alpha() src/a.c:10:5  struct x  -> p\n"
             "             7         1            7        1            0        7.0        -        -  strdup         gamma() src/a.c:30:7  char  -> name\n");
  free(text);
  memscope_view_opts o2 = {0};
  o2.sort = MEMSCOPE_SORT_COUNT;
  o2.top = 1;
  text = view("vars", &o2);
  assert_non_null(strstr(text, "           128         4           32        1          128       32.0      1  p in alpha()\n  ... 2 more variables\n"));
  free(text);
  memscope_view_opts o3 = {0};
  o3.filter = "^work";
  text = view("threads", &o3);
  assert_non_null(strstr(text, "\"work\\\"er\" (tid 101)\n"));
  assert_null(strstr(text, "main"));
  free(text);
}

static void test_json_views(void **state) {
  (void)state;
  memscope_view_opts o = {0};
  o.json = 1;
  o.top = 1;
  char *text = view("sites", &o);
  assert_string_equal(text,
      "{\"view\":\"sites\",\"trace\":\"a.msgpack\",\"complete\":true,\"estimated\":false,"
      "\"sample\":\"all\",\"at\":null,\"filter\":null,\"sort\":\"bytes\",\"total_rows\":3,\"rows\":[{\"id\":2,"
      "\"kind\":\"calloc\",\"file\":\"src/b.c\",\"line\":20,\"column\":9,\"function\":\"beta\","
      "\"type\":\"int\",\"var\":\"t->v\",\"bytes\":560,\"count\":3,\"live_bytes\":60,\"live\":1,"
      "\"peak_bytes\":400,\"peak\":1,\"mean\":186.667,\"max_size\":400,\"freed\":2,\"p50_ms\":2,"
      "\"p90_ms\":4}]}\n");
  free(text);
  memscope_view_opts o2 = {0};
  o2.json = 1;
  o2.sort = MEMSCOPE_SORT_COUNT;
  text = view("types", &o2);
  assert_non_null(strstr(text, "\"rows\":[{\"type\":\"struct x\",\"bytes\":128,\"count\":4,"
                               "\"live_bytes\":32,\"live\":1,\"peak_bytes\":128,\"peak\":4,"
                               "\"mean\":32,\"sites\":1},{\"type\":\"int\""));
  free(text);
  memscope_view_opts o3 = {0};
  o3.json = 1;
  text = view("peak", &o3);
  assert_non_null(strstr(text, "\"peak_bytes\":528,\"peak_blocks\":5,\"t_ms\":0,\"exact\":false,"
                               "\"timeline_peak_bytes\":528,\"timeline_peak_t_ms\":0,"
                               "\"total_sites\":2,"));
  assert_non_null(strstr(text, "\"types\":[{\"type\":\"int\",\"bytes\":400,\"blocks\":1,"
                               "\"share\":75.7576},{\"type\":\"struct x\",\"bytes\":128,"
                               "\"blocks\":4,\"share\":24.2424}]}\n"));
  free(text);
  memscope_view_opts o4 = {0};
  o4.json = 1;
  o4.width = 8;
  text = view("timeline", &o4);
  assert_non_null(strstr(text, "\"bucket_ms\":1,\"end_ms\":8,\"peak_bytes\":528,\"peak_t_ms\":0,"
                               "\"columns\":[{\"t_ms\":0,\"t_end_ms\":1,\"max_bytes\":528,"
                               "\"end_bytes\":528},"));
  assert_non_null(strstr(text, "{\"t_ms\":2,\"t_end_ms\":3,\"max_bytes\":528,\"end_bytes\":39},"));
  assert_non_null(strstr(text, "{\"t_ms\":7,\"t_end_ms\":8,\"max_bytes\":199,\"end_bytes\":99}]}\n"));
  free(text);
  memscope_view_opts o5 = {0};
  o5.json = 1;
  text = view("summary", &o5);
  assert_non_null(strstr(text, "\"allocs\":8,\"alloc_bytes\":695,\"reallocs\":0,\"frees\":5,"
                               "\"freed_bytes\":596,\"realloc_releases\":0,\"peak_bytes\":528,"
                               "\"peak_t_ms\":0,\"live_blocks\":3,\"live_bytes\":99,"
                               "\"alloc_rate_per_s\":800,\"alloc_bytes_per_s\":69500,"));
  assert_non_null(strstr(text, "\"leaks\":[{\"id\":2,"));
  free(text);
}

/* The JSON writer: escapes, UTF-8 repair, numbers and nesting. */
static void test_json_writer(void **state) {
  (void)state;
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  memscope_json j;
  memscope_json_init(&j, f);
  memscope_json_object(&j);
  memscope_json_kstr(&j, "s", "q\"b\\n\n\t\r\b\f\x01\x7f/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  memscope_json_key(&j, "bad");
  memscope_json_strn(&j, "a\xff" "b\xc3" "\xe0\x80\x80" "\xed\xa0\x80", 10);
  memscope_json_key(&j, "nul");
  memscope_json_strn(&j, "x\0y", 3);
  memscope_json_kuint(&j, "u", UINT64_MAX);
  memscope_json_kint(&j, "i", INT64_MIN);
  memscope_json_kdouble(&j, "d", 0.1);
  memscope_json_kdouble(&j, "w", 3.0);
  memscope_json_kdouble(&j, "nan", 0.0 / 0.0);
  memscope_json_key(&j, "a");
  memscope_json_array(&j);
  memscope_json_bool(&j, 1);
  memscope_json_null(&j);
  memscope_json_array(&j);
  memscope_json_end_array(&j);
  memscope_json_object(&j);
  memscope_json_end_object(&j);
  memscope_json_end_array(&j);
  memscope_json_end_object(&j);
  assert_int_equal(memscope_json_finish(&j), 0);
  fclose(f);
  assert_string_equal(text,
                      "{\"s\":\"q\\\"b\\\\n\\n\\t\\r\\b\\f\\u0001\\u007f/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
                      "\"bad\":\"a\\ufffdb\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\","
                      "\"nul\":\"x\\u0000y\",\"u\":18446744073709551615,"
                      "\"i\":-9223372036854775808,\"d\":0.1,\"w\":3,\"nan\":null,"
                      "\"a\":[true,null,[],{}]}\n");
  free(text);
  /* unbalanced documents are reported */
  f = open_memstream(&text, &n);
  memscope_json_init(&j, f);
  memscope_json_object(&j);
  memscope_json_key(&j, "k");
  assert_int_equal(memscope_json_finish(&j), -1);
  fclose(f);
  free(text);
}

/* Options shared by the views: parsing and where they apply. */
static void test_options(void **state) {
  (void)state;
  char *argv[] = {"x", "--sort", "live", "--sort=mean", "--filter=^a", "--width", "12", "--json",
                  "--sort", "size", "--width=3", "--frob", "--filter=(", NULL};
  int argc = 13, i = 1;
  memscope_view_opts o = {0};
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 1);
  assert_int_equal(i, 2);
  assert_int_equal(o.sort, MEMSCOPE_SORT_LIVE);
  i = 3;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 1);
  assert_int_equal(o.sort, MEMSCOPE_SORT_MEAN);
  i = 4;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 1);
  assert_string_equal(o.filter, "^a");
  i = 5;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 1);
  assert_int_equal(o.width, 12);
  i = 7;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 1);
  assert_int_equal(o.json, 1);
  i = 8;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), -1);
  i = 10;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), -1);
  i = 11;
  assert_int_equal(memscope_view_option(argc, argv, &i, &o), 0);
  memscope_view_opts p = {0};
  i = 12;
  assert_int_equal(memscope_view_option(argc, argv, &i, &p), 1);
  assert_int_equal(memscope_view_prepare("sites", &p), -1); /* bad regex */
  memscope_view_opts q = {0};
  q.width = 20;
  assert_int_equal(memscope_view_prepare("sites", &q), -1);
  assert_int_equal(memscope_view_prepare("timeline", &q), 0);
  q.sort = MEMSCOPE_SORT_COUNT;
  assert_int_equal(memscope_view_prepare("timeline", &q), -1);
  memscope_view_opts r = {0};
  r.json = 1;
  assert_int_equal(memscope_view_prepare("dump", &r), 0);
  assert_int_equal(memscope_view_prepare("folded", &r), -1);
}

/* A sampled trace: figures marked ~, the sampling note and the confidence line. */
static void test_sampled_summary(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  b.sample = "bytes:524288";
  tb_header(&b, 1, 0, 5, "sampled");
  tb_site(&b, 1, 1, 0, "s.c", 3, 9, "main", "char", "", "p", 0);
  tb_events_begin(&b, 1, 0);
  for (uint64_t i = 0; i < 4; i++) tb_sampled(&b, 1, 0x1000 + i * 4096, 1000, 2.0f);
  tb_events_end(&b);
  tb_sampling(&b, 1, 262144);
  tb_sampling(&b, 2, 1048576);
  uint64_t v[12] = {0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 4};
  tb_end(&b, v, 0);
  memscope_model m;
  memscope_read_result res;
  assert_int_equal(memscope_model_init(&m), 0);
  assert_int_equal(memscope_read_mem(b.sb.data, b.sb.size, "s", memscope_model_callbacks(), &m, &res), 0);
  memscope_model_finish(&m);
  tb_destroy(&b);
  memscope_view_opts o = {0};
  o.trace = "s.msgpack";
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_summary(f, &m, &res, &o), 0);
  fclose(f);
  assert_non_null(strstr(text, "allocations  ~8 blocks, ~8000 bytes (7.8 KiB)\n"));
  assert_non_null(strstr(text, "live at exit ~8 blocks, ~8000 bytes (7.8 KiB)\n"));
  assert_non_null(strstr(text, "alloc rate   ~2000 allocs/s, ~1.9 MiB/s\n"));
  assert_non_null(strstr(text, "sampling     mean changed 2 times: 262144 bytes at 1 ms, 1048576 bytes at 2 ms\n"
                               "note: figures marked ~ are estimates (estimated, sampled: bytes:524288)\n"
                               "confidence: 4 sampled blocks stand for ~8; a figure built from k "
                               "samples is within about 2/sqrt(k) (95%): +-100.0% for the totals\n"));
  assert_null(strstr(text, "note: the runtime counted"));
  free(text);
  f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_leaks(f, &m, &res, &o), 0);
  fclose(f);
  assert_non_null(strstr(text, "Leaks: ~8 blocks, ~8000 bytes (7.8 KiB) still live at exit, from 1 site\n"));
  assert_non_null(strstr(text, "  ~8000 bytes in ~8 blocks: allocated at s.c:3:9 as `char` into `p`; "));
  free(text);
  memscope_model_free(&m);
}

static int setup(void **state) {
  (void)state;
  tb b;
  build(&b);
  if (memscope_model_init(&model)) return -1;
  int rc = memscope_read_mem(b.sb.data, b.sb.size, "a", memscope_model_callbacks(), &model, &result);
  memscope_model_finish(&model);
  tb_destroy(&b);
  return rc;
}

static int teardown(void **state) {
  (void)state;
  memscope_model_free(&model);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_views),
      cmocka_unit_test(test_sort_filter_top),
      cmocka_unit_test(test_json_views),
      cmocka_unit_test(test_json_writer),
      cmocka_unit_test(test_options),
      cmocka_unit_test(test_sampled_summary),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
