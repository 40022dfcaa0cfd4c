/* test_encode.c: golden-byte tests of the trace encoder (sites, threads, event batches, end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "encode.h"

static const memscope_site S1 = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, MEMSCOPE_SITE_COUNTED,
                                 12, 15, "a.c", "f", "int", "int", "p", 4};
static const memscope_site S2 = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 13, 3, "a.c", "f",
                                 "", "", "p", 0};
static const memscope_site OLD_ABI = {99, MEMSCOPE_KIND_MALLOC, 0, 1, 1, "x.c", "g", "", "", "", 0};

typedef struct {
  msgpack_sbuffer out;
  msgpack_packer pk;
  _memscope_sitemap_t sites;
  _memscope_bytes_t events;
} fixture_t;

/* The site resolver of the tests: ids from the fixture's table, SITE records into 'out' (the
   runtime's writes them straight to the file). */
static int resolve(void *ctx, const memscope_site *s, uint32_t *id) {
  fixture_t *f = ctx;
  int added = 0;
  int rc = _memscope_sitemap_get(&f->sites, s, id, &added);
  if (rc == 0 && added) rc = _memscope_encode_site(&f->pk, *id, s);
  return rc;
}

/* Encodes recs as one EVENTS record and appends it to 'out' after the SITE records. */
static int encode(fixture_t *f, uint32_t thread, uint32_t t0, const _memscope_rec_t *recs,
                  uint32_t n, uint64_t *events) {
  f->events.len = 0;
  int rc = _memscope_encode_events(&f->events, resolve, f, thread, t0, recs, n, events);
  if (rc == 0) msgpack_sbuffer_write(&f->out, f->events.data, f->events.len);
  return rc;
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  msgpack_sbuffer_init(&f->out);
  msgpack_packer_init(&f->pk, &f->out, msgpack_sbuffer_write);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  msgpack_sbuffer_destroy(&f->out);
  free(f->events.data);
  _memscope_sitemap_free(&f->sites);
  free(f);
  return 0;
}

static _memscope_rec_t rec(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size,
                           const memscope_site *site) {
  _memscope_rec_t r = {ptr, aux, site, size << MEMSCOPE_OP_BITS | op};
  return r;
}

static void assert_bytes(const msgpack_sbuffer *b, const unsigned char *want, size_t n) {
  assert_int_equal(b->size, n);
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)b->data[i] != want[i]) fail_msg("byte %zu: got 0x%02x, want 0x%02x", i,
                                                       (unsigned char)b->data[i], want[i]);
  }
}

static const unsigned char SITE1[] = {0x9c, 0x01, 0x01, 0x01, 0x01, 0xa3, 'a', '.', 'c', 0x0c,
                                      0x0f, 0xa1, 'f', 0xa3, 'i', 'n', 't', 0xa3, 'i', 'n', 't',
                                      0xa1, 'p', 0x04};

static void test_site_record(void **state) {
  fixture_t *f = *state;
  assert_int_equal(_memscope_encode_site(&f->pk, 1, &S1), 0);
  assert_bytes(&f->out, SITE1, sizeof SITE1);
}

static void test_thread_record(void **state) {
  fixture_t *f = *state;
  static const unsigned char want[] = {0x94, 0x02, 0x03, 0xcd, 0x30, 0x39, 0xa2, 'w', '1'};
  assert_int_equal(_memscope_encode_thread(&f->pk, 3, 12345, "w1"), 0);
  assert_bytes(&f->out, want, sizeof want);
}

/* ALLOC, TIME, FREE (new site), REALLOC: sites first, then the EVENTS record. */
static void test_events_golden(void **state) {
  fixture_t *f = *state;
  _memscope_rec_t recs[] = {
      rec(MEMSCOPE_OP_ALLOC, 0x1000, 0, 24, &S1),
      rec(MEMSCOPE_OP_TIME, 0, 7, 0, NULL),
      rec(MEMSCOPE_OP_FREE, 0x1000, 0, 0, &S2),
      rec(MEMSCOPE_OP_REALLOC, 0x2000, 0x1000, 300, &S1),
      rec(MEMSCOPE_OP_FREE, 0x1000, 0, 0, &OLD_ABI),
  };
  uint64_t events = 0;
  assert_int_equal(encode(f, 1, 5, recs, 5, &events), 0);
  assert_int_equal(events, 4);
  unsigned char want[256];
  size_t n = 0;
  memcpy(want, SITE1, sizeof SITE1);
  n += sizeof SITE1;
  static const unsigned char site2[] = {0x9c, 0x01, 0x02, 0x04, 0x00, 0xa3, 'a', '.', 'c', 0x0d,
                                        0x03, 0xa1, 'f', 0xa0, 0xa0, 0xa1, 'p', 0x00};
  memcpy(want + n, site2, sizeof site2);
  n += sizeof site2;
  static const unsigned char events_rec[] = {
      0x95, 0x03, 0x01, 0x05, 0x04, 0x9c,     /* EVENTS thread 1, t0 5, 4 events, 12 ints */
      0x09, 0xcd, 0x10, 0x00, 0x18,           /* ALLOC site 1, +0x1000, 24 */
      0x10,                                   /* TIME +2 */
      0x12, 0x00,                             /* FREE site 2, +0 */
      0x0b, 0x00, 0xcd, 0x10, 0x00, 0xcd, 0x01, 0x2c, /* REALLOC site 1, old +0, new +0x1000, 300 */
      0x02, 0xd1, 0xf0, 0x00,                 /* FREE unknown site 0, -0x1000 */
  };
  memcpy(want + n, events_rec, sizeof events_rec);
  n += sizeof events_rec;
  assert_bytes(&f->out, want, n);
}

/* Every integer width and sign: pointer deltas and sizes at each boundary of msgpack's forms
   come out as msgpack-c packs them (the smallest form). */
static void test_events_int_widths(void **state) {
  fixture_t *f = *state;
  static const int64_t deltas[] = {0,     1,      127,    128,    255,       256,
                                   65535, 65536,  -1,     -32,    -33,       -128,
                                   -129,  -32768, -32769, INT32_MIN, (int64_t)INT32_MIN - 1,
                                   4294967295LL, 4294967296LL, INT64_MAX, INT64_MIN};
  enum { N = sizeof deltas / sizeof *deltas };
  _memscope_rec_t recs[N];
  uintptr_t ptr = 0;
  for (int i = 0; i < N; i++) {
    ptr += (uintptr_t)deltas[i];
    uint64_t size = (uint64_t)deltas[i] & ((1ull << 61) - 1); /* the record keeps 61 bits */
    recs[i] = rec(MEMSCOPE_OP_ALLOC, ptr, 0, size, &S2);
  }
  assert_int_equal(encode(f, 1, 0, recs, N, NULL), 0);
  msgpack_sbuffer want;
  msgpack_sbuffer_init(&want);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &want, msgpack_sbuffer_write);
  for (int i = 0; i < N; i++) {
    msgpack_pack_uint64(&pk, 1u << MEMSCOPE_OP_BITS | MEMSCOPE_OP_ALLOC); /* site 1 */
    msgpack_pack_int64(&pk, deltas[i]);
    msgpack_pack_uint64(&pk, (uint64_t)deltas[i] & ((1ull << 61) - 1));
  }
  /* the payload closes the EVENTS record, which follows the one SITE record */
  assert_true(f->events.len >= want.size);
  const char *payload = f->events.data + f->events.len - want.size;
  for (size_t i = 0; i < want.size; i++) {
    if (payload[i] != want.data[i]) fail_msg("payload byte %zu: got 0x%02x, want 0x%02x", i,
                                             (unsigned char)payload[i], (unsigned char)want.data[i]);
  }
  msgpack_sbuffer_destroy(&want);
}

/* A site is written once per file, however many batches use it. */
static void test_site_written_once(void **state) {
  fixture_t *f = *state;
  _memscope_rec_t r = rec(MEMSCOPE_OP_ALLOC, 0x10, 0, 1, &S1);
  assert_int_equal(encode(f, 1, 0, &r, 1, NULL), 0);
  size_t first = f->out.size;
  msgpack_sbuffer_clear(&f->out);
  assert_int_equal(encode(f, 1, 0, &r, 1, NULL), 0);
  assert_int_equal(f->out.size, first - sizeof SITE1);
  assert_int_equal(f->sites.count, 1);
}

/* Many distinct sites get ids 1..n in first-use order, across table growth. */
static void test_site_ids_dense(void **state) {
  fixture_t *f = *state;
  enum { N = 1000 };
  static memscope_site many[N];
  _memscope_rec_t recs[N];
  for (int i = 0; i < N; i++) {
    many[i] = S1;
    many[i].line = (unsigned)i + 1;
    recs[i] = rec(MEMSCOPE_OP_ALLOC, 0x100 + (uintptr_t)i * 16, 0, 8, &many[i]);
  }
  assert_int_equal(encode(f, 2, 0, recs, N, NULL), 0);
  assert_int_equal(f->sites.count, N);
  assert_int_equal(f->sites.next_id, N);
}

static void test_end_record(void **state) {
  fixture_t *f = *state;
  memscope_stats st = {0};
  st.events_seen = 10;
  st.error = MEMSCOPE_ERR_IO;
  assert_int_equal(_memscope_encode_end(&f->pk, &st, 42), 0);
  static const unsigned char head[] = {0x92, 0x04, 0x8d, 0xab, 'e', 'v', 'e', 'n', 't', 's',
                                       '_', 's', 'e', 'e', 'n', 0x0a};
  assert_true(f->out.size > sizeof head);
  assert_memory_equal(f->out.data, head, sizeof head);
  /* the map ends with "error": -1 */
  assert_int_equal((unsigned char)f->out.data[f->out.size - 1], 0xff);
}

static void test_header_magic(void **state) {
  fixture_t *f = *state;
  const char *names[] = {"out"}, *values[] = {"x.msgpack"};
  _memscope_header_t h = {77, "prog", 1, 1, names, values};
  assert_int_equal(_memscope_encode_header(&f->pk, &h), 0);
  static const unsigned char magic[] = {0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'e',
                                        MEMSCOPE_FORMAT_MAJOR, MEMSCOPE_FORMAT_MINOR};
  assert_memory_equal(f->out.data, magic, sizeof magic);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_site_record, setup, teardown),
      cmocka_unit_test_setup_teardown(test_thread_record, setup, teardown),
      cmocka_unit_test_setup_teardown(test_events_golden, setup, teardown),
      cmocka_unit_test_setup_teardown(test_events_int_widths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_site_written_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_site_ids_dense, setup, teardown),
      cmocka_unit_test_setup_teardown(test_end_record, setup, teardown),
      cmocka_unit_test_setup_teardown(test_header_magic, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
