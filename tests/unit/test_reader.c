/* test_reader.c: the trace reader on golden bytes, every error case with its offset, and cuts. */
#include "reader_log.h"

#include <zstd.h>

/* ---------------------------------------------------------------------------------------------
   Golden bytes
------------------------------------------------------------------------------------------------ */
static const uint8_t golden[] = {
    /* header: ["memscope", 1, 0, {"pid": 4242, "program": "demo"}] */
    0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'e', 0x01, 0x00, 0x82, 0xa3, 'p', 'i', 'd', 0xcd,
    0x10, 0x92, 0xa7, 'p', 'r', 'o', 'g', 'r', 'a', 'm', 0xa4, 'd', 'e', 'm', 'o',
    /* SITE [1, 2, 1, 0, "x.c", 12, 5, "main", "int", "", "p", 0] (bytes 33..58) */
    0x9c, 0x01, 0x02, 0x01, 0x00, 0xa3, 'x', '.', 'c', 0x0c, 0x05, 0xa4, 'm', 'a', 'i', 'n', 0xa3,
    'i', 'n', 't', 0xa0, 0xa1, 'p', 0x00,
    /* THREAD [2, 1, 4242, "demo"] */
    0x94, 0x02, 0x01, 0xcd, 0x10, 0x92, 0xa4, 'd', 'e', 'm', 'o',
    /* EVENTS [3, 1, 7, 2, [ALLOC site 2 +0x5581a0 24, TIME 3, FREE site 2 +0]] */
    0x95, 0x03, 0x01, 0x07, 0x02, 0x96, 0x11, 0xce, 0x00, 0x55, 0x81, 0xa0, 0x18, 0x18, 0x12, 0x00,
    /* END [4, {"alloc_count": 1, "error": -1}] */
    0x92, 0x04, 0x82, 0xab, 'a', 'l', 'l', 'o', 'c', '_', 'c', 'o', 'u', 'n', 't', 0x01, 0xa5, 'e',
    'r', 'r', 'o', 'r', 0xff};

static const char golden_log[] =
    "H 1.0 pid=4242 program=demo clock= abi=0 opts=0\n"
    "S 2 k=1 f=0 x.c:12:5 main|int||p|0\n"
    "T 1 4242 demo\n"
    "E op=1 th=1 t=7 site=2 ptr=5581a0 old=0 size=24 exit=0\n"
    "E op=2 th=1 t=10 site=2 ptr=5581a0 old=0 size=0 exit=0\n"
    "X alloc_count=1 error=-1\n";

static void test_golden_bytes(void **state) {
  (void)state;
  memscope_read_result res;
  char *text;
  assert_int_equal(read_log(golden, sizeof golden, &res, &text), 0);
  assert_string_equal(text, golden_log);
  assert_int_equal(res.status, 0);
  assert_int_equal(res.complete, 1);
  assert_int_equal(res.records, 5);
  assert_int_equal(res.events, 2);
  assert_int_equal(res.bytes, sizeof golden);
  assert_string_equal(res.error, "");
  free(text);
}

/* The same log from a file, whatever the chunk size. */
static void test_golden_file_chunks(void **state) {
  (void)state;
  const char *path = write_tmp("golden.msgpack", golden, sizeof golden);
  size_t chunks[] = {16, 17, 23, 64, 0};
  for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
    logbuf l;
    log_open(&l);
    memscope_read_result res;
    assert_int_equal(memscope_read_file(path, chunks[i], &log_cb, &l, &res), 0);
    char *text = (char *)log_close(&l);
    assert_string_equal(text, golden_log);
    assert_int_equal(res.file_bytes, sizeof golden);
    free(text);
  }
}

/* ---------------------------------------------------------------------------------------------
   A bigger trace from the builder, with record boundaries
------------------------------------------------------------------------------------------------ */
#define MAX_RECS 32
typedef struct built {
  tb b;
  size_t ends[MAX_RECS]; /* end offset of each record, [0] = header */
  const char *names[MAX_RECS];
  int n;
} built;

static void mark(built *t, const char *name) {
  t->ends[t->n] = tb_size(&t->b);
  t->names[t->n++] = name;
}

static void build_sample(built *t) {
  memset(t, 0, sizeof *t);
  tb_init(&t->b);
  tb_header(&t->b, 1, 0, 777, "sample");
  mark(t, "header");
  tb_site(&t->b, 1, 1, 0, "src/list.c", 40, 17, "list_push", "struct item", "struct item", "it",
          24);
  mark(t, "SITE");
  tb_site(&t->b, 2, 4, 0, "src/list.c", 60, 5, "list_pop", "", "", "", 0);
  mark(t, "SITE");
  tb_thread(&t->b, 1, 1001, "main");
  mark(t, "THREAD");
  tb_events_begin(&t->b, 1, 0);
  tb_alloc(&t->b, 1, 0x7f0000001000ull, 24);
  tb_alloc(&t->b, 1, 0x7f0000000f00ull, 48); /* negative delta */
  tb_time(&t->b, 2);
  tb_free(&t->b, 2, 0x7f0000001000ull);
  tb_realloc(&t->b, 3, 0x7f0000000f00ull, 0x7f0000002000ull, 96);
  tb_events_end(&t->b);
  mark(t, "EVENTS");
  tb_message(&t->b, 2, "tracing paused");
  mark(t, "MESSAGE");
  tb_events_begin(&t->b, 1, 5);
  tb_scope_exit(&t->b, 4, 0x7f0000002000ull, 5);
  tb_handoff(&t->b, 6, 0x7f0000002000ull);
  tb_sampled(&t->b, 1, 0x7f0000003000ull, 40, 2.5f);
  tb_time(&t->b, 300);
  tb_free(&t->b, 2, 0x7f0000002000ull);
  tb_events_end(&t->b);
  mark(t, "EVENTS");
  tb_sampling(&t->b, 305, 524288);
  mark(t, "SAMPLING");
  uint64_t v[12] = {8, 8, 0, 2, tb_size(&t->b), 65536, 1, 3, 2, 168, 144, 305};
  tb_end(&t->b, v, 0);
  mark(t, "END");
}

static const char sample_log[] =
    "H 1.0 pid=777 program=sample clock=ms abi=1 opts=1\n"
    "O MEMSCOPE_OUT=trace.%%p.msgpack\n"
    "S 1 k=1 f=0 src/list.c:40:17 list_push|struct item|struct item|it|24\n"
    "S 2 k=4 f=0 src/list.c:60:5 list_pop||||0\n"
    "T 1 1001 main\n"
    "E op=1 th=1 t=0 site=1 ptr=7f0000001000 old=0 size=24 exit=0\n"
    "E op=1 th=1 t=0 site=1 ptr=7f0000000f00 old=0 size=48 exit=0\n"
    "E op=2 th=1 t=2 site=2 ptr=7f0000001000 old=0 size=0 exit=0\n"
    "E op=3 th=1 t=2 site=3 ptr=7f0000002000 old=7f0000000f00 size=96 exit=0\n"
    "M 2 tracing paused\n"
    "E op=4 th=1 t=5 site=4 ptr=7f0000002000 old=0 size=0 exit=5\n"
    "E op=6 th=1 t=5 site=6 ptr=7f0000002000 old=0 size=0 exit=0\n"
    "E op=5 th=1 t=5 site=1 ptr=7f0000003000 old=0 size=40 exit=0 w=2.5\n"
    "E op=2 th=1 t=305 site=2 ptr=7f0000002000 old=0 size=0 exit=0\n"
    "P 305 524288\n"
    "X events_seen=8 events_recorded=8 events_dropped=0 buffers_flushed=2 bytes_written=%zu "
    "runtime_bytes=65536 threads=1 alloc_count=3 free_count=2 alloc_bytes=168 peak_bytes=144 "
    "duration_ms=305 error=0\n";

static void test_sample_trace(void **state) {
  (void)state;
  built t;
  build_sample(&t);
  memscope_read_result res;
  char *text, expect[2048];
  snprintf(expect, sizeof expect, sample_log, t.ends[7]);
  assert_int_equal(read_log(t.b.sb.data, t.b.sb.size, &res, &text), 0);
  assert_string_equal(text, expect);
  assert_int_equal(res.records, 9);
  assert_int_equal(res.events, 8);
  free(text);
  /* the same with TIME events included in the count */
  built t2;
  build_sample(&t2);
  tb_destroy(&t2.b);
  tb_init(&t2.b);
  t2.b.count_time = 1;
  tb_header(&t2.b, 1, 0, 1, "x");
  tb_events_begin(&t2.b, 1, 0);
  tb_time(&t2.b, 1);
  tb_alloc(&t2.b, 1, 16, 8);
  tb_events_end(&t2.b);
  uint64_t v[12] = {0};
  tb_end(&t2.b, v, 0);
  assert_int_equal(read_log(t2.b.sb.data, t2.b.sb.size, &res, &text), 0);
  free(text);
  tb_destroy(&t2.b);
  tb_destroy(&t.b);
}

/* Every cut of the sample: a truncation inside a record names the cut and the record; a cut at
   a record boundary is a missing END. */
static void test_every_cut(void **state) {
  (void)state;
  built t;
  build_sample(&t);
  const char *path = write_tmp("cut.msgpack", t.b.sb.data, t.b.sb.size);
  for (size_t len = 1; len < t.b.sb.size; len++) {
    memscope_read_result res;
    char *text, expect[256];
    int rc = read_log(t.b.sb.data, len, &res, &text);
    free(text);
    int k = 0;
    while (t.ends[k] < len) k++;
    size_t start = k ? t.ends[k - 1] : 0;
    if (t.ends[k] == len) {
      assert_int_equal(rc, MEMSCOPE_READ_ENOEND);
      snprintf(expect, sizeof expect,
               "trace: incomplete at byte %zu: no END record after %d records (the program did "
               "not finish writing the trace)",
               len, k + 1);
      assert_int_equal(res.bytes, len);
    } else {
      assert_int_equal(rc, MEMSCOPE_READ_ETRUNC);
      snprintf(expect, sizeof expect,
               "trace: truncated at byte %zu: record %d (%s, starting at byte %zu) is incomplete",
               len, k + 1, k == 0 || len - start > 1 ? t.names[k] : "type unknown", start);
      assert_int_equal(res.bytes, start);
      assert_int_equal(res.error_offset, len);
    }
    if (strcmp(res.error, expect)) fail_msg("cut at %zu: got '%s', want '%s'", len, res.error, expect);
    /* the file reader agrees, with a chunk smaller than most records */
    assert_int_equal(truncate(path, (off_t)len), 0);
    memscope_read_result fres;
    char *ftext;
    logbuf l;
    log_open(&l);
    memscope_read_file(path, 16, &log_cb, &l, &fres);
    ftext = (char *)log_close(&l);
    free(ftext);
    char fexpect[300];
    snprintf(fexpect, sizeof fexpect, "%s%s", path, expect + strlen("trace"));
    assert_string_equal(fres.error, fexpect);
    FILE *f = fopen(path, "wb");
    fwrite(t.b.sb.data, 1, t.b.sb.size, f);
    fclose(f);
  }
  tb_destroy(&t.b);
}

/* ---------------------------------------------------------------------------------------------
   Errors
------------------------------------------------------------------------------------------------ */
static void test_empty_file(void **state) {
  (void)state;
  const char *path = write_tmp("empty.msgpack", "", 0);
  memscope_read_result res;
  assert_int_equal(memscope_read_file(path, 0, &log_cb, NULL, &res), MEMSCOPE_READ_EEMPTY);
  char expect[300];
  snprintf(expect, sizeof expect, "%s: empty file (0 bytes): not a memscope trace", path);
  assert_string_equal(res.error, expect);
  assert_int_equal(memscope_read_mem("", 0, "e", NULL, NULL, &res), MEMSCOPE_READ_EEMPTY);
}

static void test_cannot_open(void **state) {
  (void)state;
  memscope_read_result res;
  assert_int_equal(memscope_read_file("/nonexistent/t.msgpack", 0, NULL, NULL, &res),
                   MEMSCOPE_READ_EOPEN);
  assert_string_equal(res.error, "/nonexistent/t.msgpack: cannot open: No such file or directory");
}

static void test_wrong_magic(void **state) {
  (void)state;
  static const uint8_t elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0};
  memscope_read_result res;
  char *text;
  assert_int_equal(read_log(elf, sizeof elf, &res, &text), MEMSCOPE_READ_EMAGIC);
  assert_string_equal(res.error, "trace: byte 0: not a memscope trace: expected the magic 94 a8 "
                                 "\"memscope\", found 7f 45 4c 46 02 01 01 00 00 00");
  assert_string_equal(text, "");
  free(text);
  /* right array, wrong string */
  static const uint8_t other[] = {0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'x', 1, 0, 0x80};
  assert_int_equal(read_log(other, sizeof other, &res, &text), MEMSCOPE_READ_EMAGIC);
  free(text);
  /* a prefix of the magic is a truncated header */
  assert_int_equal(read_log(other, 5, &res, &text), MEMSCOPE_READ_ETRUNC);
  assert_string_equal(res.error, "trace: truncated at byte 5: record 1 (header, starting at byte "
                                 "0) is incomplete");
  free(text);
}

static void test_newer_major(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 3, 0, 1, "x");
  memscope_read_result res;
  char *text;
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_EVERSION);
  assert_string_equal(res.error, "trace: byte 10: expected format major version <= 2, found 3 "
                                 "(the trace was written by a newer memscope)");
  assert_int_equal(res.error_offset, 10);
  assert_string_equal(text, "");
  free(text);
  /* a newer minor version is read */
  tb_destroy(&b);
  tb_init(&b);
  tb_header(&b, 1, 7, 1, "x");
  uint64_t v[12] = {0};
  tb_end(&b, v, 0);
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), 0);
  free(text);
  tb_destroy(&b);
}

static void test_unknown_op(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  size_t rec = tb_size(&b);
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x1000, 8); /* 1 + 3 + 1 bytes */
  tb_tag(&b, 1, 7);
  tb_events_end(&b);
  memscope_read_result res;
  char *text, expect[200];
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  /* record header 0x95 0x03 0x01 0x00 0x01 0x94 is 6 bytes, the ALLOC 5 */
  snprintf(expect, sizeof expect,
           "trace: byte %zu: record 2 (EVENTS): event 2 has unknown op 7 (tag 15)", rec + 11);
  assert_string_equal(res.error, expect);
  assert_int_equal(res.error_offset, rec + 11);
  assert_string_equal(text, "H 1.0 pid=1 program=x clock=ms abi=1 opts=1\n"
                            "O MEMSCOPE_OUT=trace.%p.msgpack\n"
                            "E op=1 th=1 t=0 site=1 ptr=1000 old=0 size=8 exit=0\n");
  free(text);
  tb_destroy(&b);
}

static void test_wrong_types(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  size_t rec = tb_size(&b);
  /* SITE with the line as a string */
  msgpack_pack_array(&b.pk, 12);
  msgpack_pack_uint8(&b.pk, 1);
  msgpack_pack_uint8(&b.pk, 1);
  msgpack_pack_uint8(&b.pk, 1);
  msgpack_pack_uint8(&b.pk, 0);
  tb_str(&b.pk, "a.c");
  tb_str(&b.pk, "12");
  memscope_read_result res;
  char *text, expect[200];
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  snprintf(expect, sizeof expect,
           "trace: byte %zu: record 2 (SITE): field 'line' should be an unsigned int, found str",
           rec + 9);
  assert_string_equal(res.error, expect);
  free(text);

  /* a negative size in an ALLOC */
  tb_destroy(&b);
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  rec = tb_size(&b);
  tb_events_begin(&b, 1, 0);
  tb_tag(&b, 1, 1);
  tb_ptr(&b, 0x20);
  msgpack_pack_int64(&b.epk, -4);
  b.nints++;
  tb_events_end(&b);
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  snprintf(expect, sizeof expect,
           "trace: byte %zu: record 2 (EVENTS): field 'size' should be an unsigned int, found "
           "negative int",
           rec + 8);
  assert_string_equal(res.error, expect);
  free(text);

  /* a record that is not an array, and one whose type is a string */
  static const uint8_t hdr[] = {0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'e', 1, 0, 0x80};
  uint8_t buf[32];
  memcpy(buf, hdr, sizeof hdr);
  buf[13] = 0x81, buf[14] = 0x01, buf[15] = 0x02;
  assert_int_equal(read_log(buf, 16, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 13: record 2 should be a non-empty array, found map");
  free(text);
  buf[13] = 0x92, buf[14] = 0xa1, buf[15] = 'x', buf[16] = 0x00;
  assert_int_equal(read_log(buf, 17, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 14: record 2 (type unknown): field 'type' should be "
                                 "an unsigned int, found str");
  free(text);
  buf[13] = 0x91, buf[14] = 0xc1;
  assert_int_equal(read_log(buf, 15, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 14: record 2 (type unknown): field 'type' should be "
                                 "an unsigned int, found byte 0xc1 (never used)");
  free(text);
  /* too few fields */
  buf[13] = 0x93, buf[14] = 0x02, buf[15] = 0x01, buf[16] = 0x01;
  assert_int_equal(read_log(buf, 17, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_string_equal(res.error, "trace: byte 13: record 2 (THREAD) has 3 fields, expected at "
                                 "least 4");
  free(text);
  tb_destroy(&b);
}

static void test_missing_end_and_trailing_data(void **state) {
  (void)state;
  built t;
  build_sample(&t);
  memscope_read_result res;
  char *text;
  /* without END */
  assert_int_equal(read_log(t.b.sb.data, t.ends[7], &res, &text), MEMSCOPE_READ_ENOEND);
  assert_int_equal(res.complete, 0);
  assert_int_equal(res.events, 8);
  free(text);
  /* bytes after END */
  tb_message(&t.b, 1, "late");
  assert_int_equal(read_log(t.b.sb.data, t.b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  char expect[120];
  snprintf(expect, sizeof expect, "trace: byte %zu: unexpected data after the END record",
           t.ends[8]);
  assert_string_equal(res.error, expect);
  assert_int_equal(res.complete, 1);
  free(text);
  tb_destroy(&t.b);
}

static void test_count_mismatch(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  size_t rec = tb_size(&b);
  tb_events_begin(&b, 1, 0);
  tb_alloc(&b, 1, 0x1000, 8);
  b.nev++; /* claims one event more */
  tb_events_end(&b);
  memscope_read_result res;
  char *text, expect[160];
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  snprintf(expect, sizeof expect,
           "trace: byte %zu: record 2 (EVENTS): count says 2 events, the payload holds 1", rec);
  assert_string_equal(res.error, expect);
  free(text);
  /* a payload that stops inside an event */
  tb_destroy(&b);
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "x");
  rec = tb_size(&b);
  tb_events_begin(&b, 1, 0);
  tb_tag(&b, 1, 3);
  tb_ptr(&b, 0x10);
  tb_events_end(&b);
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), MEMSCOPE_READ_ECORRUPT);
  snprintf(expect, sizeof expect,
           "trace: byte %zu: record 2 (EVENTS): event 1 (REALLOC) needs 3 operands, the payload "
           "has 1 left",
           rec + 6);
  assert_string_equal(res.error, expect);
  free(text);
  tb_destroy(&b);
}

/* Unknown record types and extra fields are skipped. */
static void test_forward_compatible(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 3, 1, "x");
  msgpack_pack_array(&b.pk, 4); /* [9, {"a": [1, [2, nil]]}, bin, 1.5] */
  msgpack_pack_uint8(&b.pk, 9);
  msgpack_pack_map(&b.pk, 1);
  tb_str(&b.pk, "a");
  msgpack_pack_array(&b.pk, 2);
  msgpack_pack_uint8(&b.pk, 1);
  msgpack_pack_array(&b.pk, 2);
  msgpack_pack_uint8(&b.pk, 2);
  msgpack_pack_nil(&b.pk);
  msgpack_pack_bin(&b.pk, 3);
  msgpack_pack_bin_body(&b.pk, "abc", 3);
  msgpack_pack_double(&b.pk, 1.5);
  msgpack_pack_array(&b.pk, 6); /* THREAD with two extra fields */
  msgpack_pack_uint8(&b.pk, 2);
  msgpack_pack_uint8(&b.pk, 1);
  msgpack_pack_uint16(&b.pk, 300);
  tb_str(&b.pk, "w");
  tb_str(&b.pk, "future");
  msgpack_pack_map(&b.pk, 0);
  msgpack_pack_array(&b.pk, 2); /* END with a value of another type */
  msgpack_pack_uint8(&b.pk, 4);
  msgpack_pack_map(&b.pk, 2);
  tb_str(&b.pk, "ratio");
  msgpack_pack_double(&b.pk, 0.5);
  tb_str(&b.pk, "threads");
  msgpack_pack_uint8(&b.pk, 1);
  memscope_read_result res;
  char *text;
  assert_int_equal(read_log(b.sb.data, b.sb.size, &res, &text), 0);
  assert_string_equal(text, "H 1.3 pid=1 program=x clock=ms abi=1 opts=1\n"
                            "O MEMSCOPE_OUT=trace.%p.msgpack\n"
                            "T 1 300 w\n"
                            "X threads=1\n");
  assert_int_equal(res.records, 4);
  free(text);
  tb_destroy(&b);
}

/* Major version 2: the bytes after the header are one zstd stream of version-1 records, flushed
   per write; the reader gives the same log, and a cut stream gives the records before the cut. */
static void test_compressed(void **state) {
  (void)state;
  tb plain, z;
  tb_init(&plain);
  tb_init(&z);
  tb_header(&plain, 1, 0, 1, "x");
  tb_header(&z, 2, 0, 1, "x");
  size_t header = tb_size(&z);
  tb_thread(&z, 1, 300, "w");
  tb_events_begin(&z, 1, 5);
  for (uint64_t i = 0; i < 200; i++) tb_alloc(&z, 0, 0x1000 + 64 * i, 24);
  tb_events_end(&z);
  uint64_t end[12] = {200};
  tb_end(&z, end, 0);
  /* the same records after plain's header */
  msgpack_sbuffer_write(&plain.sb, z.sb.data + header, z.sb.size - header);
  memscope_read_result res;
  char *want;
  assert_int_equal(read_log(plain.sb.data, plain.sb.size, &res, &want), 0);
  size_t raw = z.sb.size - header, cap = header + ZSTD_compressBound(raw);
  char *file = malloc(cap);
  memcpy(file, z.sb.data, header);
  size_t n = ZSTD_compress(file + header, cap - header, z.sb.data + header, raw, 3);
  assert_false(ZSTD_isError(n));
  char *text;
  assert_int_equal(read_log(file, header + n, &res, &text), 0);
  assert_string_equal(text + strlen("H 2.0"), want + strlen("H 1.0"));
  assert_int_equal(res.events, 200);
  assert_int_equal(res.file_bytes, header + n);
  free(text);
  const char *path = write_tmp("compressed.msgpack", file, header + n);
  logbuf l;
  log_open(&l);
  assert_int_equal(memscope_read_file(path, 16, &log_cb, &l, &res), 0);
  text = (char *)log_close(&l);
  assert_string_equal(text + strlen("H 2.0"), want + strlen("H 1.0"));
  free(text);
  /* cut inside the stream: not an error of the stream, an incomplete trace (one zstd block
     here, so nothing after the header decompresses) */
  assert_int_equal(read_log(file, header + n - 1, &res, &text), MEMSCOPE_READ_ENOEND);
  assert_int_equal(res.complete, 0);
  free(text);
  /* not zstd at all after a version-2 header */
  memset(file + header, 0x55, n);
  assert_int_equal(read_log(file, header + n, &res, &text), MEMSCOPE_READ_ECORRUPT);
  assert_non_null(strstr(res.error, "the compressed stream is corrupt"));
  free(text);
  free(file);
  free(want);
  tb_destroy(&plain);
  tb_destroy(&z);
}

static void test_consumer_stops(void **state) {
  (void)state;
  built t;
  build_sample(&t);
  logbuf l;
  log_open(&l);
  l.stop_after = 2;
  memscope_read_result res;
  assert_int_equal(memscope_read_mem(t.b.sb.data, t.b.sb.size, "trace", &log_cb, &l, &res),
                   MEMSCOPE_READ_ECONSUMER);
  free((char *)log_close(&l));
  /* the third event (the FREE at t=2) starts 6 + 11 + 5 + 1 bytes into the EVENTS record */
  char expect[160];
  snprintf(expect, sizeof expect, "trace: byte %zu: record 5 (EVENTS): the consumer had enough",
           t.ends[3] + 6 + 11 + 5 + 1);
  assert_string_equal(res.error, expect);
  tb_destroy(&t.b);
}

/* Random damage never crashes or hangs; every result is an error with a message, or a clean
   read. */
static void test_mutations(void **state) {
  (void)state;
  built t;
  build_sample(&t);
  size_t n = t.b.sb.size;
  uint8_t *buf = malloc(n);
  srand(12345);
  for (int round = 0; round < 20000; round++) {
    memcpy(buf, t.b.sb.data, n);
    int k = 1 + rand() % 4;
    for (int j = 0; j < k; j++) buf[rand() % n] = (uint8_t)rand();
    size_t len = (size_t)(rand() % 4 ? n : (size_t)rand() % n);
    memscope_read_result res;
    memscope_read_mem(buf, len, "m", NULL, NULL, &res);
    if (res.status) assert_true(strlen(res.error) > 3);
    else assert_int_equal(res.complete, 1);
  }
  free(buf);
  tb_destroy(&t.b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_golden_bytes),
      cmocka_unit_test(test_golden_file_chunks),
      cmocka_unit_test(test_sample_trace),
      cmocka_unit_test(test_every_cut),
      cmocka_unit_test(test_empty_file),
      cmocka_unit_test(test_cannot_open),
      cmocka_unit_test(test_wrong_magic),
      cmocka_unit_test(test_newer_major),
      cmocka_unit_test(test_unknown_op),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_missing_end_and_trailing_data),
      cmocka_unit_test(test_count_mismatch),
      cmocka_unit_test(test_forward_compatible),
      cmocka_unit_test(test_compressed),
      cmocka_unit_test(test_consumer_stops),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
