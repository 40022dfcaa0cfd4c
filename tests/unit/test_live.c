/* test_live.c: the writer's live-block table and the statistics it yields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "encode.h"

static int setup(void **state) {
  *state = calloc(1, sizeof(_memscope_live_t));
  return 0;
}

static int teardown(void **state) {
  _memscope_live_free(*state);
  free(*state);
  return 0;
}

static _memscope_rec_t rec(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size) {
  _memscope_rec_t r = {ptr, aux, NULL, size << MEMSCOPE_OP_BITS | op};
  return r;
}

static void test_alloc_free_peak(void **state) {
  _memscope_live_t *l = *state;
  _memscope_rec_t recs[] = {
      rec(MEMSCOPE_OP_ALLOC, 0x1000, 0, 100), rec(MEMSCOPE_OP_ALLOC, 0x2000, 0, 50),
      rec(MEMSCOPE_OP_FREE, 0x1000, 0, 0),    rec(MEMSCOPE_OP_ALLOC, 0x3000, 0, 10),
      rec(MEMSCOPE_OP_FREE, 0x9999, 0, 0), /* never tracked: no effect */
      rec(MEMSCOPE_OP_TIME, 0, 3, 0),
  };
  assert_int_equal(_memscope_live_apply(l, recs, 6), 0);
  assert_int_equal(l->st.current_bytes, 60);
  assert_int_equal(l->st.current_blocks, 2);
  assert_int_equal(l->st.peak_bytes, 150);
  assert_int_equal(l->st.alloc_count, 3);
  assert_int_equal(l->st.free_count, 1);
  assert_int_equal(l->st.alloc_bytes, 160);
}

/* A moving realloc releases the old block and adds the new one. */
static void test_realloc_chain(void **state) {
  _memscope_live_t *l = *state;
  _memscope_rec_t recs[] = {
      rec(MEMSCOPE_OP_ALLOC, 0x1000, 0, 16),
      rec(MEMSCOPE_OP_REALLOC, 0x2000, 0x1000, 32),
      rec(MEMSCOPE_OP_REALLOC, 0x2000, 0x2000, 64),
  };
  assert_int_equal(_memscope_live_apply(l, recs, 3), 0);
  assert_int_equal(l->st.current_bytes, 64);
  assert_int_equal(l->st.current_blocks, 1);
  assert_int_equal(l->st.peak_bytes, 64);
}

/* Many inserts and removals in a random order keep every figure exact (exercises growth and
   backward-shift deletion). */
static void test_random_churn(void **state) {
  _memscope_live_t *l = *state;
  enum { N = 20000 };
  static uintptr_t ptrs[N];
  static bool live[N];
  uint64_t x = 88172645463325252ull, bytes = 0, blocks = 0;
  for (int round = 0; round < 200000; round++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int i = (int)(x % N);
    _memscope_rec_t r;
    if (live[i]) {
      r = rec(MEMSCOPE_OP_FREE, ptrs[i], 0, 0);
      bytes -= (uint64_t)i + 1;
      blocks--;
    } else {
      ptrs[i] = 0x10000 + (uintptr_t)i * 48;
      r = rec(MEMSCOPE_OP_ALLOC, ptrs[i], 0, (uint64_t)i + 1);
      bytes += (uint64_t)i + 1;
      blocks++;
    }
    live[i] = !live[i];
    assert_int_equal(_memscope_live_apply(l, &r, 1), 0);
  }
  assert_int_equal(l->st.current_bytes, bytes);
  assert_int_equal(l->st.current_blocks, blocks);
  assert_int_equal(l->count, blocks);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_alloc_free_peak, setup, teardown),
      cmocka_unit_test_setup_teardown(test_realloc_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_random_churn, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
