/* test_report_views.c: exact text of the dump, summary and leaks views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/trace_builder.h"
#include "views.h"

static char path[] = "/tmp/memscope-views-XXXXXX";

static void save(const tb *b, size_t len) {
  assert_int_equal(tb_write(b, path, len), 0);
}

/* A small complete trace: two threads, strings that need escapes, every event op. */
static size_t build(tb *b) {
  tb_init(b);
  tb_header(b, 1, 0, 4242, "de\"mo");
  tb_site(b, 3, 1, 0x1, "tests/plugin/x.c", 12, 5, "main", "struct node", "struct node", "p", 16);
  tb_site(b, 4, 4, 0, "tests/plugin/x.c", 20, 3, "main", "", "", "", 0);
  tb_site(b, 5, 3, 0x12, "tests/plugin/x.c", 30, 9, "grow", "char", "char", "h->buf", 1);
  tb_site(b, 6, 12, 0, "tests/plugin/x.c", 11, 17, "main", "struct node", "", "q", 0);
  tb_site(b, 7, 13, 0x1000, "tests/plugin/x.c", 40, 1, "main", "", "", "", 0);
  tb_site(b, 8, 99, 0, "a\\b\n\tc\x01.c", 1, 0, "", "", "", "", 0);
  tb_thread(b, 1, 4242, "demo");
  tb_events_begin(b, 1, 0);
  tb_alloc(b, 3, 0x5581a0, 16);
  tb_free(b, 4, 0x5581a0);
  tb_time(b, 1);
  tb_alloc(b, 3, 0x5581a0, 16);
  tb_realloc(b, 5, 0x5581a0, 0x5582b0, 32);
  tb_scope_exit(b, 6, 0x5582b0, 7);
  tb_alloc(b, 8, 0xffffffffffff0000ull, 1);
  tb_events_end(b);
  tb_thread(b, 2, 4243, "");
  tb_events_begin(b, 2, 4);
  tb_alloc(b, 3, 0x10, 100);
  tb_time(b, 1);
  tb_alloc(b, 3, 0x20, 50);
  tb_events_end(b);
  tb_message(b, 5, "disk \"full\"\n");
  size_t written = tb_size(b);
  uint64_t v[12] = {9, 9, 0, 2, written, 65536, 2, 5, 1, 215, 183, 6};
  tb_end(b, v, -1);
  return written;
}

static const char dump_text[] =
    "header version=1.0 pid=4242 program=\"de\\\"mo\"\n"
    "site id=3 kind=malloc flags=0x1 file=\"tests/plugin/x.c\" line=12 col=5 func=\"main\" "
    "type=\"struct node\" sizeof=\"struct node\" elem=16 var=\"p\"\n"
    "site id=4 kind=free flags=0x0 file=\"tests/plugin/x.c\" line=20 col=3 func=\"main\" type=\"\" "
    "sizeof=\"\" elem=0 var=\"\"\n"
    "site id=5 kind=realloc flags=0x12 file=\"tests/plugin/x.c\" line=30 col=9 func=\"grow\" "
    "type=\"char\" sizeof=\"char\" elem=1 var=\"h->buf\"\n"
    "site id=6 kind=variable flags=0x0 file=\"tests/plugin/x.c\" line=11 col=17 func=\"main\" "
    "type=\"struct node\" sizeof=\"\" elem=0 var=\"q\"\n"
    "site id=7 kind=exit flags=0x1000 file=\"tests/plugin/x.c\" line=40 col=1 func=\"main\" "
    "type=\"\" sizeof=\"\" elem=0 var=\"\"\n"
    "site id=8 kind=99 flags=0x0 file=\"a\\\\b\\n\\tc\\x01.c\" line=1 col=0 func=\"\" type=\"\" "
    "sizeof=\"\" elem=0 var=\"\"\n"
    "thread id=1 tid=4242 name=\"demo\"\n"
    "alloc t=0 thread=1 site=3 ptr=0x5581a0 size=16\n"
    "free t=0 thread=1 site=4 ptr=0x5581a0\n"
    "alloc t=1 thread=1 site=3 ptr=0x5581a0 size=16\n"
    "realloc t=1 thread=1 site=5 old=0x5581a0 ptr=0x5582b0 size=32\n"
    "scope_exit t=1 thread=1 site=6 ptr=0x5582b0 exit=7\n"
    "alloc t=1 thread=1 site=8 ptr=0xffffffffffff0000 size=1\n"
    "thread id=2 tid=4243 name=\"\"\n"
    "alloc t=4 thread=2 site=3 ptr=0x10 size=100\n"
    "alloc t=5 thread=2 site=3 ptr=0x20 size=50\n"
    "message t=5 text=\"disk \\\"full\\\"\\n\"\n"
    "end events_seen=9 events_recorded=9 events_dropped=0 buffers_flushed=2 bytes_written=%zu "
    "runtime_bytes=65536 threads=2 alloc_count=5 free_count=1 alloc_bytes=215 peak_bytes=183 "
    "duration_ms=6 error=-1\n";

/* Compares texts and shows where they part on failure. */
static void check_text(const char *got, const char *want) {
  size_t i = 0;
  while (got[i] && got[i] == want[i]) i++;
  if (got[i] || want[i])
    fail_msg("texts differ at %zu:\n--- got:\n%s\n--- want:\n%s", i, got + (i > 40 ? i - 40 : 0),
             want + (i > 40 ? i - 40 : 0));
}

static char *run_dump(size_t len, memscope_read_result *res) {
  tb b;
  build(&b);
  save(&b, len);
  tb_destroy(&b);
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(memscope_view_dump(f, path, res), 0);
  fclose(f);
  return text;
}

static void test_dump_exact(void **state) {
  (void)state;
  tb b;
  size_t written = build(&b);
  tb_destroy(&b);
  memscope_read_result res;
  char *text = run_dump(SIZE_MAX, &res);
  assert_int_equal(res.status, 0);
  assert_int_equal(res.complete, 1);
  char expect[4096];
  snprintf(expect, sizeof expect, dump_text, written);
  assert_string_equal(text, expect);
  free(text);
}

/* A truncated trace dumps every complete line before the cut. */
static void test_dump_truncated(void **state) {
  (void)state;
  tb b;
  build(&b);
  tb_destroy(&b);
  memscope_read_result res;
  char *full = run_dump(SIZE_MAX, &res);
  /* cut inside thread 2's EVENTS record, after its first event */
  const char *cut_at = strstr(full, "alloc t=5");
  size_t keep = (size_t)(cut_at - full);
  tb_init(&b);
  build(&b);
  size_t size = b.sb.size;
  tb_destroy(&b);
  char *text = NULL;
  for (size_t len = 1; len < size; len++) {
    free(text);
    text = run_dump(len, &res);
    assert_int_not_equal(res.status, 0);
    if (strlen(text) == keep) break;
  }
  assert_memory_equal(text, full, keep);
  assert_int_equal(res.status, MEMSCOPE_READ_ETRUNC);
  assert_non_null(strstr(res.error, "record 11 (EVENTS, starting at byte"));
  free(text);
  free(full);
}

static char *run_view(int leaks, unsigned top, memscope_model *m, memscope_read_result *res) {
  tb b;
  build(&b);
  save(&b, SIZE_MAX);
  tb_destroy(&b);
  assert_int_equal(memscope_model_init(m), 0);
  memscope_read_file(path, 0, memscope_model_callbacks(), m, res);
  memscope_model_finish(m);
  memscope_view_opts o = {"x.msgpack", top, 0};
  char *text;
  size_t n;
  FILE *f = open_memstream(&text, &n);
  assert_int_equal(leaks ? memscope_view_leaks(f, m, res, &o) : memscope_view_summary(f, m, res, &o),
                   0);
  fclose(f);
  return text;
}

static void test_summary_exact(void **state) {
  (void)state;
  memscope_model m;
  memscope_read_result res;
  char *text = run_view(0, 2, &m, &res);
  const char *expect =
      "memscope report: x.msgpack (trace format 1.0)\n"
      "program      de\"mo (pid 4242)\n"
      "duration     6 ms\n"
      "threads      2\n"
      "allocations  6 blocks, 215 bytes, 1 by realloc\n"
      "frees        1 block, 16 bytes; 1 more released by realloc\n"
      "peak live    183 bytes at 5 ms\n"
      "live at exit 4 blocks, 183 bytes\n"
      "alloc rate   1000 allocs/s, 35.0 KiB/s\n"
      "\n"
      "Top sites by bytes allocated\n"
      "         bytes     blocks  kind           site\n"
      "           182          4  malloc         main() tests/plugin/x.c:12:5  struct node  -> p\n"
      "            32          1  realloc        grow() tests/plugin/x.c:30:9  char  -> h->buf\n"
      "  ... 1 more site\n"
      "\n"
      "Top sites by allocation count\n"
      "         bytes     blocks  kind           site\n"
      "           182          4  malloc         main() tests/plugin/x.c:12:5  struct node  -> p\n"
      "            32          1  realloc        grow() tests/plugin/x.c:30:9  char  -> h->buf\n"
      "  ... 1 more site\n"
      "\n"
      "Top types by bytes allocated\n"
      "         bytes     blocks   live bytes  type\n"
      "           182          4          150  struct node\n"
      "            32          1           32  char\n"
      "  ... 1 more type\n"
      "\n"
      "Leaks: 4 blocks, 183 bytes still live at exit, from 3 sites\n"
      "         bytes     blocks  kind           site\n"
      "           150          2  malloc         main() tests/plugin/x.c:12:5  struct node  -> p\n"
      "            32          1  realloc        grow() tests/plugin/x.c:30:9  char  -> h->buf\n"
      "  ... 1 more site\n"
      "  (memscope-report leaks TRACE lists them all)\n"
      "\n"
      "Runtime messages\n"
      "  at 5 ms: \"disk \\\"full\\\"\\n\"\n"
      "\n"
      "Runtime: 9 events seen, 9 recorded, 0 dropped; 2 buffers flushed; %llu bytes written "
      "(%.1f bytes/event); runtime memory 64.0 KiB\n"
      "Runtime error: tracing stopped with code -1\n"
      "note: the runtime counted 5 allocations and 1 frees (realloc included), this report 6 "
      "and 2\n";
  uint64_t written;
  assert_int_equal(memscope_model_end_get(&m, "bytes_written", &written), 1);
  char full[4096];
  snprintf(full, sizeof full, expect, (unsigned long long)written, (double)written / 9.0);
  check_text(text, full);
  assert_int_equal(m.peak_bytes, 183);
  free(text);
  memscope_model_free(&m);
}

static void test_leaks_exact(void **state) {
  (void)state;
  memscope_model m;
  memscope_read_result res;
  char *text = run_view(1, 0, &m, &res);
  assert_string_equal(
      text,
      "Leaks: 4 blocks, 183 bytes still live at exit, from 3 sites\n"
      "         bytes     blocks  kind           site\n"
      "           150          2  malloc         main() tests/plugin/x.c:12:5  struct node  -> p\n"
      "  150 bytes in 2 blocks: allocated at tests/plugin/x.c:12:5 as `struct node` into `p`; no "
      "owner went out of scope (still referenced at exit)\n"
      "            32          1  realloc        grow() tests/plugin/x.c:30:9  char  -> h->buf\n"
      "  32 bytes in 1 block: allocated at tests/plugin/x.c:30:9 as `char` into `h->buf`; last "
      "owner `q` went out of scope at tests/plugin/x.c:40:1 (the end of its block) in main() "
      "without a free\n"
      "             1          1  kind 99        (file scope) a\\b??c?.c:1\n"
      "  1 bytes in 1 block: allocated at a\\b??c?.c:1; no owner went out of scope (still "
      "referenced at exit)\n");
  free(text);
  memscope_model_free(&m);
}

static void test_format_helpers(void **state) {
  (void)state;
  char buf[64];
  memscope_format_bytes(buf, sizeof buf, 1023);
  assert_string_equal(buf, "1023 B");
  memscope_format_bytes(buf, sizeof buf, 1536);
  assert_string_equal(buf, "1.5 KiB");
  memscope_format_bytes(buf, sizeof buf, 5ull << 30);
  assert_string_equal(buf, "5.0 GiB");
  memscope_msite s;
  memset(&s, 0, sizeof s);
  s.id = 9;
  memscope_format_site(buf, sizeof buf, &s);
  assert_string_equal(buf, "site 9 (not described in the trace)");
  s.defined = 1;
  s.function = "make_node", s.file = "tests/x.c", s.type_name = "struct node", s.var_name = "n";
  s.line = 12, s.column = 15;
  memscope_format_site(buf, sizeof buf, &s);
  assert_string_equal(buf, "make_node() tests/x.c:12:15  struct node  -> n");
  char small[16];
  memscope_format_site(small, sizeof small, &s);
  assert_string_equal(small, "make_node() tes");
}

static int setup(void **state) {
  (void)state;
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dump_exact),
      cmocka_unit_test(test_dump_truncated),
      cmocka_unit_test(test_summary_exact),
      cmocka_unit_test(test_leaks_exact),
      cmocka_unit_test(test_format_helpers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
