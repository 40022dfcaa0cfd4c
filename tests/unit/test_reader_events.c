/* test_reader_events.c: the reader on sampled, handoff and sampling records, and every int format of event payloads. */
#include "reader_log.h"

/* SAMPLED (float32 weight), HANDOFF and SAMPLING, byte by byte. */
static const uint8_t golden_sampled[] = {
    /* header: ["memscope", 1, 0, {}] */
    0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'e', 0x01, 0x00, 0x80,
    /* EVENTS [3, 1, 0, 2, [SAMPLED site 1 +0x10 32 1.5f, HANDOFF site 2 +0]] (bytes 13..28) */
    0x95, 0x03, 0x01, 0x00, 0x02, 0x96, 0x0d, 0x10, 0x20, 0xca, 0x3f, 0xc0, 0x00, 0x00, 0x16, 0x00,
    /* SAMPLING [6, 4, 524288] */
    0x93, 0x06, 0x04, 0xce, 0x00, 0x08, 0x00, 0x00,
    /* END [4, {}] */
    0x92, 0x04, 0x80};

static void test_sampled_handoff_sampling(void **state) {
  (void)state;
  memscope_read_result res;
  char *text;
  assert_int_equal(read_log(golden_sampled, sizeof golden_sampled, &res, &text), 0);
  assert_string_equal(text, "H 1.0 pid=0 program= clock= abi=0 opts=0\n"
                            "E op=5 th=1 t=0 site=1 ptr=10 old=0 size=32 exit=0 w=1.5\n"
                            "E op=6 th=1 t=0 site=2 ptr=10 old=0 size=0 exit=0\n"
                            "P 4 524288\n"
                            "X\n");
  assert_int_equal(res.events, 2);
  assert_int_equal(res.records, 4);
  free(text);
  uint8_t buf[sizeof golden_sampled];
  /* the weight as an unsigned int */
  memcpy(buf, golden_sampled, sizeof buf);
  buf[22] = 0x01;
  assert_int_equal(read_log(buf, sizeof buf, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 22: record 2 (EVENTS): field 'weight' should be a "
                                 "float, found unsigned int");
  free(text);
  /* a negative weight, and a NaN */
  memcpy(buf, golden_sampled, sizeof buf);
  buf[23] = 0xbf;
  assert_int_equal(read_log(buf, sizeof buf, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 22: record 2 (EVENTS): field 'weight' should be a "
                                 "positive finite number, found -1.5");
  free(text);
  buf[23] = 0x7f, buf[24] = 0xc0;
  assert_int_equal(read_log(buf, sizeof buf, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_non_null(strstr(res.error, "found nan"));
  free(text);
  /* too few operands for a SAMPLED */
  memcpy(buf, golden_sampled, sizeof buf);
  buf[18] = 0x93; /* the payload array now ends after SAMPLED's size */
  assert_int_equal(read_log(buf, sizeof buf, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 19: record 2 (EVENTS): event 1 (SAMPLED) needs 3 "
                                 "operands, the payload has 2 left");
  free(text);
  /* SAMPLING with a string mean */
  memcpy(buf, golden_sampled, sizeof buf);
  buf[32] = 0xa0;
  assert_int_equal(read_log(buf, 33, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 32: record 3 (SAMPLING): field 'mean' should be an "
                                 "unsigned int, found str");
  free(text);
  /* a float64 weight is read as well */
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  tb_events_begin(&b, 1, 0);
  tb_tag(&b, 3, 5);
  tb_ptr(&b, 0x40);
  msgpack_pack_uint64(&b.epk, 8);
  msgpack_pack_double(&b.epk, 1048576.25);
  b.nints += 2;
  tb_events_end(&b);
  uint64_t v[12] = {0};
  tb_end(&b, v, 0);
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), 0);
  assert_non_null(strstr(text, "E op=5 th=1 t=0 site=3 ptr=40 old=0 size=8 exit=0 w=1048576.25\n"));
  free(text);
  tb_destroy(&b);
}

/* ---------------------------------------------------------------------------------------------
   Every int format, read from the chunk directly or through the cursor, in batches
------------------------------------------------------------------------------------------------ */
/* A trace of 'n' events of every kind whose operands take every int format. */
static void build_formats(tb *b, unsigned n) {
  static const uint64_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295ull,
                                   4294967296ull, (1ull << 63) + 5, UINT64_MAX};
  static const int64_t deltas[] = {0, 5, -1, -32, -33, -128, -129, 200, -32768, -32769, 70000,
                                   -2147483648ll, -2147483649ll, INT64_MIN + 1, 1ll << 40};
  tb_init(b);
  tb_header(b, 1, 0, 1, "formats");
  tb_site(b, 1, 1, 0, "f.c", 1, 1, "f", "int", "int", "p", 4);
  tb_events_begin(b, 1, 0);
  uint64_t ptr = 0x1000;
  for (unsigned i = 0; i < n; i++) {
    uint64_t next = ptr + (uint64_t)deltas[i % 15];
    uint64_t size = sizes[i % 12], site = 1 + (i % 40) * 7; /* tags of 1 to 3 bytes */
    switch (i % 7) {
    case 0: tb_alloc(b, site, next, size); break;
    case 1: tb_free(b, site, next); break;
    case 2: tb_realloc(b, site, ptr, next, size); break;
    case 3: tb_scope_exit(b, site, next, size); break;
    case 4: tb_sampled(b, site, next, size, 1.5f + (float)i); break;
    case 5: tb_handoff(b, site, next); break;
    default: tb_time(b, i % 3 ? 1 : 300); break;
    }
    ptr = next;
  }
  tb_events_end(b);
  uint64_t v[12] = {0};
  tb_end(b, v, 0);
}

/* A batch consumer that logs like l_event and refuses event number 'stop_after'. */
static int l_events(void *ud, const memscope_trace_event *ev, size_t n, size_t *refused) {
  assert_true(n >= 1 && n <= MEMSCOPE_READ_BATCH);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(ev[i].thread, ev[0].thread);
    if (l_event(ud, &ev[i]) < 0) {
      *refused = i;
      return -1;
    }
  }
  return 0;
}

static const memscope_reader_callbacks batch_cb = {l_header, l_site,  l_thread,   NULL,
                                                   l_message, l_end, l_error, l_sampling,
                                                   l_events};

static void test_int_formats(void **state) {
  (void)state;
  tb b;
  build_formats(&b, 1000);
  memscope_read_result res;
  char *mem;
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &mem), 0);
  assert_int_equal(res.events, 1000 - 1000 / 7);
  /* values that only the long formats hold */
  assert_non_null(strstr(mem, "E op=1 th=1 t=0 site=1 ptr=1000 old=0 size=0 exit=0\n"));
  assert_non_null(strstr(mem, "size=9223372036854775813 exit=0 w=")); /* 2^63 + 5 */
  assert_non_null(strstr(mem, "size=18446744073709551615"));
  assert_non_null(strstr(mem, "exit=4294967296\n"));
  /* the same events from a file, whatever the chunk size, and in batches */
  const char *path = write_tmp("formats.msgpack", b.sb.data, b.sb.size);
  static const size_t chunks[] = {16, 41, 100, 4096, 0};
  for (int k = 0; k < 5; k++) {
    logbuf l;
    log_open(&l);
    assert_int_equal(memscope_read_file(path, chunks[k], &log_cb, &l, &res), 0);
    const char *text = log_close(&l);
    assert_string_equal(text, mem);
    free((char *)text);
    log_open(&l);
    assert_int_equal(memscope_read_file(path, chunks[k], &batch_cb, &l, &res), 0);
    text = log_close(&l);
    assert_string_equal(text, mem);
    free((char *)text);
  }
  /* a batch consumer that refuses an event: the same error, offset and count as one by one */
  for (int stop = 0; stop < 300; stop += 37) {
    memscope_read_result r1, r2;
    logbuf l;
    log_open(&l);
    l.stop_after = stop;
    assert_int_equal(memscope_read_mem(b.sb.data, b.sb.size, "trace", &log_cb, &l, &r1),
                     MEMSCOPE_READ_ECONSUMER);
    free((char *)log_close(&l));
    log_open(&l);
    l.stop_after = stop;
    assert_int_equal(memscope_read_mem(b.sb.data, b.sb.size, "trace", &batch_cb, &l, &r2),
                     MEMSCOPE_READ_ECONSUMER);
    free((char *)log_close(&l));
    assert_string_equal(r1.error, r2.error);
    assert_int_equal(r1.error_offset, r2.error_offset);
    assert_int_equal(r1.events, (uint64_t)stop + 1);
    assert_int_equal(r2.events, (uint64_t)stop + 1);
  }
  free(mem);
  tb_destroy(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sampled_handoff_sampling),
      cmocka_unit_test(test_int_formats),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
