/* test_sample.c: sampling modes: unbiased estimates within their statistical error, sampled frees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "options.h"

/* A deterministic workload with known totals per site: every block is freed at once. */
enum { NSITES = 4 };
static const memscope_site SITES[NSITES] = {
    {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 1, 1, "w.c", "small", "char", "", "a", 0},
    {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 2, 1, "w.c", "medium", "char", "", "b", 0},
    {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 3, 1, "w.c", "large", "char", "", "c", 0},
    {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 4, 1, "w.c", "tiny", "char", "", "d", 0},
};
static const memscope_site FREE_SITE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 9, 1, "w.c",
                                        "f", "", "", "p", 0};
static const struct { size_t size; long count; } WORK[NSITES] = {
    {100, 400000}, {4000, 20000}, {100000, 500}, {16, 1000000}};

typedef struct {
  double est_bytes[NSITES], est_count[NSITES];
  long sampled, frees;
} estimate_t;

/* Switches the process to 'spec' with 'seed', runs the workload, and reads the estimates from
   the thread's buffer (which the test keeps from being written out). */
static void run(const char *spec, uint64_t seed, estimate_t *e) {
  _memscope_options.sample_seed = seed;
  int mode = _memscope_sample_configure(spec);
  assert_true(mode > 0);
  _memscope_state.mode = mode;
  mem_store_relaxed(&memscope_mode, mode);
  _memscope_tbuf_t *tb = &_memscope_tb;
  memscope_flush();
  tb->sample_rng = 0;
  memscope_thread.sample_countdown = 0;
  tb->sample_calls = 0;
  memset(tb->class_countdown, 0, sizeof tb->class_countdown);
  for (int s = 0; s < NSITES; s++) {
    for (long i = 0; i < WORK[s].count; i++) memscope_free(memscope_malloc(WORK[s].size, &SITES[s]), &FREE_SITE);
  }
  memset(e, 0, sizeof *e);
  uint32_t n = mem_load_relaxed(&tb->count);
  assert_true(n < tb->cap); /* nothing was flushed: every sample is here */
  for (uint32_t i = 0; i < n; i++) {
    const _memscope_rec_t *r = &tb->recs[i];
    unsigned op = _memscope_rec_op(r);
    assert_true(op == MEMSCOPE_OP_SAMPLED || op == MEMSCOPE_OP_FREE || op == MEMSCOPE_OP_TIME);
    if (op == MEMSCOPE_OP_FREE) e->frees++;
    if (op != MEMSCOPE_OP_SAMPLED) continue;
    float w;
    uint32_t bits = (uint32_t)r->aux;
    memcpy(&w, &bits, sizeof w);
    int s = (int)(r->site - SITES);
    assert_true(s >= 0 && s < NSITES);
    e->est_bytes[s] += w * (double)_memscope_rec_size(r);
    e->est_count[s] += w;
    e->sampled++;
  }
  mem_store_relaxed(&tb->count, 0); /* discard: the trace does not need these */
}

static int teardown(void **state) {
  (void)state;
  _memscope_state.mode = _memscope_sample_configure("all");
  mem_store_relaxed(&memscope_mode, MEMSCOPE_MODE_ALL);
  return 0;
}

/* Poisson byte sampling: each site's estimated bytes is within 4 standard deviations of the
   truth, sd^2 = count * size^2 * (1 - p) / p with p = 1 - exp(-size / mean). */
static void check_bytes_mode(uint64_t mean) {
  char spec[32];
  snprintf(spec, sizeof spec, "bytes:%llu", (unsigned long long)mean);
  double total = 0;
  for (int s = 0; s < NSITES; s++) total += (double)WORK[s].size * (double)WORK[s].count;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    estimate_t e;
    run(spec, seed * 7919, &e);
    assert_int_equal(e.frees, e.sampled); /* every sampled block's free, and no other */
    for (int s = 0; s < NSITES; s++) {
      double truth = (double)WORK[s].size * (double)WORK[s].count;
      if (truth < 0.05 * total) continue;
      double p = -expm1(-(double)WORK[s].size / (double)mean);
      double sd = sqrt((double)WORK[s].count * (double)WORK[s].size * (double)WORK[s].size * (1 - p) / p);
      if (fabs(e.est_bytes[s] - truth) > 4 * sd) {
        fail_msg("%s seed %llu site %s: estimated %.0f bytes, true %.0f, sd %.0f", spec,
                 (unsigned long long)seed, SITES[s].function, e.est_bytes[s], truth, sd);
      }
    }
  }
}

static void test_bytes_512k(void **state) {
  (void)state;
  check_bytes_mode(512 * 1024);
}

static void test_bytes_16k(void **state) {
  (void)state;
  check_bytes_mode(16 * 1024);
}

/* Size classes: counts per site within 4 sd of a binomial with the class's probability. */
static void test_size_classes(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 3; seed++) {
    estimate_t e;
    run("size:8K=1,1K=0.05,0=0.001,every=1000", seed, &e);
    assert_int_equal(e.frees, e.sampled);
    /* blocks of 100000 bytes are always recorded: exact */
    assert_true(fabs(e.est_count[2] - 500) < 1e-6);
    assert_true(fabs(e.est_bytes[2] - 50e6) < 1);
    for (int s = 0; s < NSITES; s++) {
      double rate = WORK[s].size >= 8192 ? 1 : WORK[s].size >= 1024 ? 0.05 : 0.001;
      double p = 0.001 + 0.999 * rate;
      double sd = sqrt((double)WORK[s].count * (1 - p) / p);
      if (fabs(e.est_count[s] - (double)WORK[s].count) > 4 * sd + 1e-6) {
        fail_msg("seed %llu site %s: estimated %.1f blocks, true %ld, sd %.1f",
                 (unsigned long long)seed, SITES[s].function, e.est_count[s], WORK[s].count, sd);
      }
    }
  }
}

/* The floor records every large block with weight 1. */
static void test_always_floor(void **state) {
  (void)state;
  _memscope_options.sample_always = 50000;
  estimate_t e;
  run("bytes:1G", 3, &e);
  _memscope_options.sample_always = 0;
  assert_true(fabs(e.est_count[2] - 500) < 1e-6);
  assert_true(fabs(e.est_bytes[2] - 50e6) < 1);
}

/* The plugin's per-site rules: an "all" site has every block recorded with weight 1, a "never"
   site none, whatever the sampling mode. */
static void test_site_rules(void **state) {
  (void)state;
  static const memscope_site ALL = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC,
                                    MEMSCOPE_SITE_SAMPLE_ALL, 5, 1, "w.c", "keep", "char", "", "k", 0};
  static const memscope_site NEVER = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC,
                                      MEMSCOPE_SITE_SAMPLE_NEVER, 6, 1, "w.c", "hot", "char", "", "h", 0};
  _memscope_options.sample_seed = 11;
  _memscope_state.mode = _memscope_sample_configure("bytes:1M");
  mem_store_relaxed(&memscope_mode, _memscope_state.mode);
  memscope_flush();
  _memscope_tbuf_t *tb = &_memscope_tb;
  for (int i = 0; i < 1000; i++) memscope_free(memscope_malloc(64, &ALL), &FREE_SITE);
  for (int i = 0; i < 1000; i++) memscope_free(memscope_malloc(1 << 20, &NEVER), &FREE_SITE);
  long all = 0, never = 0, frees = 0;
  for (uint32_t i = 0; i < mem_load_relaxed(&tb->count); i++) {
    const _memscope_rec_t *r = &tb->recs[i];
    if (_memscope_rec_op(r) == MEMSCOPE_OP_FREE) frees++;
    if (_memscope_rec_op(r) != MEMSCOPE_OP_SAMPLED) continue;
    float w;
    uint32_t bits = (uint32_t)r->aux;
    memcpy(&w, &bits, sizeof w);
    assert_true(w == 1.0f);
    all += r->site == &ALL;
    never += r->site == &NEVER;
  }
  mem_store_relaxed(&tb->count, 0);
  assert_int_equal(all, 1000);
  assert_int_equal(never, 0);
  assert_int_equal(frees, 1000);
}

static void test_bad_specs_rejected(void **state) {
  (void)state;
  const char *bad[] = {"bytes:", "bytes:0", "bytes:12x", "size:1K=2", "size:", "auto:", "sometimes"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(_memscope_sample_configure(bad[i]), MEMSCOPE_ERR_ARG);
  }
  assert_int_equal(_memscope_sample_configure("size"), MEMSCOPE_MODE_SIZE);
  assert_int_equal(_memscope_sample_configure("auto:100000"), MEMSCOPE_MODE_BYTES);
  assert_int_equal(_memscope_sample_configure("bytes:512K"), MEMSCOPE_MODE_BYTES);
}

/* auto: the mean coarsens while the event rate is over the budget and refines when well under. */
static void test_auto_adjusts_mean(void **state) {
  (void)state;
  char desc[64];
  assert_int_equal(_memscope_sample_configure("auto:1000"), MEMSCOPE_MODE_BYTES);
  _memscope_sample_describe(desc, sizeof desc);
  assert_string_equal(desc, "auto:1000");
  uint64_t events = 0;
  uint32_t t = 1000;
  _memscope_sample_tick(events, t); /* first window starts */
  events += 100000, t += 100;       /* 1M events/s against 1000/s */
  _memscope_sample_tick(events, t);
  /* the mean grew: a 4 KiB block is now sampled far less often than with the 4 KiB start */
  _memscope_tbuf_t *tb = &_memscope_tb;
  tb->sample_rng = 0;
  long sampled = 0;
  mem_store_relaxed(&memscope_mode, MEMSCOPE_MODE_BYTES);
  memscope_flush();
  for (int i = 0; i < 10000; i++) memscope_free(memscope_malloc(4096, &SITES[1]), &FREE_SITE);
  for (uint32_t i = 0; i < mem_load_relaxed(&tb->count); i++) {
    sampled += _memscope_rec_op(&tb->recs[i]) == MEMSCOPE_OP_SAMPLED;
  }
  mem_store_relaxed(&tb->count, 0);
  assert_true(sampled < 10000 * 0.632 / 4); /* at mean 4096 about 63% would be sampled */
  /* a quiet period halves the mean again */
  t += 100;
  _memscope_sample_tick(events + 10, t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_bytes_512k, teardown),
      cmocka_unit_test_teardown(test_bytes_16k, teardown),
      cmocka_unit_test_teardown(test_size_classes, teardown),
      cmocka_unit_test_teardown(test_always_floor, teardown),
      cmocka_unit_test_teardown(test_bad_specs_rejected, teardown),
      cmocka_unit_test_teardown(test_auto_adjusts_mean, teardown),
      cmocka_unit_test_teardown(test_site_rules, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
