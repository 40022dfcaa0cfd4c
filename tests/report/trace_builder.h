/* trace_builder.h: writes memscope traces byte by byte with msgpack-c's packer, for tests. */
#ifndef MEMSCOPE_TRACE_BUILDER_H
#define MEMSCOPE_TRACE_BUILDER_H

#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct tb {
  msgpack_sbuffer sb;   /* the trace */
  msgpack_packer pk;
  msgpack_sbuffer ev;   /* payload of the EVENTS record being built */
  msgpack_packer epk;
  uint64_t thread, t0, nev, ntime, nints;
  int64_t prev;
  int count_time;       /* count TIME events in an EVENTS record's count */
  const char *sample;   /* when set before tb_header: the header's options.sample */
} tb;

static inline void tb_init(tb *b) {
  memset(b, 0, sizeof *b);
  msgpack_sbuffer_init(&b->sb);
  msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
  msgpack_sbuffer_init(&b->ev);
  msgpack_packer_init(&b->epk, &b->ev, msgpack_sbuffer_write);
}

static inline void tb_destroy(tb *b) {
  msgpack_sbuffer_destroy(&b->sb);
  msgpack_sbuffer_destroy(&b->ev);
}

static inline size_t tb_size(const tb *b) { return b->sb.size; }

static inline void tb_str(msgpack_packer *pk, const char *s) {
  size_t n = strlen(s);
  msgpack_pack_str(pk, n);
  msgpack_pack_str_body(pk, s, n);
}

/* ["memscope", major, minor, {pid, program, clock, start_unix_ns, abi, options}] */
static inline void tb_header(tb *b, unsigned major, unsigned minor, uint64_t pid,
                             const char *program) {
  msgpack_pack_array(&b->pk, 4);
  tb_str(&b->pk, "memscope");
  msgpack_pack_uint64(&b->pk, major);
  msgpack_pack_uint64(&b->pk, minor);
  msgpack_pack_map(&b->pk, 6);
  tb_str(&b->pk, "pid");
  msgpack_pack_uint64(&b->pk, pid);
  tb_str(&b->pk, "program");
  tb_str(&b->pk, program);
  tb_str(&b->pk, "clock");
  tb_str(&b->pk, "ms");
  tb_str(&b->pk, "start_unix_ns");
  msgpack_pack_uint64(&b->pk, 1700000000000000000ull);
  tb_str(&b->pk, "abi");
  msgpack_pack_uint64(&b->pk, 1);
  tb_str(&b->pk, "options");
  msgpack_pack_map(&b->pk, b->sample ? 2 : 1);
  tb_str(&b->pk, "MEMSCOPE_OUT");
  tb_str(&b->pk, "trace.%p.msgpack");
  if (b->sample) {
    tb_str(&b->pk, "sample");
    tb_str(&b->pk, b->sample);
  }
}

static inline void tb_site(tb *b, uint64_t id, unsigned kind, unsigned flags, const char *file,
                           unsigned line, unsigned col, const char *func, const char *type,
                           const char *sizeof_type, const char *var, uint64_t elem) {
  msgpack_pack_array(&b->pk, 12);
  msgpack_pack_uint8(&b->pk, 1);
  msgpack_pack_uint64(&b->pk, id);
  msgpack_pack_uint64(&b->pk, kind);
  msgpack_pack_uint64(&b->pk, flags);
  tb_str(&b->pk, file);
  msgpack_pack_uint64(&b->pk, line);
  msgpack_pack_uint64(&b->pk, col);
  tb_str(&b->pk, func);
  tb_str(&b->pk, type);
  tb_str(&b->pk, sizeof_type);
  tb_str(&b->pk, var);
  msgpack_pack_uint64(&b->pk, elem);
}

static inline void tb_thread(tb *b, uint64_t id, uint64_t tid, const char *name) {
  msgpack_pack_array(&b->pk, 4);
  msgpack_pack_uint8(&b->pk, 2);
  msgpack_pack_uint64(&b->pk, id);
  msgpack_pack_uint64(&b->pk, tid);
  tb_str(&b->pk, name);
}

static inline void tb_events_begin(tb *b, uint64_t thread, uint64_t t0) {
  msgpack_sbuffer_clear(&b->ev);
  b->thread = thread, b->t0 = t0;
  b->nev = b->ntime = b->nints = 0;
  b->prev = 0;
}

static inline void tb_tag(tb *b, uint64_t arg, unsigned op) {
  msgpack_pack_uint64(&b->epk, arg << 3 | op);
  b->nints++;
  b->nev++;
}

static inline void tb_ptr(tb *b, uint64_t ptr) {
  msgpack_pack_int64(&b->epk, (int64_t)(ptr - (uint64_t)b->prev));
  b->prev = (int64_t)ptr;
  b->nints++;
}

static inline void tb_time(tb *b, uint64_t dt) {
  tb_tag(b, dt, 0);
  b->ntime++;
}

static inline void tb_alloc(tb *b, uint64_t site, uint64_t ptr, uint64_t size) {
  tb_tag(b, site, 1);
  tb_ptr(b, ptr);
  msgpack_pack_uint64(&b->epk, size);
  b->nints++;
}

static inline void tb_free(tb *b, uint64_t site, uint64_t ptr) {
  tb_tag(b, site, 2);
  tb_ptr(b, ptr);
}

static inline void tb_realloc(tb *b, uint64_t site, uint64_t old, uint64_t ptr, uint64_t size) {
  tb_tag(b, site, 3);
  tb_ptr(b, old);
  tb_ptr(b, ptr);
  msgpack_pack_uint64(&b->epk, size);
  b->nints++;
}

static inline void tb_scope_exit(tb *b, uint64_t var, uint64_t ptr, uint64_t exit_site) {
  tb_tag(b, var, 4);
  tb_ptr(b, ptr);
  msgpack_pack_uint64(&b->epk, exit_site);
  b->nints++;
}

/* SAMPLED: the weight is a float32. */
static inline void tb_sampled(tb *b, uint64_t site, uint64_t ptr, uint64_t size, float weight) {
  tb_tag(b, site, 5);
  tb_ptr(b, ptr);
  msgpack_pack_uint64(&b->epk, size);
  msgpack_pack_float(&b->epk, weight);
  b->nints += 2;
}

static inline void tb_handoff(tb *b, uint64_t site, uint64_t ptr) {
  tb_tag(b, site, 6);
  tb_ptr(b, ptr);
}

/* [6, t_ms, mean] */
static inline void tb_sampling(tb *b, uint64_t t, uint64_t mean) {
  msgpack_pack_array(&b->pk, 3);
  msgpack_pack_uint8(&b->pk, 6);
  msgpack_pack_uint64(&b->pk, t);
  msgpack_pack_uint64(&b->pk, mean);
}

/* [3, thread, t0_ms, count, [payload]] */
static inline void tb_events_end(tb *b) {
  msgpack_pack_array(&b->pk, 5);
  msgpack_pack_uint8(&b->pk, 3);
  msgpack_pack_uint64(&b->pk, b->thread);
  msgpack_pack_uint64(&b->pk, b->t0);
  msgpack_pack_uint64(&b->pk, b->count_time ? b->nev : b->nev - b->ntime);
  msgpack_pack_array(&b->pk, (size_t)b->nints);
  msgpack_sbuffer_write(&b->sb, b->ev.data, b->ev.size);
}

static inline void tb_message(tb *b, uint64_t t, const char *text) {
  msgpack_pack_array(&b->pk, 3);
  msgpack_pack_uint8(&b->pk, 5);
  msgpack_pack_uint64(&b->pk, t);
  tb_str(&b->pk, text);
}

/* [4, {events_seen, events_recorded, events_dropped, buffers_flushed, bytes_written,
        runtime_bytes, threads, alloc_count, free_count, alloc_bytes, peak_bytes, duration_ms,
        error}] with the values in this order. */
static inline void tb_end(tb *b, const uint64_t v[12], int32_t error) {
  static const char *keys[12] = {"events_seen",   "events_recorded", "events_dropped",
                                 "buffers_flushed", "bytes_written", "runtime_bytes",
                                 "threads",       "alloc_count",     "free_count",
                                 "alloc_bytes",   "peak_bytes",      "duration_ms"};
  msgpack_pack_array(&b->pk, 2);
  msgpack_pack_uint8(&b->pk, 4);
  msgpack_pack_map(&b->pk, 13);
  for (int i = 0; i < 12; i++) {
    tb_str(&b->pk, keys[i]);
    msgpack_pack_uint64(&b->pk, v[i]);
  }
  tb_str(&b->pk, "error");
  msgpack_pack_int32(&b->pk, error);
}

static inline int tb_write(const tb *b, const char *path, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = len < b->sb.size ? len : b->sb.size;
  int rc = fwrite(b->sb.data, 1, n, f) == n ? 0 : -1;
  return fclose(f) || rc ? -1 : 0;
}

#endif /* MEMSCOPE_TRACE_BUILDER_H */
