/* test_report_model.c: model aggregates: peak, leaks, realloc chains, cross-thread pairing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../report/trace_builder.h"
#include "model.h"

static void header_and_sites(tb *b) {
  tb_init(b);
  tb_header(b, 1, 0, 99, "model");
  tb_site(b, 1, 1, 0, "m.c", 10, 3, "make", "struct a", "struct a", "a", 16);
  tb_site(b, 2, 3, 0, "m.c", 20, 7, "grow", "char", "", "buf", 1);
  tb_site(b, 3, 4, 0, "m.c", 30, 3, "drop", "", "", "", 0);
  tb_thread(b, 1, 500, "main");
  tb_thread(b, 2, 501, "worker");
}

static void end_record(tb *b) {
  uint64_t v[12] = {0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 42};
  tb_end(b, v, 0);
}

/* Reads a built trace into m; returns the reader status. */
static int load(tb *b, memscope_model *m) {
  assert_int_equal(memscope_model_init(m), 0);
  memscope_read_result res;
  int rc = memscope_read_mem(b->sb.data, b->sb.size, "t", memscope_model_callbacks(), m, &res);
  memscope_model_finish(m);
  return rc;
}

static const memscope_msite *site(const memscope_model *m, uint64_t id) {
  const memscope_msite *s = memscope_model_site(m, id);
  assert_non_null(s);
  return s;
}

static void test_peak_single_thread(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x1000, 100); /* t=0: 100 */
  tb_time(&b, 1);
  tb_alloc(&b, 1, 0x2000, 200); /* t=1: 300 */
  tb_free(&b, 3, 0x1000);       /*      200 */
  tb_time(&b, 1);
  tb_alloc(&b, 1, 0x3000, 50);  /* t=2: 250 */
  tb_time(&b, 1);
  tb_alloc(&b, 1, 0x4000, 140); /* t=3: 390, the peak, inside the bucket */
  tb_free(&b, 3, 0x4000);       /*      250 */
  tb_free(&b, 3, 0x3000);       /*      200 */
  tb_events_end(&b);
  tb_events_begin(&b, 1, 7);    /* t0 of a new record */
  tb_alloc(&b, 1, 0x5000, 189); /* t=7: 389 */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.peak_bytes, 390);
  assert_int_equal(m.peak_t, 3);
  assert_int_equal(m.allocs, 5);
  assert_int_equal(m.alloc_bytes, 679);
  assert_int_equal(m.frees, 3);
  assert_int_equal(m.freed_bytes, 290);
  assert_int_equal(m.live_blocks, 2);
  assert_int_equal(m.live_bytes, 389);
  assert_int_equal(m.last_t, 7);
  assert_int_equal(m.shift, 0);
  assert_int_equal(m.nthreads, 3); /* placeholder + 2 described */
  const memscope_msite *s = site(&m, 1);
  assert_int_equal(s->allocs, 5);
  assert_int_equal(s->frees, 3);
  assert_int_equal(s->live, 2);
  assert_int_equal(s->live_bytes, 389);
  assert_int_equal(s->max_size, 200);
  assert_string_equal(s->function, "make");
  assert_string_equal(s->type_name, "struct a");
  assert_int_equal(site(&m, 3)->calls, 3);
  assert_int_equal(site(&m, 3)->allocs, 0);
  uint64_t d;
  assert_int_equal(memscope_model_end_get(&m, "duration_ms", &d), 1);
  assert_int_equal(d, 42);
  assert_int_equal(memscope_model_end_get(&m, "nope", &d), 0);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* The duration: the END record's; the last event's time when there is no END or it is
   earlier than that (a damaged trace). */
static void test_duration(void **state) {
  (void)state;
  for (int with_end = 0; with_end < 2; with_end++) {
    tb b;
    header_and_sites(&b);
    tb_events_begin(&b, 1, 0);
    tb_alloc(&b, 1, 0x1000, 100);
    tb_time(&b, 50);
    tb_free(&b, 3, 0x1000);
    tb_events_end(&b);
    if (with_end) end_record(&b); /* duration_ms 42, before the FREE at 50 */
    memscope_model m;
    load(&b, &m);
    assert_int_equal(m.last_t, 50);
    assert_int_equal(memscope_model_duration(&m), 50);
    memscope_model_free(&m);
    tb_destroy(&b);
  }
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  tb_time(&b, 10);
  tb_alloc(&b, 1, 0x1000, 100);
  tb_events_end(&b);
  end_record(&b); /* 42, after the last event at 10 */
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(memscope_model_duration(&m), 42);
  memscope_model_free(&m);
  tb_destroy(&b);
}

static void test_leaks_by_site(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  for (uint64_t i = 0; i < 10; i++) tb_alloc(&b, 1, 0x10000 + i * 32, 16);
  for (uint64_t i = 0; i < 7; i++) tb_free(&b, 3, 0x10000 + i * 32);
  tb_alloc(&b, 2, 0x90000, 1000);
  tb_free(&b, 3, 0);        /* free(NULL) */
  tb_free(&b, 3, 0xdead0);  /* never allocated */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.live_blocks, 4);
  assert_int_equal(m.live_bytes, 1048);
  assert_int_equal(site(&m, 1)->live, 3);
  assert_int_equal(site(&m, 1)->live_bytes, 48);
  assert_int_equal(site(&m, 2)->live, 1);
  assert_int_equal(site(&m, 2)->live_bytes, 1000);
  assert_int_equal(m.free_null, 1);
  assert_int_equal(m.free_unknown, 1);
  assert_int_equal(m.frees, 7);
  const memscope_block *blk = memscope_model_find_live(&m, 0x10000 + 9 * 32);
  assert_non_null(blk);
  assert_int_equal(blk->size, 16);
  assert_null(memscope_model_find_live(&m, 0x10000));
  memscope_model_free(&m);
  tb_destroy(&b);
}

static void test_realloc_chain(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x1000, 10);
  tb_time(&b, 1);
  tb_realloc(&b, 2, 0x1000, 0x2000, 20); /* moves */
  tb_realloc(&b, 2, 0x2000, 0x2000, 30); /* in place */
  tb_time(&b, 1);
  tb_realloc(&b, 2, 0x2000, 0x3000, 40);
  tb_realloc(&b, 2, 0x3000, 0, 500);     /* failed: 0x3000 stays */
  tb_realloc(&b, 2, 0, 0x4000, 8);       /* realloc(NULL, 8) */
  tb_realloc(&b, 2, 0x4000, 0, 0);       /* realloc(p, 0) returning NULL releases p */
  tb_realloc(&b, 2, 0x7777, 0x5000, 4);  /* old block unknown */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.allocs, 6);
  assert_int_equal(m.alloc_bytes, 112);
  assert_int_equal(m.reallocs, 7);
  assert_int_equal(m.frees, 0);
  assert_int_equal(m.realloc_unknown, 1);
  assert_int_equal(m.live_blocks, 2);
  assert_int_equal(m.live_bytes, 44);
  assert_int_equal(site(&m, 1)->allocs, 1);
  assert_int_equal(site(&m, 1)->frees, 1);
  assert_int_equal(site(&m, 1)->live, 0);
  assert_int_equal(site(&m, 2)->allocs, 5);
  assert_int_equal(site(&m, 2)->frees, 3);
  assert_int_equal(site(&m, 2)->reallocs, 7);
  assert_int_equal(site(&m, 2)->live, 2);
  assert_int_equal(m.peak_bytes, 48); /* 40 + 8 at t=2 */
  assert_int_equal(m.peak_t, 2);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* A block freed by thread 2 whose FREE is written before thread 1's ALLOC. */
static void test_cross_thread_free_before_alloc(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 2, 5);
  tb_free(&b, 3, 0xa000);   /* t=5, thread 2 */
  tb_free(&b, 3, 0xb000);   /* t=5, thread 2: its alloc comes later in time: no match */
  tb_free(&b, 3, 0xc000);   /* t=5, thread 2: allocated by thread 2 itself later: no match */
  tb_events_end(&b);
  tb_events_begin(&b, 1, 3);
  tb_alloc(&b, 1, 0xa000, 64);  /* t=3, thread 1: matches the free at 5 */
  tb_alloc(&b, 1, 0xd000, 8);
  tb_time(&b, 3);
  tb_alloc(&b, 1, 0xb000, 32);  /* t=6 */
  tb_events_end(&b);
  tb_events_begin(&b, 2, 7);
  tb_alloc(&b, 1, 0xc000, 16);  /* t=7, thread 2 */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.cross_thread_matched, 1);
  assert_int_equal(m.frees, 1);
  assert_int_equal(m.free_unknown, 2);
  assert_int_equal(m.allocs, 4);
  assert_int_equal(m.live_blocks, 3);
  assert_int_equal(m.live_bytes, 56);
  assert_null(memscope_model_find_live(&m, 0xa000));
  assert_int_equal(site(&m, 1)->frees, 1);
  assert_int_equal(site(&m, 1)->live, 3);
  /* live: 64+8 from t=3 to 5, then 8, +32 at 6, +16 at 7 */
  assert_int_equal(m.peak_bytes, 72);
  assert_int_equal(m.peak_t, 3);
  assert_int_equal(m.threads[m.thread_index[2]].frees, 3);
  assert_string_equal(m.threads[m.thread_index[2]].name, "worker");
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* A consumer thread's frees of a reused pointer, written before the producer's allocs. */
static void test_cross_thread_producer_consumer(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 2, 2);
  for (int i = 0; i < 5; i++) {
    tb_free(&b, 3, 0xf000); /* t = 2, 4, 6, 8, 10 */
    tb_time(&b, 2);
  }
  tb_events_end(&b);
  tb_events_begin(&b, 1, 1);
  for (int i = 0; i < 5; i++) {
    tb_alloc(&b, 1, 0xf000, 10 + (uint64_t)i); /* t = 1, 3, 5, 7, 9 */
    tb_time(&b, 2);
  }
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.cross_thread_matched, 5);
  assert_int_equal(m.live_blocks, 0);
  assert_int_equal(m.free_unknown, 0);
  assert_int_equal(m.frees, 5);
  assert_int_equal(m.freed_bytes, 60);
  assert_int_equal(m.peak_bytes, 14);
  assert_int_equal(m.peak_t, 9);
  memscope_model_free(&m);
  /* frees of a pointer no alloc ever matches stay bounded */
  tb_destroy(&b);
  header_and_sites(&b);
  tb_events_begin(&b, 2, 0);
  for (int i = 0; i < 1000; i++) tb_free(&b, 3, 0xbad0);
  tb_events_end(&b);
  end_record(&b);
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.orphans.count, 64);
  assert_int_equal(m.free_unknown, 1000);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Thread 1 allocates p twice; thread 2's free of the first block is written after both. */
static void test_cross_thread_reuse(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 1);
  tb_alloc(&b, 1, 0xe000, 100); /* t=1 */
  tb_time(&b, 2);
  tb_alloc(&b, 1, 0xe000, 30);  /* t=3: same pointer, its free not seen yet */
  tb_events_end(&b);
  tb_events_begin(&b, 2, 2);
  tb_free(&b, 3, 0xe000);       /* t=2: frees the first block */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.overwritten, 0);
  assert_int_equal(m.frees, 1);
  assert_int_equal(m.freed_bytes, 100);
  assert_int_equal(m.live_blocks, 1);
  assert_int_equal(m.live_bytes, 30);
  const memscope_block *blk = memscope_model_find_live(&m, 0xe000);
  assert_non_null(blk);
  assert_int_equal(blk->size, 30);
  assert_int_equal(m.peak_bytes, 100);
  assert_int_equal(m.peak_t, 1);
  assert_int_equal(site(&m, 1)->live, 1);
  assert_int_equal(site(&m, 1)->frees, 1);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Times beyond 2^20 ms double the bucket width; merged buckets keep the exact peak. */
static void test_timeline_adaptive(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 1);
  tb_alloc(&b, 1, 0x100, 1000);  /* t=1 */
  tb_time(&b, 1);
  tb_free(&b, 3, 0x100);         /* t=2 */
  tb_alloc(&b, 1, 0x200, 10);
  tb_time(&b, 3000000 - 2);
  tb_alloc(&b, 1, 0x300, 900);   /* t=3000000: 910 */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.shift, 2);
  assert_int_equal(m.nbuckets, 3000000 / 4 + 1);
  assert_int_equal(m.peak_bytes, 1000);
  assert_int_equal(m.peak_t, 0); /* the start of the 4 ms bucket holding t=1 */
  memscope_model_free(&m);
  /* a later, higher peak wins */
  tb_destroy(&b);
  header_and_sites(&b);
  tb_events_begin(&b, 1, 1);
  tb_alloc(&b, 1, 0x100, 1000);
  tb_events_end(&b);
  tb_events_begin(&b, 1, 5000000);
  tb_alloc(&b, 1, 0x200, 1);
  tb_events_end(&b);
  end_record(&b);
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.shift, 3);
  assert_int_equal(m.peak_bytes, 1001);
  assert_int_equal(m.peak_t, 5000000);
  memscope_model_free(&m);
  tb_destroy(&b);
}

static void test_undescribed_sites_and_threads(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 9, 0);      /* no THREAD record for 9 */
  tb_alloc(&b, 40, 0x100, 8);     /* no SITE record for 40 */
  tb_alloc(&b, 1u << 20, 0x200, 8); /* beyond the automatic bound: the unknown site */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.unknown_site_events, 2);
  assert_int_equal(memscope_model_site(&m, 40)->defined, 0);
  assert_int_equal(memscope_model_site(&m, 40)->allocs, 1);
  assert_int_equal(m.sites[0].allocs, 1);
  assert_int_equal(m.threads[m.thread_index[9]].allocs, 2);
  assert_int_equal(m.threads[m.thread_index[9]].defined, 0);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Two descriptors of one call site (same file, function, line, column, kind, type) are one site. */
static void test_same_identity_merges(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_site(&b, 9, 1, 0, "m.c", 10, 3, "make", "struct a", "struct a", "other", 16);
  tb_site(&b, 10, 1, 0, "m.c", 10, 4, "make", "struct a", "struct a", "a", 16); /* column differs */
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x100, 8);
  tb_alloc(&b, 9, 0x200, 8);
  tb_alloc(&b, 10, 0x300, 8);
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.sites_merged, 1);
  assert_ptr_equal(memscope_model_site(&m, 9), memscope_model_site(&m, 1));
  assert_int_equal(site(&m, 1)->allocs, 2);
  assert_int_equal(site(&m, 10)->allocs, 1);
  assert_int_equal(m.unknown_site_events, 0);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Many blocks freed in scrambled order: the table stays consistent through growth and deletes. */
static void test_many_blocks(void **state) {
  (void)state;
  enum { N = 200000 };
  uint64_t *ptrs = malloc(N * sizeof *ptrs);
  for (uint64_t i = 0; i < N; i++) ptrs[i] = 0x10000000 + i * 48 + (i % 7) * 4096 * N;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  for (uint64_t i = 0; i < N; i++) tb_alloc(&b, 1, ptrs[i], 1 + i % 100);
  srand(7);
  for (uint64_t i = N - 1; i > 0; i--) {
    uint64_t j = (uint64_t)rand() % (i + 1), x = ptrs[i];
    ptrs[i] = ptrs[j], ptrs[j] = x;
  }
  for (uint64_t i = 0; i < N / 2; i++) tb_free(&b, 3, ptrs[i]);
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.live_blocks, N - N / 2);
  assert_int_equal(m.live.count, N - N / 2);
  assert_int_equal(m.free_unknown, 0);
  for (uint64_t i = 0; i < N; i++) {
    const memscope_block *blk = memscope_model_find_live(&m, ptrs[i]);
    if (i < N / 2) assert_null(blk);
    else assert_non_null(blk);
  }
  uint64_t total = 0;
  for (uint64_t i = 0; i < N; i++) total += 1 + i % 100;
  assert_int_equal(m.peak_bytes, total);
  memscope_model_free(&m);
  tb_destroy(&b);
  free(ptrs);
}

/* SAMPLED blocks count as weight blocks of size * weight bytes; SAMPLING records are kept. */
static void test_sampled_weights(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  b.sample = "bytes:524288";
  tb_header(&b, 1, 0, 99, "model");
  tb_site(&b, 1, 1, 0, "m.c", 10, 3, "make", "struct a", "struct a", "a", 16);
  tb_site(&b, 2, 1, 0, "m.c", 11, 3, "make", "char", "", "s", 0);
  tb_site(&b, 3, 4, 0, "m.c", 30, 3, "drop", "", "", "", 0);
  tb_thread(&b, 1, 500, "main");
  tb_events_begin(&b, 1, 0);
  tb_sampled(&b, 1, 0x1000, 100, 1.5f);  /* 150 bytes, 1 block (0.5 carried) */
  tb_sampled(&b, 1, 0x2000, 10, 2.5f);   /* 25 bytes, 3 blocks */
  tb_sampled(&b, 2, 0x3000, 1000, 1.0f); /* always-recorded size: weight 1 */
  tb_time(&b, 1);
  tb_free(&b, 3, 0x1000);
  tb_events_end(&b);
  tb_sampling(&b, 2, 1048576);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.samples, 3);
  assert_int_equal(m.sampled_blocks, 5);
  assert_int_equal(m.allocs, 5);
  assert_int_equal(m.alloc_bytes, 1175);
  assert_int_equal(m.frees, 1);
  assert_int_equal(m.freed_bytes, 150);
  assert_int_equal(m.live_blocks, 4);
  assert_int_equal(m.live_bytes, 1025);
  assert_int_equal(m.peak_bytes, 1175);
  assert_int_equal(site(&m, 1)->allocs, 4);
  assert_int_equal(site(&m, 1)->live, 3);
  assert_int_equal(site(&m, 1)->live_bytes, 25);
  assert_int_equal(memscope_model_estimated(&m), 1);
  assert_string_equal(m.sample_mode, "bytes:524288");
  assert_int_equal(m.nsamplings, 1);
  assert_int_equal(m.samplings[0].t, 2);
  assert_int_equal(m.samplings[0].mean, 1048576);
  memscope_model_free(&m);
  tb_destroy(&b);
  /* a plain trace is not estimated */
  header_and_sites(&b);
  end_record(&b);
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(memscope_model_estimated(&m), 0);
  assert_string_equal(m.sample_mode, "");
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* The live figures of each site and thread at the moment of the peak. */
static void test_peak_breakdown(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x1, 100);   /* 100 */
  tb_time(&b, 1);
  tb_alloc(&b, 2, 0x2, 300);   /* 400: a first peak */
  tb_free(&b, 3, 0x1);         /* 300 */
  tb_alloc(&b, 1, 0x3, 50);    /* 350 */
  tb_time(&b, 1);
  tb_alloc(&b, 2, 0x4, 20);    /* 370 */
  tb_free(&b, 3, 0x2);         /* 70 */
  tb_time(&b, 1);
  tb_alloc(&b, 1, 0x5, 400);   /* 470: the peak, at t=3 */
  tb_time(&b, 2);
  tb_free(&b, 3, 0x3);
  tb_free(&b, 3, 0x4);
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.fo_peak_bytes, 470);
  assert_int_equal(m.fo_peak_blocks, 3);
  assert_int_equal(m.fo_peak_t, 3);
  assert_int_equal(m.peak_bytes, 470);
  assert_int_equal(site(&m, 1)->peak_live_bytes, 450);
  assert_int_equal(site(&m, 1)->peak_live, 2);
  assert_int_equal(site(&m, 2)->peak_live_bytes, 20);
  assert_int_equal(site(&m, 2)->peak_live, 1);
  assert_int_equal(site(&m, 3)->peak_live_bytes, 0);
  const memscope_mthread *t = &m.threads[m.thread_index[1]];
  assert_int_equal(t->peak_live_bytes, 470);
  assert_int_equal(t->live_bytes, 400);
  assert_int_equal(t->freed_bytes, 470);
  /* lifetimes: site 1 released 0x1 after 1 ms and 0x3 after 4 ms */
  uint64_t v;
  assert_int_equal(memscope_site_lifetime(site(&m, 1), 0.5, &v), 1);
  assert_int_equal(v, 1);
  assert_int_equal(memscope_site_lifetime(site(&m, 1), 0.9, &v), 1);
  assert_int_equal(v, 4);
  assert_int_equal(memscope_site_lifetime(site(&m, 3), 0.5, &v), 0);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Percentiles of lifetimes: exact below 64 ms, the lower bound of a 1/8-octave bucket above. */
static void test_lifetime_percentiles(void **state) {
  (void)state;
  tb b;
  header_and_sites(&b);
  tb_events_begin(&b, 1, 0);
  for (uint64_t i = 0; i < 10; i++) tb_alloc(&b, 1, 0x100 + i * 16, 8);
  tb_alloc(&b, 2, 0x900, 8);
  tb_alloc(&b, 2, 0xa00, 8);
  for (uint64_t i = 0; i < 10; i++) {
    tb_free(&b, 3, 0x100 + i * 16); /* lifetimes 0 .. 9 ms */
    tb_time(&b, 1);
  }
  tb_time(&b, 90);
  tb_free(&b, 3, 0x900);            /* 100 ms: bucket [96, 104) */
  tb_time(&b, 900);
  tb_free(&b, 3, 0xa00);            /* 1000 ms: bucket [960, 1024) */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  uint64_t v;
  assert_int_equal(memscope_site_lifetime(site(&m, 1), 0.5, &v), 1);
  assert_int_equal(v, 4);
  assert_int_equal(memscope_site_lifetime(site(&m, 1), 0.9, &v), 1);
  assert_int_equal(v, 8);
  assert_int_equal(memscope_site_lifetime(site(&m, 1), 1.0, &v), 1);
  assert_int_equal(v, 9);
  assert_int_equal(memscope_site_lifetime(site(&m, 2), 0.5, &v), 1);
  assert_int_equal(v, 96);
  assert_int_equal(memscope_site_lifetime(site(&m, 2), 0.9, &v), 1);
  assert_int_equal(v, 960);
  memscope_model_free(&m);
  tb_destroy(&b);
}

/* Blocks whose birth time (beyond 2^32 - 1 ms) or thread index (255 and more) do not fit the
   compact live record keep them exactly, and so do blocks replaced or moved. */
static void test_wide_blocks(void **state) {
  (void)state;
  const uint64_t late = 5000000000ull; /* ms, about 58 days */
  tb b;
  header_and_sites(&b);
  tb_thread(&b, 300, 777, "many");
  tb_events_begin(&b, 300, 10);
  tb_alloc(&b, 1, 0xa000, 64);   /* thread 300, t=10 */
  tb_alloc(&b, 1, 0xb000, 32);   /* thread 300, t=10; freed by thread 1 below */
  tb_events_end(&b);
  tb_events_begin(&b, 1, late);
  tb_alloc(&b, 1, 0xc000, 16);   /* thread 1, t=late */
  tb_time(&b, 5);
  tb_free(&b, 3, 0xb000);        /* lifetime late + 5 - 10 */
  tb_realloc(&b, 2, 0xc000, 0xd000, 48); /* moves the late block after 5 ms */
  tb_alloc(&b, 1, 0xa000, 8);    /* replaces the block of thread 300 before its free */
  tb_events_end(&b);
  end_record(&b);
  memscope_model m;
  assert_int_equal(load(&b, &m), 0);
  assert_int_equal(m.live_blocks, 2); /* 0xd000 and the new 0xa000; the old one is a ghost */
  assert_int_equal(m.live_bytes, 48 + 8);
  assert_int_equal(m.overwritten, 1);
  assert_int_equal(m.wide.count, 2); /* the two live blocks, born late; no entry of the others */
  const memscope_block *blk = memscope_model_find_live(&m, 0xd000);
  assert_non_null(blk);
  assert_int_equal(blk->size, 48);
  const memscope_mthread *t300 = &m.threads[m.thread_index[300]];
  assert_int_equal(t300->allocs, 2);
  assert_int_equal(t300->alloc_bytes, 96);
  assert_int_equal(t300->freed_bytes, 32);
  assert_int_equal(t300->live, 0);
  uint64_t p50 = 0;
  assert_true(memscope_site_lifetime(site(&m, 1), 0.5, &p50));
  /* lifetimes of site 1: late - 5 (0xb000) and 5 ms (0xc000 moved by the realloc) */
  uint64_t p100 = 0;
  assert_true(memscope_site_lifetime(site(&m, 1), 1.0, &p100));
  assert_int_equal(p50, 5);
  assert_true(p100 <= late - 5 && p100 >= (late - 5) / 8 * 7);
  memscope_model_free(&m);
  tb_destroy(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peak_single_thread),
      cmocka_unit_test(test_leaks_by_site),
      cmocka_unit_test(test_duration),
      cmocka_unit_test(test_realloc_chain),
      cmocka_unit_test(test_cross_thread_free_before_alloc),
      cmocka_unit_test(test_cross_thread_producer_consumer),
      cmocka_unit_test(test_cross_thread_reuse),
      cmocka_unit_test(test_timeline_adaptive),
      cmocka_unit_test(test_undescribed_sites_and_threads),
      cmocka_unit_test(test_same_identity_merges),
      cmocka_unit_test(test_many_blocks),
      cmocka_unit_test(test_sampled_weights),
      cmocka_unit_test(test_peak_breakdown),
      cmocka_unit_test(test_lifetime_percentiles),
      cmocka_unit_test(test_wide_blocks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
