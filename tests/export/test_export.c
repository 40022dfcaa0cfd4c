/* test_export.c: exact output of the folded, pprof (parsed back) and html exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "export.h"
#include "export_trace.h"
#include "profile.pb-c.h"

typedef struct fixture {
  tb b;
  memscope_model m;
  memscope_read_result res;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  export_trace(&f->b);
  if (memscope_model_init(&f->m)) return -1;
  memscope_read_mem(f->b.sb.data, f->b.sb.size, "export.msgpack", memscope_model_callbacks(),
                    &f->m, &f->res);
  memscope_model_finish(&f->m);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  memscope_model_free(&f->m);
  tb_destroy(&f->b);
  free(f);
  return 0;
}

/* Runs an export into memory. */
typedef struct output {
  char *data;
  size_t len;
} output;

static output capture_folded_opts(const memscope_model *m, int live,
                                  const memscope_view_opts *vo) {
  output o = {NULL, 0};
  FILE *f = open_memstream(&o.data, &o.len);
  assert_non_null(f);
  assert_int_equal(memscope_export_folded(f, m, live, vo), 0);
  assert_int_equal(fclose(f), 0);
  return o;
}

static output capture_folded(const memscope_model *m, int live) {
  return capture_folded_opts(m, live, NULL);
}

static void test_model(void **state) {
  fixture *f = *state;
  assert_int_equal(f->res.status, MEMSCOPE_READ_OK);
  assert_int_equal(f->m.allocs, EXPORT_ALLOCS);
  assert_int_equal(f->m.alloc_bytes, EXPORT_ALLOC_BYTES);
  assert_int_equal(f->m.live_blocks, EXPORT_LIVE_BLOCKS);
  assert_int_equal(f->m.live_bytes, EXPORT_LIVE_BYTES);
  assert_int_equal(f->m.peak_bytes, EXPORT_PEAK_BYTES);
}

static void test_folded(void **state) {
  fixture *f = *state;
  output o = capture_folded(&f->m, 0);
  assert_string_equal(o.data, "odd,name.c;(file scope);7 1000\n"
                              "src/buf.c;buf_grow;21:11 char -> b->data 448\n"
                              "src/list.c;make_table;30:9 int -> t->slots 400\n"
                              "src/list.c;make_node;12:15 struct node -> n 240\n"
                              "?;?;site 9 50\n"
                              "src/main.c;main;8:17 char -> name 6\n");
  free(o.data);
}

/* --filter keeps the sites whose file or function matches. */
static void test_folded_filter(void **state) {
  fixture *f = *state;
  memscope_view_opts vo = {0};
  vo.filter = "list\\.c|^main$";
  assert_int_equal(memscope_view_prepare("folded", &vo), 0);
  output o = capture_folded_opts(&f->m, 0, &vo);
  assert_string_equal(o.data, "src/list.c;make_table;30:9 int -> t->slots 400\n"
                              "src/list.c;make_node;12:15 struct node -> n 240\n"
                              "src/main.c;main;8:17 char -> name 6\n");
  free(o.data);
  o = capture_folded_opts(&f->m, 1, &vo);
  output all = capture_folded(&f->m, 1);
  assert_true(o.len < all.len); /* buf.c's leak is gone */
  assert_null(strstr(o.data, "buf.c"));
  free(o.data);
  free(all.data);
}

static void test_folded_live(void **state) {
  fixture *f = *state;
  output o = capture_folded(&f->m, 1);
  assert_string_equal(o.data, "src/list.c;make_node;12:15 struct node -> n 72\n"
                              "?;?;site 9 50\n"
                              "src/main.c;main;8:17 char -> name 6\n");
  free(o.data);
}

static void test_folded_empty(void **state) {
  (void)state;
  tb b;
  tb_init(&b);
  tb_header(&b, 1, 0, 1, "empty");
  memscope_model m;
  memscope_read_result res;
  assert_int_equal(memscope_model_init(&m), 0);
  memscope_read_mem(b.sb.data, b.sb.size, "empty", memscope_model_callbacks(), &m, &res);
  memscope_model_finish(&m);
  assert_int_equal(res.status, MEMSCOPE_READ_ENOEND);
  output o = capture_folded(&m, 0);
  assert_int_equal(o.len, 0);
  free(o.data);
  memscope_model_free(&m);
  tb_destroy(&b);
}

static void test_timeline(void **state) {
  fixture *f = *state;
  memscope_tpoint *p;
  uint64_t width;
  size_t n = _memscope_export_timeline(&f->m, 1200, &p, &width);
  static const uint64_t want[7][3] = {{0, 640, 640},   {1, 640, 640},    {2, 774, 774},
                                      {3, 1952, 1952}, {4, 1952, 1952}, {5, 1952, 128},
                                      {10, 128, 128}};
  assert_int_equal(n, 7);
  assert_int_equal(width, 1);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(p[i].t, want[i][0]);
    assert_int_equal(p[i].bytes, want[i][1]);
    assert_int_equal(p[i].end, want[i][2]);
  }
  free(p);
  /* two points only: the first covers everything, its maximum is the peak */
  n = _memscope_export_timeline(&f->m, 2, &p, &width);
  assert_int_equal(n, 2);
  assert_int_equal(width, 6);
  assert_int_equal(p[0].t, 0);
  assert_int_equal(p[0].bytes, EXPORT_PEAK_BYTES);
  assert_int_equal(p[0].end, EXPORT_LIVE_BYTES);
  assert_int_equal(p[1].t, 10);
  assert_int_equal(p[1].bytes, EXPORT_LIVE_BYTES);
  free(p);
}

/* Gunzips a whole buffer. */
static uint8_t *gunzip(const char *gz, size_t len, size_t *out_len) {
  size_t cap = 1 << 20;
  uint8_t *buf = malloc(cap);
  assert_non_null(buf);
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = (Bytef *)gz, zs.avail_in = (uInt)len;
  zs.next_out = buf, zs.avail_out = (uInt)cap;
  assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
  *out_len = zs.total_out;
  inflateEnd(&zs);
  return buf;
}

static const char *str(const Perftools__Profiles__Profile *p, int64_t i) {
  assert_true(i >= 0 && (size_t)i < p->n_string_table);
  return p->string_table[i];
}

static const Perftools__Profiles__Location *location(const Perftools__Profiles__Profile *p,
                                                     uint64_t id) {
  for (size_t i = 0; i < p->n_location; i++)
    if (p->location[i]->id == id) return p->location[i];
  fail_msg("no location %llu", (unsigned long long)id);
  return NULL;
}

static const Perftools__Profiles__Function *function(const Perftools__Profiles__Profile *p,
                                                     uint64_t id) {
  for (size_t i = 0; i < p->n_function; i++)
    if (p->function[i]->id == id) return p->function[i];
  fail_msg("no function %llu", (unsigned long long)id);
  return NULL;
}

static const char *label(const Perftools__Profiles__Profile *p,
                         const Perftools__Profiles__Sample *s, const char *key) {
  for (size_t i = 0; i < s->n_label; i++)
    if (!strcmp(str(p, s->label[i]->key), key)) return str(p, s->label[i]->str);
  return NULL;
}

static void test_pprof(void **state) {
  fixture *f = *state;
  output o = {NULL, 0};
  FILE *fp = open_memstream(&o.data, &o.len);
  char err[128] = "";
  assert_int_equal(memscope_export_pprof(fp, &f->m, "export.msgpack", err, sizeof err, NULL), 0);
  assert_int_equal(fclose(fp), 0);
  assert_true((uint8_t)o.data[0] == 0x1f && (uint8_t)o.data[1] == 0x8b); /* gzip magic */
  size_t len;
  uint8_t *raw = gunzip(o.data, o.len, &len);
  Perftools__Profiles__Profile *p = perftools__profiles__profile__unpack(NULL, len, raw);
  assert_non_null(p);

  assert_string_equal(p->string_table[0], "");
  static const char *const types[4][2] = {
      {"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
      {"inuse_space", "bytes"}};
  assert_int_equal(p->n_sample_type, 4);
  for (int i = 0; i < 4; i++) {
    assert_string_equal(str(p, p->sample_type[i]->type), types[i][0]);
    assert_string_equal(str(p, p->sample_type[i]->unit), types[i][1]);
  }
  assert_string_equal(str(p, p->default_sample_type), "alloc_space");
  assert_int_equal(p->duration_nanos, 10 * 1000000);
  assert_int_equal(p->time_nanos, 1700000000000000000ll);
  assert_int_equal(p->n_comment, 1);
  assert_string_equal(str(p, p->comment[0]), "memscope trace export.msgpack of shop (pid 4242)");
  assert_int_equal(p->n_mapping, 1);
  assert_string_equal(str(p, p->mapping[0]->filename), "shop");

  /* totals equal the model's */
  int64_t sum[4] = {0, 0, 0, 0};
  assert_int_equal(p->n_sample, 6);
  const Perftools__Profiles__Sample *node = NULL;
  for (size_t i = 0; i < p->n_sample; i++) {
    const Perftools__Profiles__Sample *s = p->sample[i];
    assert_int_equal(s->n_value, 4);
    for (int k = 0; k < 4; k++) sum[k] += s->value[k];
    assert_int_equal(s->n_location_id, 2);
    const Perftools__Profiles__Location *leaf = location(p, s->location_id[0]);
    assert_int_equal(leaf->n_line, 1);
    const char *name = str(p, function(p, leaf->line[0]->function_id)->name);
    if (!strcmp(name, "make_node [src/list.c:12:15 struct node -> n]")) node = s;
  }
  assert_int_equal(sum[0], (int64_t)f->m.allocs);
  assert_int_equal(sum[1], (int64_t)f->m.alloc_bytes);
  assert_int_equal(sum[2], (int64_t)f->m.live_blocks);
  assert_int_equal(sum[3], (int64_t)f->m.live_bytes);
  assert_int_equal(sum[1], EXPORT_ALLOC_BYTES);
  assert_int_equal(sum[3], EXPORT_LIVE_BYTES);

  /* one site in detail: values, frames, labels */
  assert_non_null(node);
  assert_int_equal(node->value[0], 10);
  assert_int_equal(node->value[1], 240);
  assert_int_equal(node->value[2], 3);
  assert_int_equal(node->value[3], 72);
  const Perftools__Profiles__Location *leaf = location(p, node->location_id[0]);
  const Perftools__Profiles__Function *fn = function(p, leaf->line[0]->function_id);
  assert_string_equal(str(p, fn->filename), "src/list.c");
  assert_int_equal(leaf->line[0]->line, 12);
  assert_int_equal(leaf->line[0]->column, 15);
  const Perftools__Profiles__Location *parent = location(p, node->location_id[1]);
  fn = function(p, parent->line[0]->function_id);
  assert_string_equal(str(p, fn->name), "make_node");
  assert_string_equal(str(p, fn->filename), "src/list.c");
  assert_string_equal(label(p, node, "kind"), "malloc");
  assert_string_equal(label(p, node, "type"), "struct node");
  assert_string_equal(label(p, node, "variable"), "n");
  /* every (file, function) frame once: 6 site frames and 6 function frames */
  assert_int_equal(p->n_location, 12);
  assert_int_equal(p->n_function, 12);

  perftools__profiles__profile__free_unpacked(p, NULL);
  free(raw);
  free(o.data);
}

/* --filter: only the samples of the sites it keeps. */
static void test_pprof_filter(void **state) {
  fixture *f = *state;
  memscope_view_opts vo = {0};
  vo.filter = "^make_";
  assert_int_equal(memscope_view_prepare("pprof", &vo), 0);
  output o = {NULL, 0};
  FILE *fp = open_memstream(&o.data, &o.len);
  char err[128] = "";
  assert_int_equal(memscope_export_pprof(fp, &f->m, "export.msgpack", err, sizeof err, &vo), 0);
  assert_int_equal(fclose(fp), 0);
  size_t len;
  uint8_t *raw = gunzip(o.data, o.len, &len);
  Perftools__Profiles__Profile *p = perftools__profiles__profile__unpack(NULL, len, raw);
  assert_non_null(p);
  assert_int_equal(p->n_sample, 2); /* make_node and make_table */
  int64_t bytes = 0;
  for (size_t i = 0; i < p->n_sample; i++) bytes += p->sample[i]->value[1];
  assert_int_equal(bytes, 240 + 400);
  perftools__profiles__profile__free_unpacked(p, NULL);
  free(raw);
  free(o.data);
}

static void test_html(void **state) {
  fixture *f = *state;
  output o = {NULL, 0};
  FILE *fp = open_memstream(&o.data, &o.len);
  memscope_view_opts vo = {0};
  vo.trace = "a<b>.msgpack";
  assert_int_equal(memscope_export_html(fp, &f->m, &f->res, &vo), 0);
  assert_int_equal(fclose(fp), 0);
  assert_true(!strncmp(o.data, "<!doctype html>\n", 16));
  assert_non_null(strstr(o.data, "</body></html>\n"));
  /* offline: nothing is loaded from elsewhere */
  /* the only URL is the SVG namespace name, which is never fetched */
  for (const char *u = strstr(o.data, "http"); u; u = strstr(u + 1, "http"))
    assert_true(!strncmp(u, "http://www.w3.org/2000/svg'", 27));
  for (const char *u = strstr(o.data, "url("); u; u = strstr(u + 1, "url("))
    assert_true(u[4] == '#' || (u[4] == '\'' && u[5] == '#')); /* references within the page */
  assert_null(strstr(o.data, "@import"));
  assert_null(strstr(o.data, "<script src"));
  assert_null(strstr(o.data, "<link"));
  /* the data island: escaped names, exact totals, timeline and one site row */
  assert_non_null(strstr(o.data, "trace a&lt;b&gt;.msgpack"));
  assert_non_null(strstr(o.data, "{\"trace\":\"a\\u003cb\\u003e.msgpack\",\"program\":\"shop\","
                                 "\"pid\":4242,\"complete\":true,\"error\":\"\","
                                 "\"duration_ms\":10,\"threads\":1,\"allocs\":17,"
                                 "\"alloc_bytes\":2144,\"frees\":10,"));
  assert_non_null(strstr(o.data, "\"peak_bytes\":1952,\"peak_t\":3,\"live_blocks\":5,"
                                 "\"live_bytes\":128,\"width_ms\":1,\"timeline\":[[0,640,640],"
                                 "[1,640,640],[2,774,774],[3,1952,1952],[4,1952,1952],"
                                 "[5,1952,128],[10,128,128]]"));
  assert_non_null(strstr(o.data, "[1,\"malloc\",\"src/list.c\",\"make_node\",12,15,"
                                 "\"struct node\",\"n\",10,240,3,72,24]"));
  assert_non_null(strstr(o.data, "[9,\"-\",\"?\",\"site 9\",0,0,\"\",\"\",1,50,1,50,50]"));
  assert_null(strstr(o.data, "id=\"incomplete\""));
  free(o.data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_model),       cmocka_unit_test(test_folded),
      cmocka_unit_test(test_folded_filter), cmocka_unit_test(test_pprof_filter),
      cmocka_unit_test(test_folded_live), cmocka_unit_test(test_folded_empty),
      cmocka_unit_test(test_timeline),    cmocka_unit_test(test_pprof),
      cmocka_unit_test(test_html),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
