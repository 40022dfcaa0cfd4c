/* cursor.h: msgpack cursor over one chunk of a trace, shared by the reader's files. */
#ifndef MEMSCOPE_CURSOR_H
#define MEMSCOPE_CURSOR_H

#include "reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define _memscope_internal __attribute__((visibility("hidden")))

/* Internal result of the cursor when the data ends before a value does. */
#define RD_SHORT (-100)

/* ---------------------------------------------------------------------------------------------
   msgpack values
------------------------------------------------------------------------------------------------ */
typedef enum mp_kind {
  MP_UINT, MP_INT, MP_NIL, MP_BOOL, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT, MP_BAD
} mp_kind;

typedef struct mp_obj {
  mp_kind kind;
  uint64_t u;   /* MP_UINT value, MP_INT value (two's complement), length of STR/BIN/EXT/ARRAY/MAP */
} mp_obj;

/* Bytes of the value header that starts with 'b' (payload of str/bin/ext excluded). */
static inline unsigned mp_head_size(uint8_t b) {
  if (b <= 0xbf || b >= 0xe0) return 1;
  static const uint8_t sizes[0x20] = {
      1, 1, 1, 1, 2, 3, 5, 3, 4, 6, 5, 9, 2, 3, 5, 9, /* c0 .. cf */
      2, 3, 5, 9, 2, 2, 2, 2, 2, 2, 3, 5, 3, 5, 3, 5, /* d0 .. df */
  };
  return sizes[b - 0xc0];
}

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* 8 big-endian bytes at p, in one load. */
static inline uint64_t load_be64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* How to read an int from its first byte: its size (0: the byte does not start an int), where
   its value starts (0: in the byte itself), the arithmetic shift that brings it down from the
   top of 8 big-endian bytes, and the mask that clears the sign bits the shift copied into an
   unsigned value. */
typedef struct mp_int_format {
  uint64_t mask;
  uint8_t size, off, shift;
} mp_int_format;

#define MP_FIX {~0ull, 1, 0, 56}
#define MP_NO {0, 0, 0, 0}
#define MP_FIX8 MP_FIX, MP_FIX, MP_FIX, MP_FIX, MP_FIX, MP_FIX, MP_FIX, MP_FIX
#define MP_NO8 MP_NO, MP_NO, MP_NO, MP_NO, MP_NO, MP_NO, MP_NO, MP_NO
static const mp_int_format mp_int_formats[256] = {
    MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, /* 0x00..0x3f */
    MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8, /* 0x40..0x7f */
    MP_NO8,  MP_NO8,  MP_NO8,  MP_NO8,  MP_NO8,  MP_NO8,  MP_NO8,  MP_NO8,  /* 0x80..0xbf */
    MP_NO8,  MP_NO,   MP_NO,   MP_NO,   MP_NO,                              /* 0xc0..0xcb */
    {0xffull, 2, 1, 56}, {0xffffull, 3, 1, 48}, {0xffffffffull, 5, 1, 32},  /* 0xcc..0xce */
    {~0ull, 9, 1, 0},                                                      /* 0xcf */
    {~0ull, 2, 1, 56}, {~0ull, 3, 1, 48}, {~0ull, 5, 1, 32}, {~0ull, 9, 1, 0}, /* 0xd0..0xd3 */
    MP_NO8,  MP_NO,   MP_NO,   MP_NO,   MP_NO,                              /* 0xd4..0xdf */
    MP_FIX8, MP_FIX8, MP_FIX8, MP_FIX8,                                     /* 0xe0..0xff */
};
#undef MP_FIX8
#undef MP_NO8
#undef MP_FIX
#undef MP_NO

/* Decodes an int (positive or negative fixint, 0xcc..0xd3) at p without bounds checks and
   without branches: 9 bytes from p must be readable. Returns its size in bytes, or 0 when the
   value is not an int (*v is then meaningless). Signed formats are sign-extended: *v is the two's
   complement of the value. */
static inline unsigned mp_fast_int(const uint8_t *p, uint64_t *v) {
  const mp_int_format *f = &mp_int_formats[p[0]];
  *v = (uint64_t)((int64_t)load_be64(p + f->off) >> f->shift) & f->mask;
  return f->size;
}

/* Decodes a value header from p (mp_head_size(*p) bytes available). */
static inline void mp_decode(const uint8_t *p, mp_obj *o) {
  uint8_t b = p[0];
  if (b <= 0x7f) { o->kind = MP_UINT; o->u = b; return; }
  if (b >= 0xe0) { o->kind = MP_INT; o->u = (uint64_t)(int64_t)(int8_t)b; return; }
  if (b <= 0x8f) { o->kind = MP_MAP; o->u = b & 0x0f; return; }
  if (b <= 0x9f) { o->kind = MP_ARRAY; o->u = b & 0x0f; return; }
  if (b <= 0xbf) { o->kind = MP_STR; o->u = b & 0x1f; return; }
  switch (b) {
  case 0xc0: o->kind = MP_NIL; o->u = 0; return;
  case 0xc2: case 0xc3: o->kind = MP_BOOL; o->u = b & 1; return;
  case 0xc4: o->kind = MP_BIN; o->u = p[1]; return;
  case 0xc5: o->kind = MP_BIN; o->u = be16(p + 1); return;
  case 0xc6: o->kind = MP_BIN; o->u = be32(p + 1); return;
  case 0xc7: o->kind = MP_EXT; o->u = p[1]; return;
  case 0xc8: o->kind = MP_EXT; o->u = be16(p + 1); return;
  case 0xc9: o->kind = MP_EXT; o->u = be32(p + 1); return;
  case 0xca: o->kind = MP_FLOAT; o->u = 0; return;
  case 0xcb: o->kind = MP_FLOAT; o->u = 0; return;
  case 0xcc: o->kind = MP_UINT; o->u = p[1]; return;
  case 0xcd: o->kind = MP_UINT; o->u = be16(p + 1); return;
  case 0xce: o->kind = MP_UINT; o->u = be32(p + 1); return;
  case 0xcf: o->kind = MP_UINT; o->u = be64(p + 1); return;
  case 0xd0: o->u = (uint64_t)(int64_t)(int8_t)p[1]; break;
  case 0xd1: o->u = (uint64_t)(int64_t)(int16_t)be16(p + 1); break;
  case 0xd2: o->u = (uint64_t)(int64_t)(int32_t)be32(p + 1); break;
  case 0xd3: o->u = be64(p + 1); break;
  case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
    o->kind = MP_EXT; o->u = 1u << (b - 0xd4); return;
  case 0xd9: o->kind = MP_STR; o->u = p[1]; return;
  case 0xda: o->kind = MP_STR; o->u = be16(p + 1); return;
  case 0xdb: o->kind = MP_STR; o->u = be32(p + 1); return;
  case 0xdc: o->kind = MP_ARRAY; o->u = be16(p + 1); return;
  case 0xdd: o->kind = MP_ARRAY; o->u = be32(p + 1); return;
  case 0xde: o->kind = MP_MAP; o->u = be16(p + 1); return;
  case 0xdf: o->kind = MP_MAP; o->u = be32(p + 1); return;
  default: o->kind = MP_BAD; o->u = 0; return; /* 0xc1 */
  }
  /* signed formats: non-negative values read as unsigned */
  o->kind = (int64_t)o->u < 0 ? MP_INT : MP_UINT;
}

/* ---------------------------------------------------------------------------------------------
   Cursor over one chunk of the input
------------------------------------------------------------------------------------------------ */
typedef struct arena_block_s {
  struct arena_block_s *next;
  size_t cap, used;
  char data[];
} arena_block_t;

/* A zstd-compressed trace (MEMSCOPE_COMPRESS): the bytes after the header are decompressed
   into buf as the cursor asks for them. */
typedef struct rd_zstd_s {
  struct ZSTD_DCtx_s *dctx;
  const uint8_t *in;    /* compressed bytes: zbuf, or the rest of an in-memory trace */
  uint8_t *zbuf;
  size_t in_len, in_pos, zcap;
  uint64_t in_base;     /* file offset of in[0] */
  bool in_eof;
  bool mem;             /* the input is in memory */
  size_t err;           /* a zstd error found after the output delivered so far */
  size_t err_from, err_to; /* the input bytes of the call that found it */
} rd_zstd_t;

typedef struct rd_s {
  const char *name;
  int fd;
  bool owned;           /* buf is ours and refilled from fd */
  bool eof;
  uint8_t *buf;
  size_t cap, pos, len; /* valid bytes are buf[pos..len) */
  uint64_t base;        /* offset of buf[0] (in the decompressed stream when compressed) */
  int io_errno;
  rd_zstd_t *z;         /* set when the trace is compressed */
  /* current record */
  uint64_t record;      /* 1-based index, header = 1 */
  uint64_t rec_off;
  uint64_t rec_type;    /* 0 = header */
  /* strings and key/value lists of the current record */
  arena_block_t *arena;
  memscope_trace_kv *kvs;
  size_t nkvs, kvcap;
  /* output */
  const memscope_reader_callbacks *cb;
  void *ud;
  memscope_read_result *res;
} rd_t;

static inline uint64_t rd_off(const rd_t *r) { return r->base + r->pos; }

/* Internal functions (cursor.c); short names inside the reader. */
#define rd_fill          _memscope_rd_fill
#define rd_skip_bytes    _memscope_rd_skip_bytes
#define rd_skip          _memscope_rd_skip
#define rd_fail          _memscope_rd_fail
#define rd_record_fail   _memscope_rd_record_fail
#define rd_type_error    _memscope_rd_type_error
#define rd_uint          _memscope_rd_uint
#define rd_str           _memscope_rd_str
#define rd_str_payload   _memscope_rd_str_payload
#define rd_container     _memscope_rd_container
#define rd_skip_fields   _memscope_rd_skip_fields
#define rd_kv_map        _memscope_rd_kv_map
#define arena_reset      _memscope_rd_arena_reset
#define rd_zstd_start    _memscope_rd_zstd_start
#define rd_zstd_end      _memscope_rd_zstd_end
#define mp_kind_name     _memscope_mp_kind_name

const char *mp_kind_name(mp_kind k) _memscope_internal;
/* Makes at least n bytes (n <= cap) available; RD_SHORT at the end of the data. */
int rd_fill(rd_t *r, size_t n) _memscope_internal;
int rd_skip_bytes(rd_t *r, uint64_t n) _memscope_internal;
/* Reads the rest of the trace through zstd (the header said compress=zstd...); 0 or an error. */
int rd_zstd_start(rd_t *r) _memscope_internal;
void rd_zstd_end(rd_t *r) _memscope_internal;
/* Skips n whole values, nested ones included, without recursion. */
int rd_skip(rd_t *r, uint64_t n) _memscope_internal;
/* Records the first error as "NAME: <message>" and returns its status. */
int rd_fail(rd_t *r, int status, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5))) _memscope_internal;
/* Turns a cursor result inside a record into the reader's error message. */
int rd_record_fail(rd_t *r, int rc, uint64_t off, const char *what) _memscope_internal;
int rd_type_error(rd_t *r, uint64_t off, const char *field, const char *expected,
                  const mp_obj *o) _memscope_internal;
/* Typed fields; strings live in the record's arena until the next record. */
int rd_uint(rd_t *r, const char *field, uint64_t *out) _memscope_internal;
int rd_str(rd_t *r, const char *field, const char **out, size_t *outlen) _memscope_internal;
int rd_str_payload(rd_t *r, const mp_obj *o, uint64_t off, const char *field, const char **out,
                   size_t *outlen) _memscope_internal;
int rd_container(rd_t *r, const char *field, mp_kind kind, uint64_t *n) _memscope_internal;
int rd_skip_fields(rd_t *r, uint64_t n) _memscope_internal;
/* Reads a map of string keys into r->kvs; values other than ints and strs are skipped. */
int rd_kv_map(rd_t *r, const char *field, uint64_t n) _memscope_internal;
void arena_reset(rd_t *r) _memscope_internal;

static inline int rd_need(rd_t *r, size_t n) {
  if (likely(r->len - r->pos >= n)) return 0;
  return rd_fill(r, n);
}

/* Reads one value header. */
static inline int rd_head(rd_t *r, mp_obj *o) {
  if (unlikely(r->len - r->pos < 9)) {
    int rc = rd_need(r, 1);
    if (rc) return rc;
    if ((rc = rd_need(r, mp_head_size(r->buf[r->pos])))) return rc;
  }
  const uint8_t *p = r->buf + r->pos;
  mp_decode(p, o);
  r->pos += mp_head_size(p[0]);
  return 0;
}

#endif /* MEMSCOPE_CURSOR_H */
