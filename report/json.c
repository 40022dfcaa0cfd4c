/* json.c: a small streaming JSON writer: nesting, commas, string escapes, UTF-8 repair. */
#include "json.h"

#include <math.h>
#include <string.h>

void memscope_json_init(memscope_json *j, FILE *out) {
  memset(j, 0, sizeof *j);
  j->out = out;
}

/* Before a value: the comma between items of a container (not after a key). */
static void before_value(memscope_json *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth == 0) {
    if (j->count[0]) j->error = 1; /* a second document */
    j->count[0] = 1;
    return;
  }
  if (j->count[j->depth]) putc(',', j->out);
  j->count[j->depth] = 1;
}

static void open_container(memscope_json *j, char c) {
  before_value(j);
  putc(c, j->out);
  if (j->depth + 1 >= MEMSCOPE_JSON_MAX_DEPTH) {
    j->error = 1;
    return;
  }
  j->depth++;
  j->count[j->depth] = 0;
}

static void close_container(memscope_json *j, char c) {
  if (j->depth == 0 || j->after_key) j->error = 1;
  else j->depth--;
  putc(c, j->out);
}

void memscope_json_object(memscope_json *j) { open_container(j, '{'); }
void memscope_json_end_object(memscope_json *j) { close_container(j, '}'); }
void memscope_json_array(memscope_json *j) { open_container(j, '['); }
void memscope_json_end_array(memscope_json *j) { close_container(j, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0; /* overlong, out of range or a surrogate */
  return len;
}

static void write_string(FILE *out, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  putc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    switch (c) {
    case '"': fputs("\\\"", out); i++; continue;
    case '\\': fputs("\\\\", out); i++; continue;
    case '\n': fputs("\\n", out); i++; continue;
    case '\r': fputs("\\r", out); i++; continue;
    case '\t': fputs("\\t", out); i++; continue;
    case '\b': fputs("\\b", out); i++; continue;
    case '\f': fputs("\\f", out); i++; continue;
    default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      fprintf(out, "\\u%04x", c);
      i++;
      continue;
    }
    size_t len = utf8_len(s + i, n - i);
    if (len == 0) {
      fputs("\\ufffd", out);
      i++;
      continue;
    }
    fwrite(s + i, 1, len, out);
    i += len;
  }
  putc('"', out);
}

void memscope_json_key(memscope_json *j, const char *key) {
  if (j->after_key || j->depth == 0) j->error = 1;
  before_value(j);
  write_string(j->out, key, strlen(key));
  putc(':', j->out);
  j->after_key = 1;
}

void memscope_json_strn(memscope_json *j, const char *s, size_t len) {
  before_value(j);
  write_string(j->out, s ? s : "", s ? len : 0);
}

void memscope_json_str(memscope_json *j, const char *s) {
  memscope_json_strn(j, s, s ? strlen(s) : 0);
}

void memscope_json_uint(memscope_json *j, uint64_t v) {
  before_value(j);
  fprintf(j->out, "%llu", (unsigned long long)v);
}

void memscope_json_int(memscope_json *j, int64_t v) {
  before_value(j);
  fprintf(j->out, "%lld", (long long)v);
}

void memscope_json_double(memscope_json *j, double v) {
  before_value(j);
  if (!isfinite(v)) fputs("null", j->out);
  else if (v == floor(v) && fabs(v) < 1e15) fprintf(j->out, "%.0f", v);
  else fprintf(j->out, "%.6g", v);
}

void memscope_json_bool(memscope_json *j, int v) {
  before_value(j);
  fputs(v ? "true" : "false", j->out);
}

void memscope_json_null(memscope_json *j) {
  before_value(j);
  fputs("null", j->out);
}

void memscope_json_kstr(memscope_json *j, const char *key, const char *s) {
  memscope_json_key(j, key);
  memscope_json_str(j, s);
}

void memscope_json_kuint(memscope_json *j, const char *key, uint64_t v) {
  memscope_json_key(j, key);
  memscope_json_uint(j, v);
}

void memscope_json_kint(memscope_json *j, const char *key, int64_t v) {
  memscope_json_key(j, key);
  memscope_json_int(j, v);
}

void memscope_json_kdouble(memscope_json *j, const char *key, double v) {
  memscope_json_key(j, key);
  memscope_json_double(j, v);
}

void memscope_json_kbool(memscope_json *j, const char *key, int v) {
  memscope_json_key(j, key);
  memscope_json_bool(j, v);
}

int memscope_json_finish(memscope_json *j) {
  putc('\n', j->out);
  if (j->depth != 0 || j->after_key || !j->count[0]) j->error = 1;
  return j->error || ferror(j->out) ? -1 : 0;
}
