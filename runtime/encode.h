/* encode.h: msgpack encoding of trace records, shared by the writer and the golden-byte tests. */
#ifndef MEMSCOPE_ENCODE_H
#define MEMSCOPE_ENCODE_H

#include "internal.h"

#include <msgpack.h>

#define MEMSCOPE_FORMAT_MAJOR 1
#define MEMSCOPE_FORMAT_MAJOR_ZSTD 2 /* version 1 whose bytes after the header pass through zstd */
#define MEMSCOPE_FORMAT_MINOR 0

enum {
  MEMSCOPE_REC_SITE = 1,
  MEMSCOPE_REC_THREAD = 2,
  MEMSCOPE_REC_EVENTS = 3,
  MEMSCOPE_REC_END = 4,
  MEMSCOPE_REC_MESSAGE = 5,
  MEMSCOPE_REC_SAMPLING = 6,
  MEMSCOPE_REC_MARK = 7,
};

typedef struct _memscope_header_s {
  uint32_t pid;
  const char *program;
  uint64_t start_unix_ns;
  size_t option_count;
  const char *const *option_names;
  const char *const *option_values;
  int compressed;  /* the records that follow go through zstd: major version 2 */
} _memscope_header_t;

typedef struct _memscope_site_slot_s {
  const memscope_site *site;
  uint32_t id;
} _memscope_site_slot_t;

typedef struct _memscope_sitemap_s {
  _memscope_site_slot_t *slots;
  size_t cap;     /* power of two, or 0 */
  size_t count;
  uint32_t next_id;
} _memscope_sitemap_t;

int _memscope_encode_header(msgpack_packer *pk, const _memscope_header_t *h) _memscope_hidden;
int _memscope_encode_site(msgpack_packer *pk, uint32_t id, const memscope_site *s) _memscope_hidden;
int _memscope_encode_thread(msgpack_packer *pk, uint32_t thread, uint32_t os_tid,
                            const char *name) _memscope_hidden;
int _memscope_encode_message(msgpack_packer *pk, uint32_t t_ms, const char *text) _memscope_hidden;
int _memscope_encode_sampling(msgpack_packer *pk, uint32_t t_ms, uint64_t mean) _memscope_hidden;
int _memscope_encode_mark(msgpack_packer *pk, uint32_t t_ms, uint32_t seq, const char *label,
                          int recording) _memscope_hidden;
int _memscope_encode_end(msgpack_packer *pk, const memscope_stats *st,
                         uint32_t duration_ms) _memscope_hidden;
/* A growable byte buffer that encoded batches are built in. */
typedef struct _memscope_bytes_s {
  char *data;
  size_t len, cap;
} _memscope_bytes_t;

/* Resolves a site to its id in the trace (0 for unknown sites), writing its SITE record the
   first time; returns 0 or a negative code. */
typedef int (*_memscope_site_fn)(void *ctx, const memscope_site *s, uint32_t *id);

int _memscope_encode_events(_memscope_bytes_t *out, _memscope_site_fn site_id, void *ctx,
                            uint32_t thread, uint32_t t0_ms, const _memscope_rec_t *recs,
                            uint32_t n, uint64_t *events_out) _memscope_hidden;
/* Looks s up in m, adding it with the next id when absent (*added = 1). */
int _memscope_sitemap_get(_memscope_sitemap_t *m, const memscope_site *s, uint32_t *id,
                          int *added) _memscope_hidden;
void _memscope_sitemap_free(_memscope_sitemap_t *m) _memscope_hidden;
size_t _memscope_sitemap_bytes(const _memscope_sitemap_t *m) _memscope_hidden;

/* live.c: the writer's table of live blocks, which the in-process statistics come from. */
typedef struct _memscope_live_slot_s {
  uintptr_t ptr; /* 0 = empty */
  uint64_t size;
} _memscope_live_slot_t;

typedef struct _memscope_live_s {
  _memscope_live_slot_t *slots;
  size_t cap;
  size_t count;  /* live blocks */
  size_t dead;   /* tombstones */
  memscope_stats st; /* block and byte figures only */
} _memscope_live_t;

int _memscope_live_apply(_memscope_live_t *l, const _memscope_rec_t *recs, uint32_t n) _memscope_hidden;
void _memscope_live_free(_memscope_live_t *l) _memscope_hidden;
size_t _memscope_live_bytes(const _memscope_live_t *l) _memscope_hidden;

#endif /* MEMSCOPE_ENCODE_H */
