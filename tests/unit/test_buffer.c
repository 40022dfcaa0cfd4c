/* test_buffer.c: per-thread buffers: recording, flushing, re-entrancy guard, wrappers, stop/start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "options.h"

static const memscope_site S = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 1, 1, "t.c", "f",
                                "char", "", "p", 0};
static const memscope_site F = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 2, 1, "t.c", "f", "",
                                "", "p", 0};
static const memscope_site W = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_CUSTOM_ALLOC,
                                MEMSCOPE_SITE_WRAPPER, 3, 1, "t.c", "f", "char", "", "q", 0};

static uint32_t count(void) { return mem_load_relaxed(&_memscope_tb.count); }
static const _memscope_rec_t *last(void) { return &_memscope_tb.recs[count() - 1]; }

static int setup(void **state) {
  (void)state;
  _memscope_options.stats = true; /* the block figures below come from the live-block table */
  memscope_start();
  return memscope_flush();
}

static void test_event_lands_in_buffer(void **state) {
  (void)state;
  void *p = memscope_malloc(40, &S);
  assert_non_null(p);
  assert_true(count() >= 1);
  assert_int_equal(last()->ptr, (uintptr_t)p);
  assert_ptr_equal(last()->site, &S);
  assert_int_equal(_memscope_rec_size(last()), 40);
  assert_int_equal(_memscope_rec_op(last()), MEMSCOPE_OP_ALLOC);
  memscope_free(p, &F);
  assert_int_equal(_memscope_rec_op(last()), MEMSCOPE_OP_FREE);
}

static void test_flush_updates_stats(void **state) {
  (void)state;
  memscope_stats before, after;
  assert_int_equal(memscope_get_stats(&before), 0);
  void *p = memscope_malloc(1000, &S);
  assert_true(count() >= 1);
  assert_int_equal(memscope_get_stats(&after), 0);
  assert_int_equal(count(), 0);
  assert_int_equal(after.current_bytes - before.current_bytes, 1000);
  assert_int_equal(after.alloc_count - before.alloc_count, 1);
  assert_true(after.buffers_flushed > before.buffers_flushed);
  memscope_free(p, &F);
  assert_int_equal(memscope_get_stats(&after), 0);
  assert_int_equal(after.current_bytes, before.current_bytes);
  assert_int_equal(after.events_seen, after.events_recorded);
  assert_int_equal(after.events_dropped, 0);
}

/* Without MEMSCOPE_STATS the block figures stay still while the self-accounting counts on. */
static void test_stats_off_keeps_counting_events(void **state) {
  (void)state;
  _memscope_options.stats = false;
  memscope_stats before, after;
  assert_int_equal(memscope_get_stats(&before), 0);
  memscope_free(memscope_malloc(1000, &S), &F);
  assert_int_equal(memscope_get_stats(&after), 0);
  _memscope_options.stats = true;
  assert_int_equal(after.alloc_count, before.alloc_count);
  assert_int_equal(after.alloc_bytes, before.alloc_bytes);
  assert_int_equal(after.events_recorded - before.events_recorded, 2);
  assert_true(after.buffers_flushed > before.buffers_flushed);
}

static void test_reentrant_calls_not_recorded(void **state) {
  (void)state;
  void *warm = memscope_malloc(1, &S);
  uint32_t n = count();
  _memscope_tb.in_runtime = 1;
  _memscope_tb.limit = 0;
  void *p = memscope_malloc(8, &S);
  assert_int_equal(count(), n);
  _memscope_tb.in_runtime = 0;
  _memscope_buffer_refresh_limit(&_memscope_tb);
  memscope_free(p, &F);
  memscope_free(warm, &F);
}

static void test_full_buffer_flushes_itself(void **state) {
  (void)state;
  memscope_stats before, after;
  memscope_get_stats(&before);
  uint32_t cap = _memscope_tb.cap;
  for (uint32_t i = 0; i < cap * 3; i++) memscope_free(memscope_malloc(16, &S), &F);
  assert_true(count() <= cap);
  memscope_get_stats(&after);
  assert_int_equal(after.alloc_count - before.alloc_count, cap * 3);
  assert_int_equal(after.free_count - before.free_count, cap * 3);
  assert_true(after.buffers_flushed - before.buffers_flushed >= 6);
}

/* A block made inside a wrapper is named by the wrapper and recorded once. */
static void test_wrapper_names_block_once(void **state) {
  (void)state;
  const memscope_site *tok = memscope_wrap_enter(&W);
  assert_null(tok);
  assert_int_equal(_memscope_tb.limit, 0);
  const memscope_site *inner = memscope_wrap_enter(&S); /* nested: the outer wins */
  assert_ptr_equal(inner, &W);
  void *p = memscope_malloc(24, &S);
  uint32_t n = count();
  assert_ptr_equal(last()->site, &W);
  memscope_wrap_leave(inner);
  memscope_wrap_result(p, 24, &W);
  assert_int_equal(count(), n);
  memscope_wrap_leave(tok);
  assert_int_equal(_memscope_tb.limit, _memscope_tb.cap);
  memscope_free(p, &F);
  assert_ptr_equal(last()->site, &F);
}

/* A wrapper compiled without the plugin: the result is recorded at the call site. */
static void test_wrapper_result_records_untracked(void **state) {
  (void)state;
  const memscope_site *tok = memscope_wrap_enter(&W);
  void *p = malloc(32); /* not tracked */
  uint32_t n = count();
  memscope_wrap_result(p, 32, &W);
  assert_int_equal(count(), n + 1);
  assert_ptr_equal(last()->site, &W);
  memscope_wrap_leave(tok);
  memscope_free(p, &F);
}

/* A free wrapper whose real free is tracked: one FREE, named by the wrapper. */
static void test_free_wrapper_counts_once(void **state) {
  (void)state;
  void *p = memscope_malloc(8, &S);
  const memscope_site *tok = memscope_wrap_enter(&F);
  uint32_t n = count();
  memscope_free(p, &S); /* the real free inside the wrapper */
  assert_int_equal(count(), n + 1);
  assert_ptr_equal(last()->site, &F);
  memscope_wrap_free(p, &F);
  assert_int_equal(count(), n + 1);
  memscope_wrap_leave(tok);
}

/* A wrapper that hands out p + 8 from a real block at p (a size header, as SQLite does): the
   real pointers are recorded, the wrapper's are not, so alloc and free still pair up. */
static void test_wrapper_with_header_counts_once(void **state) {
  (void)state;
  const memscope_site *tok = memscope_wrap_enter(&W);
  char *real = memscope_malloc(40, &S);
  memscope_wrap_result(real + 8, 32, &W);
  memscope_wrap_leave(tok);
  uint32_t n = count();
  assert_int_equal(last()->ptr, (uintptr_t)real);
  assert_ptr_equal(last()->site, &W);
  tok = memscope_wrap_enter(&F);
  memscope_free(real, &S);
  memscope_wrap_free(real + 8, &F);
  memscope_wrap_leave(tok);
  assert_int_equal(count(), n + 1);
  assert_int_equal(last()->ptr, (uintptr_t)real);
}

/* A free wrapper returning the block to a pool (no real free): recorded at the call site. */
static void test_free_wrapper_pool(void **state) {
  (void)state;
  static char pool[64];
  const memscope_site *tok = memscope_wrap_enter(&F);
  memscope_wrap_free(pool, &F);
  memscope_wrap_leave(tok);
  assert_int_equal(_memscope_rec_op(last()), MEMSCOPE_OP_FREE);
  assert_int_equal(last()->ptr, (uintptr_t)pool);
}

static void test_stop_and_start(void **state) {
  (void)state;
  memscope_stop();
  assert_false(memscope_enabled());
  uint32_t n = count();
  void *p = memscope_malloc(8, &S);
  assert_int_equal(count(), n);
  memscope_start();
  assert_true(memscope_enabled());
  memscope_free(p, &F);
  assert_int_equal(count(), n + 1);
}

static void test_errno_preserved(void **state) {
  (void)state;
  uint32_t cap = _memscope_tb.cap;
  for (uint32_t i = 0; i < cap + 5; i++) {
    errno = 1234;
    void *p = memscope_malloc(16, &S);
    assert_int_equal(errno, 1234);
    memscope_free(p, &F);
  }
}

/* A scope exit is recorded unless the thread just freed or handed on that block; an address
   that malloc hands out again is a new block whose owner's exit counts. */
static void test_scope_exit_skips(void **state) {
  (void)state;
  static const memscope_site V = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_VARIABLE, 0, 5, 9, "t.c", "f",
                                  "char", "", "p", 0};
  static const memscope_site H = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_HANDOFF, MEMSCOPE_SITE_FIELD,
                                  6, 3, "t.c", "f", "", "", "h->buf", 0};
  void *p = memscope_malloc(8, &S);
  memscope_free(p, &F);
  uint32_t n = count();
  memscope_scope_exit(p, &V);
  assert_int_equal(count(), n); /* freed: nothing to say */
  void *q = memscope_malloc(8, &S); /* most likely the same address again */
  n = count();
  memscope_scope_exit(q, &V);
  assert_int_equal(count(), n + 1);
  assert_int_equal(_memscope_rec_op(last()), MEMSCOPE_OP_SCOPE_EXIT);
  memscope_handoff(q, &H);
  n = count();
  memscope_scope_exit(q, &V);
  assert_int_equal(count(), n); /* handed on: its new owner decides */
  memscope_free(q, &F);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_event_lands_in_buffer, setup),
      cmocka_unit_test_setup(test_flush_updates_stats, setup),
      cmocka_unit_test_setup(test_stats_off_keeps_counting_events, setup),
      cmocka_unit_test_setup(test_reentrant_calls_not_recorded, setup),
      cmocka_unit_test_setup(test_full_buffer_flushes_itself, setup),
      cmocka_unit_test_setup(test_wrapper_names_block_once, setup),
      cmocka_unit_test_setup(test_wrapper_result_records_untracked, setup),
      cmocka_unit_test_setup(test_free_wrapper_counts_once, setup),
      cmocka_unit_test_setup(test_wrapper_with_header_counts_once, setup),
      cmocka_unit_test_setup(test_free_wrapper_pool, setup),
      cmocka_unit_test_setup(test_stop_and_start, setup),
      cmocka_unit_test_setup(test_errno_preserved, setup),
      cmocka_unit_test_setup(test_scope_exit_skips, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
