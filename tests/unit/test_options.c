/* test_options.c: parsing of MEMSCOPE_* variables against the option table, and trace path expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "options.h"

static _memscope_options_t saved;
static const char *vars[] = {"MEMSCOPE", "MEMSCOPE_BUFFER_KB", "MEMSCOPE_OUT", "MEMSCOPE_VERBOSE",
                             "MEMSCOPE_BOGUS", "MEMSCOPE_SUMMARY", "MEMSCOPE_ENABLE"};

static int setup(void **state) {
  (void)state;
  saved = _memscope_options;
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
  _memscope_options = saved;
  return 0;
}

static void test_values_parsed(void **state) {
  (void)state;
  setenv("MEMSCOPE_BUFFER_KB", "128", 1);
  setenv("MEMSCOPE_OUT", "/tmp/t.%p", 1);
  setenv("MEMSCOPE_VERBOSE", "yes", 1);
  assert_int_equal(_memscope_options_load(), 0);
  assert_int_equal(_memscope_options.buffer_kb, 128);
  assert_string_equal(_memscope_options.out, "/tmp/t.%p");
  assert_true(_memscope_options.verbose);
}

static void test_bad_value_keeps_default(void **state) {
  (void)state;
  size_t before = _memscope_options.buffer_kb;
  setenv("MEMSCOPE_BUFFER_KB", "12x", 1);
  setenv("MEMSCOPE_SUMMARY", "maybe", 1);
  assert_int_equal(_memscope_options_load(), 2);
  assert_int_equal(_memscope_options.buffer_kb, before);
}

static void test_unknown_variable_reported(void **state) {
  (void)state;
  setenv("MEMSCOPE_BOGUS", "1", 1);
  assert_int_equal(_memscope_options_load(), 1);
}

static void test_short_off_switch(void **state) {
  (void)state;
  setenv("MEMSCOPE", "off", 1);
  assert_int_equal(_memscope_options_load(), 0);
  assert_false(_memscope_options.enable);
}

static void test_buffer_size_clamped(void **state) {
  (void)state;
  setenv("MEMSCOPE_BUFFER_KB", "1", 1);
  _memscope_options_load();
  assert_int_equal(_memscope_options.buffer_kb, 4);
}

static void test_help_lists_every_option(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  _memscope_options_print(f);
  fclose(f);
  const char *names[] = {"MEMSCOPE_ENABLE", "MEMSCOPE_OUT", "MEMSCOPE_SAMPLE",
                         "MEMSCOPE_SAMPLE_ALWAYS", "MEMSCOPE_SAMPLE_SEED", "MEMSCOPE_COMPRESS",
                         "MEMSCOPE_BUFFER_KB",
                         "MEMSCOPE_WRITER_THREAD", "MEMSCOPE_STATS", "MEMSCOPE_START", "MEMSCOPE_SIGNAL",
                         "MEMSCOPE_SUMMARY", "MEMSCOPE_VERBOSE",
                         "MEMSCOPE_HELP"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) assert_non_null(strstr(text, names[i]));
  assert_int_equal(_memscope_options_count(), sizeof names / sizeof names[0]);
  free(text);
}

static void test_compress_levels(void **state) {
  (void)state;
  int level = 0;
  assert_int_equal(_memscope_compress_level("off", &level), 0);
  assert_int_equal(_memscope_compress_level("zstd", &level), 1);
  assert_int_equal(level, 1);
  assert_int_equal(_memscope_compress_level("zstd:19", &level), 1);
  assert_int_equal(level, 19);
  assert_int_equal(_memscope_compress_level("zstd:-7", &level), 1);
  assert_int_equal(level, -7);
  const char *bad[] = {"zstd:20", "zstd:-8", "zstd:", "zstd:3x", "zstdx", "gzip", "on"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(_memscope_compress_level(bad[i], &level), -1);
  }
}

static void test_path_expansion(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(_memscope_expand_path("m.%e.%p.%%.msgpack", out, sizeof out, 42, "prog"), 0);
  assert_string_equal(out, "m.prog.42.%.msgpack");
  assert_int_equal(_memscope_expand_path("%e%e%e%e", out, 8, 1, "prog"), MEMSCOPE_ERR_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_values_parsed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_value_keeps_default, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_variable_reported, setup, teardown),
      cmocka_unit_test_setup_teardown(test_short_off_switch, setup, teardown),
      cmocka_unit_test_setup_teardown(test_buffer_size_clamped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_help_lists_every_option, setup, teardown),
      cmocka_unit_test_setup_teardown(test_compress_levels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_path_expansion, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
