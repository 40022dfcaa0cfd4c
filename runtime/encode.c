/* encode.c: turns headers, sites, threads, event buffers and totals into msgpack trace records. */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

/* Every record goes through a msgpack_packer, whose write callback is the caller's: the writer
   appends to a msgpack_sbuffer and writes that to the file; tests compare the bytes. Each
   function returns 0 or the first negative code the callback returned. Layouts are in
   docs/trace-format.md; each function repeats the bytes it writes. */

#define TRY(expr)                         \
  do {                                    \
    int rc_ = (expr);                     \
    if (unlikely(rc_ != 0)) return rc_;   \
  } while (0)

static int pack_str(msgpack_packer *pk, const char *s) {
  if (s == NULL) s = "";
  size_t n = strlen(s);
  TRY(msgpack_pack_str(pk, n));
  return msgpack_pack_str_body(pk, s, n);
}

static int pack_kv_u64(msgpack_packer *pk, const char *key, uint64_t v) {
  TRY(pack_str(pk, key));
  return msgpack_pack_uint64(pk, v);
}

/* Header:
     0x94 0xa8 "memscope" <major> <minor> <map: pid, program, clock, start_unix_ns, abi, options>
   The first 10 bytes are the file's magic. */
int _memscope_encode_header(msgpack_packer *pk, const _memscope_header_t *h) {
  TRY(msgpack_pack_array(pk, 4));
  TRY(pack_str(pk, "memscope"));
  TRY(msgpack_pack_uint32(pk, h->compressed ? MEMSCOPE_FORMAT_MAJOR_ZSTD : MEMSCOPE_FORMAT_MAJOR));
  TRY(msgpack_pack_uint32(pk, MEMSCOPE_FORMAT_MINOR));
  TRY(msgpack_pack_map(pk, 6));
  TRY(pack_kv_u64(pk, "pid", (uint64_t)h->pid));
  TRY(pack_str(pk, "program"));
  TRY(pack_str(pk, h->program));
  TRY(pack_str(pk, "clock"));
  TRY(pack_str(pk, "ms"));
  TRY(pack_kv_u64(pk, "start_unix_ns", h->start_unix_ns));
  TRY(pack_kv_u64(pk, "abi", MEMSCOPE_ABI_VERSION));
  TRY(pack_str(pk, "options"));
  TRY(msgpack_pack_map(pk, h->option_count));
  for (size_t i = 0; i < h->option_count; i++) {
    TRY(pack_str(pk, h->option_names[i]));
    TRY(pack_str(pk, h->option_values[i]));
  }
  return 0;
}

/* SITE: 0x9c 0x01 <id> <kind> <flags> <file> <line> <column> <function> <type_name>
         <sizeof_type> <var_name> <elem_size> */
int _memscope_encode_site(msgpack_packer *pk, uint32_t id, const memscope_site *s) {
  TRY(msgpack_pack_array(pk, 12));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_SITE));
  TRY(msgpack_pack_uint32(pk, id));
  TRY(msgpack_pack_uint16(pk, s->kind));
  TRY(msgpack_pack_uint16(pk, s->flags));
  TRY(pack_str(pk, s->file));
  TRY(msgpack_pack_uint32(pk, s->line));
  TRY(msgpack_pack_uint32(pk, s->column));
  TRY(pack_str(pk, s->function));
  TRY(pack_str(pk, s->type_name));
  TRY(pack_str(pk, s->sizeof_type));
  TRY(pack_str(pk, s->var_name));
  return msgpack_pack_uint64(pk, s->elem_size);
}

/* THREAD: 0x94 0x02 <thread> <os_tid> <name> */
int _memscope_encode_thread(msgpack_packer *pk, uint32_t thread, uint32_t os_tid,
                            const char *name) {
  TRY(msgpack_pack_array(pk, 4));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_THREAD));
  TRY(msgpack_pack_uint32(pk, thread));
  TRY(msgpack_pack_uint32(pk, os_tid));
  return pack_str(pk, name);
}

/* MESSAGE: 0x93 0x05 <t_ms> <text> */
int _memscope_encode_message(msgpack_packer *pk, uint32_t t_ms, const char *text) {
  TRY(msgpack_pack_array(pk, 3));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_MESSAGE));
  TRY(msgpack_pack_uint32(pk, t_ms));
  return pack_str(pk, text);
}

/* SAMPLING: 0x93 0x06 <t_ms> <mean bytes> */
int _memscope_encode_sampling(msgpack_packer *pk, uint32_t t_ms, uint64_t mean) {
  TRY(msgpack_pack_array(pk, 3));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_SAMPLING));
  TRY(msgpack_pack_uint32(pk, t_ms));
  return msgpack_pack_uint64(pk, mean);
}

/* MARK: 0x95 0x07 <t_ms> <seq> <label> <recording: 1 if recording goes on after the mark> */
int _memscope_encode_mark(msgpack_packer *pk, uint32_t t_ms, uint32_t seq, const char *label,
                          int recording) {
  TRY(msgpack_pack_array(pk, 5));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_MARK));
  TRY(msgpack_pack_uint32(pk, t_ms));
  TRY(msgpack_pack_uint32(pk, seq));
  TRY(pack_str(pk, label));
  return recording ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
}

/* END: 0x92 0x04 <map of totals, keys in the order below> */
int _memscope_encode_end(msgpack_packer *pk, const memscope_stats *st, uint32_t duration_ms) {
  TRY(msgpack_pack_array(pk, 2));
  TRY(msgpack_pack_uint8(pk, MEMSCOPE_REC_END));
  TRY(msgpack_pack_map(pk, 13));
  TRY(pack_kv_u64(pk, "events_seen", st->events_seen));
  TRY(pack_kv_u64(pk, "events_recorded", st->events_recorded));
  TRY(pack_kv_u64(pk, "events_dropped", st->events_dropped));
  TRY(pack_kv_u64(pk, "buffers_flushed", st->buffers_flushed));
  TRY(pack_kv_u64(pk, "bytes_written", st->bytes_written));
  TRY(pack_kv_u64(pk, "runtime_bytes", st->runtime_bytes));
  TRY(pack_kv_u64(pk, "threads", st->threads));
  TRY(pack_kv_u64(pk, "alloc_count", st->alloc_count));
  TRY(pack_kv_u64(pk, "free_count", st->free_count));
  TRY(pack_kv_u64(pk, "alloc_bytes", st->alloc_bytes));
  TRY(pack_kv_u64(pk, "peak_bytes", st->peak_bytes));
  TRY(pack_kv_u64(pk, "duration_ms", duration_ms));
  TRY(pack_str(pk, "error"));
  return msgpack_pack_int32(pk, st->error);
}

/* ---------------------------------------------------------------------------------------------
   Site ids: open addressing from descriptor address to a small id, owned by the writer.
------------------------------------------------------------------------------------------------ */
static inline size_t site_hash(const memscope_site *s, size_t mask) {
  uint64_t x = (uint64_t)(uintptr_t)s;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (size_t)x & mask;
}

static int sitemap_grow(_memscope_sitemap_t *m) {
  size_t ncap = m->cap ? m->cap * 2 : 256;
  _memscope_site_slot_t *ns = calloc(ncap, sizeof *ns);
  if (ns == NULL) return MEMSCOPE_ERR_NOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    if (m->slots[i].site == NULL) continue;
    size_t j = site_hash(m->slots[i].site, ncap - 1);
    while (ns[j].site != NULL) j = (j + 1) & (ncap - 1);
    ns[j] = m->slots[i];
  }
  free(m->slots);
  m->slots = ns;
  m->cap = ncap;
  return 0;
}

void _memscope_sitemap_free(_memscope_sitemap_t *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

size_t _memscope_sitemap_bytes(const _memscope_sitemap_t *m) {
  return m->cap * sizeof(_memscope_site_slot_t);
}

/* The id of site in m, adding it the first time. Unknown ABI versions and NULL get id 0
   ("unknown site"), which is never written. */
int _memscope_sitemap_get(_memscope_sitemap_t *m, const memscope_site *s, uint32_t *id,
                          int *added) {
  *id = 0;
  *added = 0;
  if (s == NULL || s->abi != MEMSCOPE_ABI_VERSION) return 0;
  if (m->cap != 0) {
    size_t j = site_hash(s, m->cap - 1);
    while (m->slots[j].site != NULL) {
      if (m->slots[j].site == s) { *id = m->slots[j].id; return 0; }
      j = (j + 1) & (m->cap - 1);
    }
  }
  if ((m->count + 1) * 2 > m->cap) TRY(sitemap_grow(m));
  size_t j = site_hash(s, m->cap - 1);
  while (m->slots[j].site != NULL) j = (j + 1) & (m->cap - 1);
  m->slots[j].site = s;
  m->slots[j].id = ++m->next_id;
  m->count++;
  *id = m->slots[j].id;
  *added = 1;
  return 0;
}

/* The payload is the hot part of encoding: its ints are written straight into a reserved
   buffer in msgpack's shortest form (the same bytes msgpack_pack_int64 / _uint64 produce; the
   golden tests pin them). */
static inline uint8_t *put_be(uint8_t *o, uint8_t tag, uint64_t v, int bytes) {
  *o++ = tag;
  for (int i = bytes - 1; i >= 0; i--) *o++ = (uint8_t)(v >> (8 * i));
  return o;
}

static inline uint8_t *put_uint(uint8_t *o, uint64_t v) {
  if (v < 128) { *o = (uint8_t)v; return o + 1; }
  if (v < 0x100) return put_be(o, 0xcc, v, 1);
  if (v < 0x10000) return put_be(o, 0xcd, v, 2);
  if (v < 0x100000000ull) return put_be(o, 0xce, v, 4);
  return put_be(o, 0xcf, v, 8);
}

static inline uint8_t *put_int(uint8_t *o, int64_t v) {
  if (v >= 0) return put_uint(o, (uint64_t)v);
  if (v >= -32) { *o = (uint8_t)v; return o + 1; }
  if (v >= -128) return put_be(o, 0xd0, (uint64_t)v, 1);
  if (v >= -32768) return put_be(o, 0xd1, (uint64_t)v, 2);
  if (v >= INT32_MIN) return put_be(o, 0xd2, (uint64_t)v, 4);
  return put_be(o, 0xd3, (uint64_t)v, 8);
}

#define MAX_EVENT_BYTES (4 * 9 + 5)

/* Appends to a fixed array: the EVENTS header is packed there, then put in front of the payload. */
typedef struct {
  char data[32];
  size_t len;
} small_buf_t;

static int small_write(void *ctx, const char *buf, size_t len) {
  small_buf_t *b = ctx;
  if (b->len + len > sizeof b->data) return MEMSCOPE_ERR_ARG;
  memcpy(b->data + b->len, buf, len);
  b->len += len;
  return 0;
}

/* EVENTS: 0x95 0x03 <thread> <t0_ms> <count> <array of ints>
   Payload per event (tag = arg << 3 | op; pointers as deltas from the previous pointer):
     TIME       tag(dt)
     ALLOC      tag(site) dptr size
     FREE       tag(site) dptr
     REALLOC    tag(site) dold dptr size
     SCOPE_EXIT tag(variable) dptr exit-site
     SAMPLED    tag(site) dptr size weight (float32: 0xca + 4 bytes)
     HANDOFF    tag(site) dptr
   The record is appended to 'out'. The payload is written first, straight after out->len, and
   the header (whose array length is known only then) is slid in front of it. site_id resolves
   sites; a small direct-mapped cache in front of it serves repeated sites of one buffer. */
int _memscope_encode_events(_memscope_bytes_t *out, _memscope_site_fn site_id, void *ctx,
                            uint32_t thread, uint32_t t0_ms, const _memscope_rec_t *recs,
                            uint32_t n, uint64_t *events_out) {
  size_t need = out->len + (size_t)n * MAX_EVENT_BYTES + sizeof(((small_buf_t *)0)->data);
  if (out->cap < need) {
    char *d = realloc(out->data, need);
    if (d == NULL) return MEMSCOPE_ERR_NOMEM;
    out->data = d;
    out->cap = need;
  }
  size_t start = out->len;
  uint8_t *o = (uint8_t *)out->data + start;
  uint64_t ints = 0, events = 0;
  uint32_t t = t0_ms;
  uint64_t prev = 0;
  struct {
    const memscope_site *site;
    uint32_t id;
  } cache[64] = {{NULL, 0}};
  for (uint32_t i = 0; i < n; i++) {
    const _memscope_rec_t *r = &recs[i];
    unsigned op = _memscope_rec_op(r);
    if (op == MEMSCOPE_OP_TIME) {
      uint32_t now = (uint32_t)r->aux;
      o = put_uint(o, (uint64_t)(now - t) << MEMSCOPE_OP_BITS | op);
      t = now;
      ints++;
      continue;
    }
    size_t slot = ((uintptr_t)r->site >> 4) & 63;
    if (unlikely(cache[slot].site != r->site || r->site == NULL)) {
      TRY(site_id(ctx, r->site, &cache[slot].id));
      cache[slot].site = r->site;
    }
    o = put_uint(o, (uint64_t)cache[slot].id << MEMSCOPE_OP_BITS | op);
    if (op == MEMSCOPE_OP_REALLOC) {
      o = put_int(o, (int64_t)(r->aux - prev));
      prev = r->aux;
      ints++;
    }
    o = put_int(o, (int64_t)(r->ptr - prev));
    prev = r->ptr;
    ints += 2;
    if (op == MEMSCOPE_OP_ALLOC || op == MEMSCOPE_OP_REALLOC || op == MEMSCOPE_OP_SAMPLED) {
      o = put_uint(o, _memscope_rec_size(r));
      ints++;
      if (op == MEMSCOPE_OP_SAMPLED) {
        o = put_be(o, 0xca, (uint32_t)r->aux, 4);
        ints++;
      }
    } else if (op == MEMSCOPE_OP_SCOPE_EXIT) {
      const memscope_site *exit_site = (const memscope_site *)r->aux;
      size_t xslot = ((uintptr_t)exit_site >> 4) & 63;
      if (unlikely(cache[xslot].site != exit_site || exit_site == NULL)) {
        TRY(site_id(ctx, exit_site, &cache[xslot].id));
        cache[xslot].site = exit_site;
      }
      o = put_uint(o, cache[xslot].id);
      ints++;
    }
    events++;
  }
  size_t payload = (size_t)(o - (uint8_t *)out->data) - start;
  small_buf_t hdr = {.len = 0};
  msgpack_packer hp;
  msgpack_packer_init(&hp, &hdr, small_write);
  TRY(msgpack_pack_array(&hp, 5));
  TRY(msgpack_pack_uint8(&hp, MEMSCOPE_REC_EVENTS));
  TRY(msgpack_pack_uint32(&hp, thread));
  TRY(msgpack_pack_uint32(&hp, t0_ms));
  TRY(msgpack_pack_uint64(&hp, events));
  TRY(msgpack_pack_array(&hp, (uint32_t)ints));
  memmove(out->data + start + hdr.len, out->data + start, payload);
  memcpy(out->data + start, hdr.data, hdr.len);
  out->len = start + hdr.len + payload;
  if (events_out != NULL) *events_out = events;
  return 0;
}
