/* reader.c: decodes the records of a memscope trace and delivers them by callback. */
#include "cursor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------
   Records
------------------------------------------------------------------------------------------------ */
#define RD_TYPE_UNKNOWN UINT64_MAX

static int rd_consumer(rd_t *r, int rc, uint64_t off) {
  return rc < 0 ? rd_record_fail(r, MEMSCOPE_READ_ECONSUMER, off, NULL) : 0;
}

static int rd_too_few(rd_t *r, uint64_t have, unsigned want) {
  return rd_fail(r, MEMSCOPE_READ_ECORRUPT, r->rec_off,
                 "byte %llu: record %llu (%s) has %llu fields, expected at least %u",
                 (unsigned long long)r->rec_off, (unsigned long long)r->record,
                 memscope_record_name(r->rec_type), (unsigned long long)have + 1, want + 1);
}

static int rd_header(rd_t *r) {
  static const uint8_t magic[10] = {0x94, 0xa8, 'm', 'e', 'm', 's', 'c', 'o', 'p', 'e'};
  r->record = 1;
  r->rec_off = 0;
  r->rec_type = 0;
  for (unsigned i = 0; i < sizeof magic; i++) {
    int rc = rd_need(r, i + 1);
    if (rc == RD_SHORT && i == 0)
      return rd_fail(r, MEMSCOPE_READ_EEMPTY, 0, "empty file (0 bytes): not a memscope trace");
    if (rc) return rd_record_fail(r, rc, 0, NULL);
    uint8_t b = r->buf[r->pos + i];
    if (i == 0 ? (b < 0x94 || b > 0x9f) : b != magic[i]) {
      char found[64] = "";
      size_t avail = r->len - r->pos, k = 0;
      for (size_t j = 0; j < sizeof magic && j < avail; j++)
        k += (size_t)snprintf(found + k, sizeof found - k, " %02x", r->buf[r->pos + j]);
      return rd_fail(r, MEMSCOPE_READ_EMAGIC, 0,
                     "byte 0: not a memscope trace: expected the magic 94 a8 \"memscope\", "
                     "found%s", found);
    }
  }
  uint64_t nfields = (r->buf[r->pos] & 0x0f) - 1u;
  r->pos += sizeof magic;
  memscope_trace_header h;
  memset(&h, 0, sizeof h);
  h.program = h.clock = "";
  uint64_t off = rd_off(r);
  int rc = rd_uint(r, "major", &h.major);
  if (rc) return rc;
  if (h.major > MEMSCOPE_TRACE_MAJOR)
    return rd_fail(r, MEMSCOPE_READ_EVERSION, off,
                   "byte %llu: expected format major version <= %d, found %llu (the trace was "
                   "written by a newer memscope)",
                   (unsigned long long)off, MEMSCOPE_TRACE_MAJOR, (unsigned long long)h.major);
  if (h.major < 1)
    return rd_fail(r, MEMSCOPE_READ_EVERSION, off,
                   "byte %llu: expected format major version %d, found %llu",
                   (unsigned long long)off, MEMSCOPE_TRACE_MAJOR, (unsigned long long)h.major);
  if ((rc = rd_uint(r, "minor", &h.minor))) return rc;
  uint64_t n;
  if ((rc = rd_container(r, "header map", MP_MAP, &n))) return rc;
  for (uint64_t i = 0; i < n; i++) {
    const char *key;
    if ((rc = rd_str(r, "header key", &key, NULL))) return rc;
    if (!strcmp(key, "pid")) rc = rd_uint(r, key, &h.pid);
    else if (!strcmp(key, "start_unix_ns")) rc = rd_uint(r, key, &h.start_unix_ns);
    else if (!strcmp(key, "abi")) rc = rd_uint(r, key, &h.abi);
    else if (!strcmp(key, "program")) rc = rd_str(r, key, &h.program, NULL);
    else if (!strcmp(key, "clock")) rc = rd_str(r, key, &h.clock, NULL);
    else if (!strcmp(key, "options")) {
      uint64_t m;
      size_t first = r->nkvs;
      if ((rc = rd_container(r, key, MP_MAP, &m)) || (rc = rd_kv_map(r, key, m))) return rc;
      h.noptions = r->nkvs - first;
      h.options = (const memscope_trace_kv *)(uintptr_t)first; /* resolved below */
    } else rc = rd_skip_fields(r, 1);
    if (rc) return rc;
  }
  if (h.noptions) h.options = r->kvs + (size_t)(uintptr_t)h.options;
  else h.options = NULL;
  if (nfields > 3 && (rc = rd_skip_fields(r, nfields - 3))) return rc;
  if (h.major == 2 && (rc = rd_zstd_start(r))) /* MEMSCOPE_COMPRESS */
    return rd_fail(r, rc, rd_off(r), "out of memory");
  if (r->cb->header) return rd_consumer(r, r->cb->header(r->ud, &h), 0);
  return 0;
}

static int rd_site(rd_t *r, uint64_t nfields) {
  memscope_trace_site s;
  int rc;
  if (nfields < 11) return rd_too_few(r, nfields, 11);
  uint64_t off = rd_off(r);
  if ((rc = rd_uint(r, "id", &s.id))) return rc;
  if (s.id == 0 || s.id >= (1u << 24))
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, off,
                   "byte %llu: record %llu (SITE): site id %llu is out of range 1..%u",
                   (unsigned long long)off, (unsigned long long)r->record,
                   (unsigned long long)s.id, (1u << 24) - 1);
  if ((rc = rd_uint(r, "kind", &s.kind)) || (rc = rd_uint(r, "flags", &s.flags)) ||
      (rc = rd_str(r, "file", &s.file, NULL)) || (rc = rd_uint(r, "line", &s.line)) ||
      (rc = rd_uint(r, "column", &s.column)) || (rc = rd_str(r, "function", &s.function, NULL)) ||
      (rc = rd_str(r, "type_name", &s.type_name, NULL)) ||
      (rc = rd_str(r, "sizeof_type", &s.sizeof_type, NULL)) ||
      (rc = rd_str(r, "var_name", &s.var_name, NULL)) ||
      (rc = rd_uint(r, "elem_size", &s.elem_size)) || (rc = rd_skip_fields(r, nfields - 11)))
    return rc;
  return r->cb->site ? rd_consumer(r, r->cb->site(r->ud, &s), r->rec_off) : 0;
}

static int rd_thread(rd_t *r, uint64_t nfields) {
  memscope_trace_thread t;
  int rc;
  if (nfields < 3) return rd_too_few(r, nfields, 3);
  if ((rc = rd_uint(r, "thread", &t.id)) || (rc = rd_uint(r, "os_tid", &t.os_tid)) ||
      (rc = rd_str(r, "name", &t.name, NULL)) || (rc = rd_skip_fields(r, nfields - 3)))
    return rc;
  return r->cb->thread ? rd_consumer(r, r->cb->thread(r->ud, &t), r->rec_off) : 0;
}

static int rd_message(rd_t *r, uint64_t nfields) {
  uint64_t t;
  const char *text;
  size_t len;
  int rc;
  if (nfields < 2) return rd_too_few(r, nfields, 2);
  if ((rc = rd_uint(r, "t_ms", &t)) || (rc = rd_str(r, "text", &text, &len)) ||
      (rc = rd_skip_fields(r, nfields - 2)))
    return rc;
  return r->cb->message ? rd_consumer(r, r->cb->message(r->ud, t, text, len), r->rec_off) : 0;
}

static int rd_mark(rd_t *r, uint64_t nfields) {
  memscope_trace_mark mk = {0};
  int rc;
  if (nfields < 4) return rd_too_few(r, nfields, 4);
  if ((rc = rd_uint(r, "t_ms", &mk.t)) || (rc = rd_uint(r, "seq", &mk.seq)) ||
      (rc = rd_str(r, "label", &mk.label, &mk.label_len)))
    return rc;
  uint64_t off = rd_off(r);
  mp_obj o;
  if ((rc = rd_head(r, &o))) return rd_record_fail(r, rc, off, NULL);
  if (o.kind != MP_BOOL) return rd_type_error(r, off, "recording", "a bool", &o);
  mk.recording = (int)o.u;
  if ((rc = rd_skip_fields(r, nfields - 4))) return rc;
  return r->cb->mark ? rd_consumer(r, r->cb->mark(r->ud, &mk), r->rec_off) : 0;
}

static int rd_sampling(rd_t *r, uint64_t nfields) {
  uint64_t t, mean;
  int rc;
  if (nfields < 2) return rd_too_few(r, nfields, 2);
  if ((rc = rd_uint(r, "t_ms", &t)) || (rc = rd_uint(r, "mean", &mean)) ||
      (rc = rd_skip_fields(r, nfields - 2)))
    return rc;
  return r->cb->sampling ? rd_consumer(r, r->cb->sampling(r->ud, t, mean), r->rec_off) : 0;
}

static int rd_end(rd_t *r, uint64_t nfields) {
  uint64_t n;
  int rc;
  if (nfields < 1) return rd_too_few(r, nfields, 1);
  if ((rc = rd_container(r, "totals", MP_MAP, &n)) || (rc = rd_kv_map(r, "totals", n)) ||
      (rc = rd_skip_fields(r, nfields - 1)))
    return rc;
  memscope_trace_end e = {r->nkvs, r->kvs};
  return r->cb->end ? rd_consumer(r, r->cb->end(r->ud, &e), r->rec_off) : 0;
}

/* One operand of an event: an int of any sign when 'is_signed', else an unsigned int. */
static inline int rd_operand(rd_t *r, const char *field, bool is_signed, uint64_t *out) {
  uint64_t off = rd_off(r);
  mp_obj o;
  int rc = rd_head(r, &o);
  if (unlikely(rc)) return rd_record_fail(r, rc, off, NULL);
  if (unlikely(o.kind != MP_UINT && !(is_signed && o.kind == MP_INT)))
    return rd_type_error(r, off, field, is_signed ? "an int" : "an unsigned int", &o);
  *out = o.u;
  return 0;
}

/* The weight of a SAMPLED event: a float32 (or float64), finite and positive. */
static int rd_weight(rd_t *r, double *out) {
  uint64_t off = rd_off(r);
  mp_obj o;
  int rc = rd_need(r, 1);
  if (unlikely(rc)) return rd_record_fail(r, rc, off, NULL);
  uint8_t first = r->buf[r->pos];
  if (unlikely(rc = rd_head(r, &o))) return rd_record_fail(r, rc, off, NULL);
  if (unlikely(o.kind != MP_FLOAT)) return rd_type_error(r, off, "weight", "a float", &o);
  /* the value's bytes are still in the chunk, just before pos */
  const uint8_t *p = r->buf + r->pos - mp_head_size(first) + 1;
  double w;
  if (first == 0xca) {
    uint32_t bits = be32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    w = f;
  } else {
    uint64_t bits = be64(p);
    memcpy(&w, &bits, sizeof w);
  }
  if (unlikely(!(w > 0) || w > 1e18))
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, off,
                   "byte %llu: record %llu (EVENTS): field 'weight' should be a positive finite "
                   "number, found %g",
                   (unsigned long long)off, (unsigned long long)r->record, w);
  *out = w;
  return 0;
}

/* Decoding state of an EVENTS record: the two registers and the payload left. */
typedef struct rd_evs {
  uint64_t thread, t, prev;
  uint64_t n;           /* payload ints left */
  uint64_t nev, ntime;  /* events decoded, TIME events among them */
} rd_evs;

/* Events decoded and not yet delivered, with their byte offsets. */
typedef struct rd_batch {
  size_t n;
  uint64_t off[MEMSCOPE_READ_BATCH];
  memscope_trace_event ev[MEMSCOPE_READ_BATCH];
} rd_batch;

static const unsigned rd_operands[8] = {0, 2, 1, 3, 2, 3, 1, 0};

/* Hands the batch to the consumer. */
static int rd_deliver(rd_t *r, rd_batch *b) {
  size_t n = b->n, bad = 0;
  if (n == 0) return 0;
  b->n = 0;
  const memscope_reader_callbacks *cb = r->cb;
  int rc = 0;
  if (cb->events) rc = cb->events(r->ud, b->ev, n, &bad);
  else if (cb->event)
    for (; bad < n; bad++)
      if (unlikely((rc = cb->event(r->ud, &b->ev[bad])) < 0)) break;
  if (likely(rc >= 0)) {
    r->res->events += n;
    return 0;
  }
  if (bad >= n) bad = n - 1;
  r->res->events += bad + 1;
  return rd_consumer(r, rc, b->off[bad]);
}

/* Decodes one event through the cursor, with every check and any chunk boundary. A TIME event
   only moves the clock; any other is written to *ev and *got set. */
static int rd_event_slow(rd_t *r, rd_evs *s, memscope_trace_event *ev, uint64_t *eoff, int *got) {
  static const char *names[8] = {"TIME",       "ALLOC",   "FREE",    "REALLOC",
                                 "SCOPE_EXIT", "SAMPLED", "HANDOFF", ""};
  uint64_t tag = 0, d = 0;
  int rc;
  *eoff = rd_off(r);
  if (unlikely(rc = rd_operand(r, "event tag", false, &tag))) return rc;
  s->n--;
  unsigned op = (unsigned)(tag & 7);
  s->nev++;
  if (op == MEMSCOPE_EV_TIME) {
    s->t += tag >> 3;
    s->ntime++;
    return 0;
  }
  if (unlikely(op > MEMSCOPE_EV_HANDOFF))
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, *eoff,
                   "byte %llu: record %llu (EVENTS): event %llu has unknown op %u (tag %llu)",
                   (unsigned long long)*eoff, (unsigned long long)r->record,
                   (unsigned long long)s->nev, op, (unsigned long long)tag);
  if (unlikely(s->n < rd_operands[op]))
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, *eoff,
                   "byte %llu: record %llu (EVENTS): event %llu (%s) needs %u operands, the "
                   "payload has %llu left",
                   (unsigned long long)*eoff, (unsigned long long)r->record,
                   (unsigned long long)s->nev, names[op], rd_operands[op],
                   (unsigned long long)s->n);
  s->n -= rd_operands[op];
  ev->op = op;
  ev->thread = s->thread;
  ev->t = s->t;
  ev->site = tag >> 3;
  ev->old = ev->size = ev->exit_site = 0;
  ev->weight = 1;
  switch (op) {
  case MEMSCOPE_EV_ALLOC:
    if ((rc = rd_operand(r, "dptr", true, &d)) || (rc = rd_operand(r, "size", false, &ev->size)))
      return rc;
    ev->ptr = s->prev += d;
    break;
  case MEMSCOPE_EV_FREE:
  case MEMSCOPE_EV_HANDOFF:
    if ((rc = rd_operand(r, "dptr", true, &d))) return rc;
    ev->ptr = s->prev += d;
    break;
  case MEMSCOPE_EV_REALLOC:
    if ((rc = rd_operand(r, "dold", true, &d))) return rc;
    ev->old = s->prev += d;
    if ((rc = rd_operand(r, "dptr", true, &d)) || (rc = rd_operand(r, "size", false, &ev->size)))
      return rc;
    ev->ptr = s->prev += d;
    break;
  case MEMSCOPE_EV_SAMPLED:
    if ((rc = rd_operand(r, "dptr", true, &d)) ||
        (rc = rd_operand(r, "size", false, &ev->size)) || (rc = rd_weight(r, &ev->weight)))
      return rc;
    ev->ptr = s->prev += d;
    break;
  default: /* MEMSCOPE_EV_SCOPE_EXIT */
    if ((rc = rd_operand(r, "dptr", true, &d)) ||
        (rc = rd_operand(r, "exit site", false, &ev->exit_site)))
      return rc;
    ev->ptr = s->prev += d;
    break;
  }
  *got = 1;
  return 0;
}

/* Bytes the fast path may read for one event: a tag and three ints (or two ints and a float64
   weight) of at most 9 bytes each, every int read as 9 bytes. */
#define RD_FAST_BYTES 40

/* Decodes events straight from the chunk while at least RD_FAST_BYTES are left and the batch
   has room. It stops before anything unusual (another type than an int where one is expected,
   a negative or huge unsigned field, an unknown op, a payload too short, a bad weight), which
   rd_event_slow then decodes or reports. */
static void rd_events_fast(rd_t *r, rd_evs *s, rd_batch *b) {
  const uint8_t *p = r->buf + r->pos, *lim = r->buf + r->len - RD_FAST_BYTES;
  uint64_t t = s->t, prev = s->prev, n = s->n, nev = s->nev, ntime = s->ntime;
  const uint64_t thread = s->thread, base = r->base - (uint64_t)(uintptr_t)r->buf;
  size_t k = b->n;
  while (n > 0 && p <= lim && k < MEMSCOPE_READ_BATCH) {
    uint64_t tag, a, size = 0, old = 0, exit_site = 0;
    unsigned w = mp_fast_int(p, &tag);
    if (unlikely(w == 0 || (int64_t)tag < 0)) break;
    const uint8_t *q = p + w;
    unsigned op = (unsigned)(tag & 7);
    if (unlikely(op == MEMSCOPE_EV_TIME)) {
      t += tag >> 3;
      n--, nev++, ntime++;
      p = q;
      continue;
    }
    unsigned nops = rd_operands[op];
    if (unlikely(n <= nops)) break; /* also op 7 (no operands, unknown) */
    if (unlikely(!(w = mp_fast_int(q, &a)))) break;
    q += w;
    uint64_t ptr = prev + a;
    double weight = 1;
    switch (op) {
    case MEMSCOPE_EV_ALLOC:
      w = mp_fast_int(q, &size);
      if (unlikely(w == 0 || (int64_t)size < 0)) goto stop;
      q += w;
      break;
    case MEMSCOPE_EV_FREE:
    case MEMSCOPE_EV_HANDOFF: break;
    case MEMSCOPE_EV_REALLOC:
      old = ptr;
      if (unlikely(!(w = mp_fast_int(q, &a)))) goto stop;
      q += w;
      ptr = old + a;
      w = mp_fast_int(q, &size);
      if (unlikely(w == 0 || (int64_t)size < 0)) goto stop;
      q += w;
      break;
    case MEMSCOPE_EV_SCOPE_EXIT:
      w = mp_fast_int(q, &exit_site);
      if (unlikely(w == 0 || (int64_t)exit_site < 0)) goto stop;
      q += w;
      break;
    case MEMSCOPE_EV_SAMPLED:
      w = mp_fast_int(q, &size);
      if (unlikely(w == 0 || (int64_t)size < 0)) goto stop;
      q += w;
      if (q[0] == 0xca) {
        uint32_t bits = be32(q + 1);
        float f;
        memcpy(&f, &bits, sizeof f);
        weight = f;
        q += 5;
      } else if (q[0] == 0xcb) {
        uint64_t bits = be64(q + 1);
        memcpy(&weight, &bits, sizeof weight);
        q += 9;
      } else goto stop;
      if (unlikely(!(weight > 0) || weight > 1e18)) goto stop;
      break;
    default: goto stop;
    }
    memscope_trace_event *e = &b->ev[k];
    e->op = op, e->thread = thread, e->t = t, e->site = tag >> 3;
    e->ptr = ptr, e->old = old, e->size = size, e->exit_site = exit_site, e->weight = weight;
    b->off[k++] = base + (uint64_t)(uintptr_t)p;
    prev = ptr;
    n -= 1 + nops;
    nev++;
    p = q;
  }
stop:
  s->t = t, s->prev = prev, s->n = n, s->nev = nev, s->ntime = ntime;
  r->pos = (size_t)(p - r->buf);
  b->n = k;
}

static int rd_events(rd_t *r, uint64_t nfields) {
  uint64_t count;
  int rc;
  rd_evs s = {0, 0, 0, 0, 0, 0};
  if (nfields < 4) return rd_too_few(r, nfields, 4);
  if ((rc = rd_uint(r, "thread", &s.thread)) || (rc = rd_uint(r, "t0_ms", &s.t)) ||
      (rc = rd_uint(r, "count", &count)) || (rc = rd_container(r, "payload", MP_ARRAY, &s.n)))
    return rc;
  rd_batch b;
  b.n = 0;
  while (s.n > 0) {
    if (r->len - r->pos >= RD_FAST_BYTES) {
      rd_events_fast(r, &s, &b);
      if (b.n == MEMSCOPE_READ_BATCH) {
        if ((rc = rd_deliver(r, &b))) return rc;
        continue;
      }
      if (s.n == 0) break;
    }
    /* near the end of the chunk, or an event the fast path leaves: deliver what came before
       it, so that callbacks and errors keep the order of the events */
    if ((rc = rd_deliver(r, &b))) return rc;
    uint64_t eoff;
    int got = 0;
    if ((rc = rd_event_slow(r, &s, &b.ev[0], &eoff, &got))) return rc;
    if (got) {
      b.off[0] = eoff;
      b.n = 1;
    }
  }
  if ((rc = rd_deliver(r, &b))) return rc;
  /* 'count' counts every event; a count without the TIME events is accepted as well. */
  if (count != s.nev && count != s.nev - s.ntime)
    return rd_fail(r, MEMSCOPE_READ_ECORRUPT, r->rec_off,
                   "byte %llu: record %llu (EVENTS): count says %llu events, the payload holds "
                   "%llu",
                   (unsigned long long)r->rec_off, (unsigned long long)r->record,
                   (unsigned long long)count, (unsigned long long)s.nev);
  return rd_skip_fields(r, nfields - 4);
}

static int rd_records(rd_t *r) {
  memscope_read_result *res = r->res;
  for (;;) {
    arena_reset(r);
    r->nkvs = 0;
    res->bytes = rd_off(r);
    res->records = r->record;
    int rc = rd_need(r, 1);
    if (rc == RD_SHORT) break;
    if (rc) return rd_record_fail(r, rc, rd_off(r), NULL);
    if (res->complete)
      return rd_fail(r, MEMSCOPE_READ_ECORRUPT, rd_off(r),
                     "byte %llu: unexpected data after the END record",
                     (unsigned long long)rd_off(r));
    r->record++;
    r->rec_off = rd_off(r);
    r->rec_type = RD_TYPE_UNKNOWN;
    mp_obj o;
    if ((rc = rd_head(r, &o))) return rd_record_fail(r, rc, r->rec_off, NULL);
    if (o.kind != MP_ARRAY || o.u == 0)
      return rd_fail(r, MEMSCOPE_READ_ECORRUPT, r->rec_off,
                     "byte %llu: record %llu should be a non-empty array, found %s%s",
                     (unsigned long long)r->rec_off, (unsigned long long)r->record,
                     mp_kind_name(o.kind), o.kind == MP_ARRAY ? " of 0 elements" : "");
    uint64_t type, nfields = o.u - 1;
    if ((rc = rd_uint(r, "type", &type))) return rc;
    r->rec_type = type;
    switch (type) {
    case MEMSCOPE_REC_SITE: rc = rd_site(r, nfields); break;
    case MEMSCOPE_REC_THREAD: rc = rd_thread(r, nfields); break;
    case MEMSCOPE_REC_EVENTS: rc = rd_events(r, nfields); break;
    case MEMSCOPE_REC_END:
      if (!(rc = rd_end(r, nfields))) res->complete = 1;
      break;
    case MEMSCOPE_REC_MESSAGE: rc = rd_message(r, nfields); break;
    case MEMSCOPE_REC_SAMPLING: rc = rd_sampling(r, nfields); break;
    case MEMSCOPE_REC_MARK: rc = rd_mark(r, nfields); break;
    default: rc = rd_skip_fields(r, nfields); break; /* a newer record type */
    }
    if (rc) return rc;
  }
  if (!res->complete)
    return rd_fail(r, MEMSCOPE_READ_ENOEND, res->bytes,
                   "incomplete at byte %llu: no END record after %llu records (the program "
                   "did not finish writing the trace)",
                   (unsigned long long)res->bytes, (unsigned long long)res->records);
  return 0;
}

static int rd_run(rd_t *r) {
  int rc = rd_header(r);
  if (!rc) rc = rd_records(r);
  r->res->file_bytes = r->z ? r->z->in_base + r->z->in_len : r->base + r->len;
  rd_zstd_end(r);
  arena_reset(r);
  free(r->arena);
  free(r->kvs);
  return r->res->status ? r->res->status : rc;
}

static void rd_init(rd_t *r, const char *name, const memscope_reader_callbacks *cb, void *ud,
                    memscope_read_result *res) {
  static const memscope_reader_callbacks none;
  memset(r, 0, sizeof *r);
  memset(res, 0, sizeof *res);
  r->name = name;
  r->fd = -1;
  r->cb = cb ? cb : &none;
  r->ud = ud;
  r->res = res;
}

int memscope_read_mem(const void *data, size_t len, const char *name,
                      const memscope_reader_callbacks *cb, void *ud, memscope_read_result *res) {
  rd_t r;
  rd_init(&r, name ? name : "trace", cb, ud, res);
  static const uint8_t empty[1];
  r.buf = data ? (uint8_t *)(uintptr_t)data : (uint8_t *)(uintptr_t)empty;
  r.len = data ? len : 0;
  r.cap = r.len;
  r.eof = true;
  return rd_run(&r);
}

int memscope_read_file(const char *path, size_t chunk, const memscope_reader_callbacks *cb,
                       void *ud, memscope_read_result *res) {
  rd_t r;
  rd_init(&r, path, cb, ud, res);
  if (chunk == 0) chunk = MEMSCOPE_READ_CHUNK;
  if (chunk < 16) chunk = 16;
  bool is_stdin = !strcmp(path, "-");
  r.fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (r.fd < 0) return rd_fail(&r, MEMSCOPE_READ_EOPEN, 0, "cannot open: %s", strerror(errno));
  r.buf = malloc(chunk);
  if (!r.buf) {
    if (!is_stdin) close(r.fd);
    return rd_fail(&r, MEMSCOPE_READ_ENOMEM, 0, "out of memory");
  }
  r.cap = chunk;
  r.owned = true;
  int rc = rd_run(&r);
  free(r.buf);
  if (!is_stdin) close(r.fd);
  return rc;
}

int memscope_end_get(const memscope_trace_end *e, const char *key, uint64_t *out) {
  for (size_t i = 0; i < e->n; i++)
    if (e->items[i].type == MEMSCOPE_KV_UINT && !strcmp(e->items[i].key, key)) {
      *out = e->items[i].u;
      return 1;
    }
  return 0;
}
