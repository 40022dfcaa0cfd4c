/* cursor.c: msgpack cursor of the reader: refills, skipping, typed fields, errors. */
#include "cursor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* Decompresses up to cap bytes into out. Returns the count, 0 at the end of the input, or a
   negative reader status (the error is recorded). */
static ssize_t rd_zstd_read(rd_t *r, uint8_t *out, size_t cap) {
  rd_zstd_t *z = r->z;
  for (;;) {
    if (z->in_pos == z->in_len && !z->in_eof) {
      z->in_base += z->in_len;
      z->in_len = z->in_pos = 0;
      ssize_t k = read(r->fd, z->zbuf, z->zcap);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) {
        r->io_errno = errno;
        return MEMSCOPE_READ_EOPEN;
      }
      if (k == 0) z->in_eof = true;
      z->in_len = (size_t)k;
    }
    /* at most 4 KiB of input a call: a damaged byte is then placed within 4 KiB, and what
       decompressed before it is delivered first */
    if (z->err != 0)
      return rd_fail(r, MEMSCOPE_READ_ECORRUPT, r->base + r->len,
                     "file bytes %llu-%llu: the compressed stream is corrupt (%s); the %llu bytes "
                     "of records before it were read",
                     (unsigned long long)(z->in_base + z->err_from),
                     (unsigned long long)(z->in_base + z->err_to), ZSTD_getErrorName(z->err),
                     (unsigned long long)(r->base + r->len));
    size_t from = z->in_pos, to = z->in_len - from > 4096 ? from + 4096 : z->in_len;
    ZSTD_outBuffer o = {out, cap, 0};
    ZSTD_inBuffer i = {z->in, to, from};
    size_t ret = ZSTD_decompressStream(z->dctx, &o, &i);
    z->in_pos = i.pos;
    if (ZSTD_isError(ret)) {
      z->err = ret;
      z->err_from = from;
      z->err_to = to;
      z->in_pos = z->in_len;
      z->in_eof = true;
    }
    if (o.pos > 0) return (ssize_t)o.pos;
    if (z->err == 0 && z->in_pos == z->in_len && z->in_eof) return 0;
  }
}

int rd_zstd_start(rd_t *r) {
  rd_zstd_t *z = calloc(1, sizeof *z);
  if (z == NULL || (z->dctx = ZSTD_createDCtx()) == NULL) {
    free(z);
    return MEMSCOPE_READ_ENOMEM;
  }
  r->z = z;
  z->in_base = r->base + r->pos;
  z->mem = !r->owned;
  if (z->mem) { /* the whole rest of an in-memory trace is the input */
    z->in = r->buf + r->pos;
    z->in_len = r->len - r->pos;
    z->in_eof = true;
    r->cap = MEMSCOPE_READ_CHUNK;
    if ((r->buf = malloc(r->cap)) == NULL) return MEMSCOPE_READ_ENOMEM;
  } else { /* what the last read brought past the header is compressed input too */
    z->zcap = ZSTD_DStreamInSize();
    if (z->zcap < r->len - r->pos) z->zcap = r->len - r->pos;
    if ((z->zbuf = malloc(z->zcap)) == NULL) return MEMSCOPE_READ_ENOMEM;
    memcpy(z->zbuf, r->buf + r->pos, r->len - r->pos);
    z->in = z->zbuf;
    z->in_len = r->len - r->pos;
    z->in_eof = r->eof;
  }
  r->base += r->pos;
  r->pos = r->len = 0;
  r->owned = true;
  r->eof = false;
  return 0;
}

void rd_zstd_end(rd_t *r) {
  if (r->z == NULL) return;
  ZSTD_freeDCtx(r->z->dctx);
  free(r->z->zbuf);
  if (r->z->mem) free(r->buf); /* ours; the caller's memory is not */
  free(r->z);
  r->z = NULL;
}

/* Makes at least n bytes (n <= cap) available; RD_SHORT at the end of the data. */
int rd_fill(rd_t *r, size_t n) {
  if (!r->owned || r->eof) return RD_SHORT;
  if (r->pos > 0) {
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->base += r->pos;
    r->len -= r->pos;
    r->pos = 0;
  }
  while (r->len < n) {
    ssize_t k = r->z ? rd_zstd_read(r, r->buf + r->len, r->cap - r->len)
                     : read(r->fd, r->buf + r->len, r->cap - r->len);
    if (r->z && k < 0) {
      r->eof = true;
      return (int)k;
    }
    if (k < 0) {
      if (errno == EINTR) continue;
      r->io_errno = errno;
      r->eof = true;
      return MEMSCOPE_READ_EOPEN;
    }
    if (k == 0) { r->eof = true; return RD_SHORT; }
    r->len += (size_t)k;
  }
  return 0;
}

const char *mp_kind_name(mp_kind k) {
  static const char *names[] = {"unsigned int", "negative int", "nil", "bool", "float", "str",
                                "bin", "array", "map", "ext", "byte 0xc1 (never used)"};
  return names[k];
}


int rd_skip_bytes(rd_t *r, uint64_t n) {
  while (n > 0) {
    if (r->pos == r->len) {
      int rc = rd_fill(r, 1);
      if (rc) return rc;
    }
    size_t take = r->len - r->pos;
    if (take > n) take = (size_t)n;
    r->pos += take;
    n -= take;
  }
  return 0;
}

/* Skips n whole values, nested ones included, without recursion. */
int rd_skip(rd_t *r, uint64_t n) {
  mp_obj o;
  while (n > 0) {
    int rc = rd_head(r, &o);
    if (rc) return rc;
    n--;
    switch (o.kind) {
    case MP_ARRAY: n += o.u; break;
    case MP_MAP: n += 2 * o.u; break;
    case MP_STR: case MP_BIN: rc = rd_skip_bytes(r, o.u); break;
    case MP_EXT: rc = rd_skip_bytes(r, o.u + 1); break;
    case MP_FLOAT: case MP_UINT: case MP_INT: case MP_NIL: case MP_BOOL: break;
    case MP_BAD: return MEMSCOPE_READ_ECORRUPT;
    }
    if (rc) return rc;
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------
   Errors
------------------------------------------------------------------------------------------------ */
const char *memscope_record_name(uint64_t type) {
  static char buf[32];
  switch (type) {
  case UINT64_MAX: return "type unknown";
  case 0: return "header";
  case MEMSCOPE_REC_SITE: return "SITE";
  case MEMSCOPE_REC_THREAD: return "THREAD";
  case MEMSCOPE_REC_EVENTS: return "EVENTS";
  case MEMSCOPE_REC_END: return "END";
  case MEMSCOPE_REC_MESSAGE: return "MESSAGE";
  case MEMSCOPE_REC_SAMPLING: return "SAMPLING";
  case MEMSCOPE_REC_MARK: return "MARK";
  default: snprintf(buf, sizeof buf, "type %llu", (unsigned long long)type); return buf;
  }
}

int rd_fail(rd_t *r, int status, uint64_t off, const char *fmt, ...) {
  memscope_read_result *res = r->res;
  if (res->status != 0) return res->status; /* keep the first error */
  res->status = status;
  res->error_offset = off;
  int k = snprintf(res->error, sizeof res->error, "%s: ", r->name);
  if (k < 0 || (size_t)k >= sizeof res->error) k = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->error + k, sizeof res->error - (size_t)k, fmt, ap);
  va_end(ap);
  return status;
}

/* Turns a cursor result inside a record into the error message the reader reports. */
int rd_record_fail(rd_t *r, int rc, uint64_t off, const char *what) {
  if (rc == RD_SHORT)
    return rd_fail(r, MEMSCOPE_READ_ETRUNC, rd_off(r) + (r->len - r->pos),
                   "truncated at byte %llu: record %llu (%s, starting at byte %llu) is incomplete",
                   (unsigned long long)(r->base + r->len), (unsigned long long)r->record,
                   memscope_record_name(r->rec_type), (unsigned long long)r->rec_off);
  if (rc == MEMSCOPE_READ_EOPEN)
    return rd_fail(r, rc, off, "read error at byte %llu: %s", (unsigned long long)off,
                   strerror(r->io_errno));
  if (rc == MEMSCOPE_READ_ENOMEM) return rd_fail(r, rc, off, "out of memory");
  if (rc == MEMSCOPE_READ_ECONSUMER) {
    const char *why = r->cb->error ? r->cb->error(r->ud) : NULL;
    return rd_fail(r, rc, off, "byte %llu: record %llu (%s): %s", (unsigned long long)off,
                   (unsigned long long)r->record, memscope_record_name(r->rec_type),
                   why ? why : "refused by the reader");
  }
  if (rc == MEMSCOPE_READ_ECORRUPT && r->res->status == 0)
    return rd_fail(r, rc, off, "byte %llu: record %llu (%s): %s", (unsigned long long)off,
                   (unsigned long long)r->record, memscope_record_name(r->rec_type),
                   what ? what : "invalid msgpack byte 0xc1");
  return r->res->status ? r->res->status : rc;
}

int rd_type_error(rd_t *r, uint64_t off, const char *field, const char *expected,
                         const mp_obj *o) {
  return rd_fail(r, MEMSCOPE_READ_ECORRUPT, off,
                 "byte %llu: record %llu (%s): field '%s' should be %s, found %s",
                 (unsigned long long)off, (unsigned long long)r->record,
                 memscope_record_name(r->rec_type), field, expected, mp_kind_name(o->kind));
}

/* ---------------------------------------------------------------------------------------------
   Typed fields
------------------------------------------------------------------------------------------------ */
int rd_uint(rd_t *r, const char *field, uint64_t *out) {
  uint64_t off = rd_off(r);
  mp_obj o;
  int rc = rd_head(r, &o);
  if (rc) return rd_record_fail(r, rc, off, NULL);
  if (unlikely(o.kind != MP_UINT)) return rd_type_error(r, off, field, "an unsigned int", &o);
  *out = o.u;
  return 0;
}

void arena_reset(rd_t *r) {
  arena_block_t *b = r->arena;
  if (!b) return;
  arena_block_t *next = b->next;
  while (next) {
    arena_block_t *n2 = next->next;
    free(next);
    next = n2;
  }
  b->next = NULL;
  b->used = 0;
}

static char *arena_alloc(rd_t *r, size_t n) {
  arena_block_t *b = r->arena;
  if (b && b->cap - b->used >= n) {
    char *p = b->data + b->used;
    b->used += n;
    return p;
  }
  size_t cap = n > 65536 ? n : 65536;
  arena_block_t *nb = malloc(sizeof *nb + cap);
  if (!nb) return NULL;
  nb->cap = cap;
  nb->used = n;
  if (b) { /* keep the head block first so that reset keeps one block */
    nb->next = b->next;
    b->next = nb;
  } else {
    nb->next = NULL;
    r->arena = nb;
  }
  return nb->data;
}

/* Reads the payload of a str of o->u bytes into the arena. */
int rd_str_payload(rd_t *r, const mp_obj *o, uint64_t off, const char *field,
                          const char **out, size_t *outlen) {
  if (o->u > MEMSCOPE_READ_MAX_STR)
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, off,
                   "byte %llu: record %llu (%s): field '%s' is a string of %llu bytes, "
                   "longer than the limit of %u",
                   (unsigned long long)off, (unsigned long long)r->record,
                   memscope_record_name(r->rec_type), field, (unsigned long long)o->u,
                   MEMSCOPE_READ_MAX_STR);
  size_t n = (size_t)o->u;
  char *s = arena_alloc(r, n + 1);
  if (!s) return rd_record_fail(r, MEMSCOPE_READ_ENOMEM, off, NULL);
  size_t got = 0;
  while (got < n) {
    if (r->pos == r->len) {
      int rc = rd_fill(r, 1);
      if (rc) return rd_record_fail(r, rc, off, NULL);
    }
    size_t take = r->len - r->pos;
    if (take > n - got) take = n - got;
    memcpy(s + got, r->buf + r->pos, take);
    r->pos += take;
    got += take;
  }
  s[n] = 0;
  *out = s;
  if (outlen) *outlen = n;
  return 0;
}

int rd_str(rd_t *r, const char *field, const char **out, size_t *outlen) {
  uint64_t off = rd_off(r);
  mp_obj o;
  int rc = rd_head(r, &o);
  if (rc) return rd_record_fail(r, rc, off, NULL);
  if (unlikely(o.kind != MP_STR)) return rd_type_error(r, off, field, "a str", &o);
  return rd_str_payload(r, &o, off, field, out, outlen);
}

int rd_container(rd_t *r, const char *field, mp_kind kind, uint64_t *n) {
  uint64_t off = rd_off(r);
  mp_obj o;
  int rc = rd_head(r, &o);
  if (rc) return rd_record_fail(r, rc, off, NULL);
  if (unlikely(o.kind != kind))
    return rd_type_error(r, off, field, kind == MP_MAP ? "a map" : "an array", &o);
  *n = o.u;
  return 0;
}

int rd_skip_fields(rd_t *r, uint64_t n) {
  uint64_t off = rd_off(r);
  int rc = rd_skip(r, n);
  return rc ? rd_record_fail(r, rc, off, NULL) : 0;
}

static memscope_trace_kv *kv_push(rd_t *r) {
  if (r->nkvs == r->kvcap) {
    size_t cap = r->kvcap ? 2 * r->kvcap : 32;
    memscope_trace_kv *k = realloc(r->kvs, cap * sizeof *k);
    if (!k) return NULL;
    r->kvs = k;
    r->kvcap = cap;
  }
  memscope_trace_kv *kv = &r->kvs[r->nkvs++];
  memset(kv, 0, sizeof *kv);
  return kv;
}

/* Reads a map of string keys into r->kvs; values of other types than int and str are skipped. */
int rd_kv_map(rd_t *r, const char *field, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    const char *key;
    int rc = rd_str(r, field, &key, NULL);
    if (rc) return rc;
    uint64_t off = rd_off(r);
    mp_obj o;
    if ((rc = rd_head(r, &o))) return rd_record_fail(r, rc, off, NULL);
    if (o.kind == MP_UINT || o.kind == MP_INT || o.kind == MP_STR) {
      memscope_trace_kv *kv = kv_push(r);
      if (!kv) return rd_record_fail(r, MEMSCOPE_READ_ENOMEM, off, NULL);
      kv->key = key;
      if (o.kind == MP_UINT) { kv->type = MEMSCOPE_KV_UINT; kv->u = o.u; }
      else if (o.kind == MP_INT) { kv->type = MEMSCOPE_KV_INT; kv->i = (int64_t)o.u; }
      else {
        kv->type = MEMSCOPE_KV_STR;
        if ((rc = rd_str_payload(r, &o, off, key, &kv->s, &kv->slen))) return rc;
      }
    } else if (o.kind == MP_BAD) {
      return rd_record_fail(r, MEMSCOPE_READ_ECORRUPT, off, NULL);
    } else {
      if ((rc = rd_skip_fields(r, o.kind == MP_ARRAY ? o.u : o.kind == MP_MAP ? 2 * o.u : 0)))
        return rc;
      if ((o.kind == MP_BIN || o.kind == MP_EXT) &&
          (rc = rd_skip_bytes(r, o.u + (o.kind == MP_EXT))))
        return rd_record_fail(r, rc, off, NULL);
    }
  }
  return 0;
}
