/* json.h: a small streaming JSON writer for the --json output of the views. */
#ifndef MEMSCOPE_JSON_H
#define MEMSCOPE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MEMSCOPE_JSON_MAX_DEPTH 32

/* Writes one compact JSON document: commas and nesting are handled by the writer, keys are
   given with memscope_json_key (or the k* shorthands) inside objects. */
typedef struct memscope_json {
  FILE *out;
  unsigned depth;
  int after_key;                          /* a key was written, its value comes next */
  uint8_t count[MEMSCOPE_JSON_MAX_DEPTH]; /* non-zero once the container holds an item */
  int error;                              /* nesting too deep or unbalanced */
} memscope_json;

void memscope_json_init(memscope_json *j, FILE *out);
void memscope_json_object(memscope_json *j);
void memscope_json_end_object(memscope_json *j);
void memscope_json_array(memscope_json *j);
void memscope_json_end_array(memscope_json *j);
void memscope_json_key(memscope_json *j, const char *key);
/* Strings are written as UTF-8 with JSON escapes; bytes that are not valid UTF-8 become
   U+FFFD, so any input gives valid JSON. */
void memscope_json_str(memscope_json *j, const char *s);
void memscope_json_strn(memscope_json *j, const char *s, size_t len);
void memscope_json_uint(memscope_json *j, uint64_t v);
void memscope_json_int(memscope_json *j, int64_t v);
/* Up to 6 significant digits; NaN and infinities as null. */
void memscope_json_double(memscope_json *j, double v);
void memscope_json_bool(memscope_json *j, int v);
void memscope_json_null(memscope_json *j);
/* key + value */
void memscope_json_kstr(memscope_json *j, const char *key, const char *s);
void memscope_json_kuint(memscope_json *j, const char *key, uint64_t v);
void memscope_json_kint(memscope_json *j, const char *key, int64_t v);
void memscope_json_kdouble(memscope_json *j, const char *key, double v);
void memscope_json_kbool(memscope_json *j, const char *key, int v);
/* Ends the document with a newline; returns 0, or -1 when it is unbalanced or writing failed. */
int memscope_json_finish(memscope_json *j);

#endif /* MEMSCOPE_JSON_H */
