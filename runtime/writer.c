/* writer.c: owns the trace file: opens it, writes records under one lock, site ids, handles faults. */
#include "encode.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* Full buffers reach the writer thread raw or already encoded (queue.c); either way their bytes
   are written here under 'lock': records of different threads never interleave. A site's SITE
   record and a thread's THREAD record are written the first time they are needed, before the
   id can be used, so they always precede their first use. If a write fails (bad path, disk
   full) tracing stops with one message on stderr and the program carries on untouched. */

typedef struct writer_s {
  pthread_mutex_t lock;      /* the file, W.out, counters */
  pthread_mutex_t sites_lock; /* site ids; taken before 'lock' */
  pthread_mutex_t live_lock; /* the live-block table */
  int fd;
  int open;
  char path[4096];
  msgpack_sbuffer out;       /* small records */
  msgpack_packer pk;
  _memscope_sitemap_t sites;
  _memscope_live_t live;
  uint64_t bytes_written;
  uint64_t buffers_flushed;
  _Atomic(uint64_t) events_recorded;
  uint8_t *announced;  /* announced[thread_id]: THREAD record written */
  size_t announced_cap;
  int error;
  ZSTD_CCtx *zc;       /* MEMSCOPE_COMPRESS: everything after the header goes through it */
  char *zbuf;
  size_t zcap;
} writer_t;

static writer_t W = {.lock = PTHREAD_MUTEX_INITIALIZER,
                     .sites_lock = PTHREAD_MUTEX_INITIALIZER,
                     .live_lock = PTHREAD_MUTEX_INITIALIZER,
                     .fd = -1};

/* Program name: basename of /proc/self/exe, else of argv[0] as glibc saw it. */
static void program_name(char *buf, size_t cap) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const char *name = NULL;
  if (n > 0) {
    exe[n] = '\0';
    name = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
  } else {
    extern char *program_invocation_short_name;
    name = program_invocation_short_name;
  }
  snprintf(buf, cap, "%.*s", (int)(cap - 1), name ? name : "program");
}

/* Expands %p (pid), %e (program) and %% in pattern. Returns 0, or MEMSCOPE_ERR_ARG when the
   result does not fit. */
int _memscope_expand_path(const char *pattern, char *out, size_t cap, int pid,
                          const char *program) {
  size_t o = 0;
  for (const char *c = pattern; *c; c++) {
    char piece[64];
    const char *add = piece;
    if (c[0] == '%' && c[1] == 'p') {
      snprintf(piece, sizeof piece, "%d", pid);
      c++;
    } else if (c[0] == '%' && c[1] == 'e') {
      add = program;
      c++;
    } else if (c[0] == '%' && c[1] == '%') {
      piece[0] = '%', piece[1] = '\0';
      c++;
    } else {
      piece[0] = *c, piece[1] = '\0';
    }
    size_t len = strlen(add);
    if (o + len + 1 > cap) return MEMSCOPE_ERR_ARG;
    memcpy(out + o, add, len);
    o += len;
  }
  out[o] = '\0';
  return 0;
}

static int sbuffer_sink(void *data, const char *buf, size_t len) {
  return msgpack_sbuffer_write(data, buf, len) == 0 ? 0 : MEMSCOPE_ERR_NOMEM;
}

static int write_bytes(const char *p, size_t n);
static int write_file(const char *p, size_t left);
static int compress_start(int level);
static void compress_free(void);

/* Writes and clears W.out (small records). Caller holds the lock. */
static int write_out(void) {
  int rc = write_bytes(W.out.data, W.out.size);
  msgpack_sbuffer_clear(&W.out);
  return rc;
}

typedef struct {
  const char **names, **values;
  size_t n;
  char (*store)[32];
} opt_collect_t;

static int collect_option(void *ctx, const char *name, const char *value) {
  opt_collect_t *c = ctx;
  c->names[c->n] = name;
  /* numbers and flags are formatted into a temporary; copy so they outlive the callback */
  snprintf(c->store[c->n], sizeof c->store[c->n], "%s", value);
  c->values[c->n] = strlen(value) < sizeof c->store[c->n] ? c->store[c->n] : value;
  c->n++;
  return 0;
}

/* Opens the trace named by MEMSCOPE_OUT and writes the header. fork_child makes a path without
   %p unique by appending the pid, so a child never overwrites its parent's trace. */
int _memscope_writer_open(int fork_child) {
  char program[256];
  program_name(program, sizeof program);
  int pid = (int)getpid();
  pthread_mutex_lock(&W.lock);
  int rc = _memscope_expand_path(_memscope_options.out, W.path, sizeof W.path, pid, program);
  if (rc == 0 && fork_child && strstr(_memscope_options.out, "%p") == NULL) {
    size_t len = strlen(W.path);
    if (snprintf(W.path + len, sizeof W.path - len, ".%d", pid) >= (int)(sizeof W.path - len)) {
      rc = MEMSCOPE_ERR_ARG;
    }
  }
  if (rc != 0) {
    pthread_mutex_unlock(&W.lock);
    _memscope_stop_on_error(MEMSCOPE_ERR_ARG, _memscope_options.out, ENAMETOOLONG);
    return rc;
  }
  W.fd = open(W.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (W.fd < 0) {
    int err = errno;
    W.error = MEMSCOPE_ERR_IO;
    pthread_mutex_unlock(&W.lock);
    _memscope_stop_on_error(MEMSCOPE_ERR_IO, W.path, err);
    return MEMSCOPE_ERR_IO;
  }
  W.open = 1;
  msgpack_sbuffer_init(&W.out);
  msgpack_packer_init(&W.pk, &W.out, sbuffer_sink);

  size_t n = _memscope_options_count();
  const char *names[n], *values[n];
  char store[n][32];
  opt_collect_t oc = {names, values, 0, store};
  _memscope_options_each(collect_option, &oc);
  int level, compressed = _memscope_compress_level(_memscope_options.compress, &level) == 1;
  _memscope_header_t h = {(uint32_t)pid, program, _memscope_state.start_unix_ns, n, names, values,
                          compressed};
  rc = _memscope_encode_header(&W.pk, &h);
  if (rc == 0) rc = write_out();
  if (rc == 0 && compressed && (rc = compress_start(level)) != 0) {
    compress_free();
    W.error = rc;
    W.open = 0;
    pthread_mutex_unlock(&W.lock);
    _memscope_stop_on_error(rc, W.path, ENOMEM);
    return rc;
  }
  pthread_mutex_unlock(&W.lock);
  if (_memscope_options.verbose && rc == 0) fprintf(stderr, "memscope: tracing to %s\n", W.path);
  return rc;
}

/* Writes len bytes at the current end of the file. Caller holds the lock. */
static int write_file(const char *p, size_t left) {
  while (left > 0) {
    ssize_t n = write(W.fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      W.error = MEMSCOPE_ERR_IO;
      W.open = 0;
      _memscope_stop_on_error(MEMSCOPE_ERR_IO, W.path, err);
      return MEMSCOPE_ERR_IO;
    }
    p += n;
    left -= (size_t)n;
    W.bytes_written += (uint64_t)n;
  }
  return 0;
}

/* MEMSCOPE_COMPRESS: returns 0 for off, 1 for zstd with *level set, -1 for a bad value. */
int _memscope_compress_level(const char *spec, int *level) {
  *level = 1;
  if (strcmp(spec, "off") == 0 || spec[0] == '\0') return 0;
  if (strncmp(spec, "zstd", 4) != 0) return -1;
  if (spec[4] == '\0') return 1;
  char *end;
  long v = spec[4] == ':' ? strtol(spec + 5, &end, 10) : 0;
  if (spec[4] != ':' || end == spec + 5 || *end != '\0' || v < -7 || v > 19) return -1;
  *level = (int)v;
  return 1;
}

/* Sets up the compressor for everything written after the header. Caller holds the lock. */
static int compress_start(int level) {
  W.zc = ZSTD_createCCtx();
  W.zcap = ZSTD_CStreamOutSize();
  W.zbuf = malloc(W.zcap);
  if (W.zc == NULL || W.zbuf == NULL ||
      ZSTD_isError(ZSTD_CCtx_setParameter(W.zc, ZSTD_c_compressionLevel, level))) {
    return MEMSCOPE_ERR_NOMEM;
  }
  return 0;
}

/* Compressed output: each write is flushed to whole zstd blocks, so a reader decodes everything
   up to the last complete write even when the program dies. end closes the zstd frame. Caller
   holds the lock. */
static int compress_write(const char *p, size_t n, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in = {p, n, 0};
  for (;;) {
    ZSTD_outBuffer out = {W.zbuf, W.zcap, 0};
    size_t left = ZSTD_compressStream2(W.zc, &out, &in, mode);
    if (ZSTD_isError(left)) {
      W.error = MEMSCOPE_ERR_NOMEM;
      W.open = 0;
      _memscope_stop_on_error(MEMSCOPE_ERR_NOMEM, W.path, ENOMEM);
      return MEMSCOPE_ERR_NOMEM;
    }
    if (out.pos > 0 && write_file(W.zbuf, out.pos) != 0) return MEMSCOPE_ERR_IO;
    if (left == 0 && in.pos == in.size) return 0;
  }
}

static void compress_free(void) {
  ZSTD_freeCCtx(W.zc);
  free(W.zbuf);
  W.zc = NULL;
  W.zbuf = NULL;
}

static int write_bytes(const char *p, size_t n) {
  return W.zc != NULL ? compress_write(p, n, ZSTD_e_flush) : write_file(p, n);
}

/* Resolves a site to its trace id for the encoder (a _memscope_site_fn). ctx is the encoding
   thread's site cache, which answers most lookups, or NULL. A new site's SITE record is
   written to the file at once, under the sites lock, before its id is published: whichever
   thread later writes a batch that uses the id writes it after the record. */
int _memscope_writer_site_id(void *ctx, const memscope_site *s, uint32_t *id) {
  _memscope_site_cache_t *cache = ctx;
  size_t slot = ((uintptr_t)s >> 4) & (MEMSCOPE_SITE_CACHE - 1);
  if (cache != NULL && cache->e[slot].site == s && s != NULL) {
    *id = cache->e[slot].id;
    return 0;
  }
  pthread_mutex_lock(&W.sites_lock);
  int added = 0;
  int rc = _memscope_sitemap_get(&W.sites, s, id, &added);
  if (rc == 0 && added) {
    pthread_mutex_lock(&W.lock);
    rc = W.open ? _memscope_encode_site(&W.pk, *id, s) : (W.error ? W.error : MEMSCOPE_ERR_IO);
    if (rc == 0) rc = write_out();
    pthread_mutex_unlock(&W.lock);
  }
  pthread_mutex_unlock(&W.sites_lock);
  if (rc == 0 && cache != NULL) {
    cache->e[slot].site = s;
    cache->e[slot].id = *id;
  }
  return rc;
}

/* Writes the THREAD record of thread_id unless it was written already. */
int _memscope_writer_announce(uint32_t thread_id, pid_t os_tid, const char *name) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? 0 : (W.error ? W.error : MEMSCOPE_ERR_IO);
  if (rc == 0 && thread_id >= W.announced_cap) {
    size_t ncap = thread_id * 2 + 64;
    uint8_t *a = realloc(W.announced, ncap);
    if (a == NULL) rc = MEMSCOPE_ERR_NOMEM;
    else {
      memset(a + W.announced_cap, 0, ncap - W.announced_cap);
      W.announced = a;
      W.announced_cap = ncap;
    }
  }
  if (rc == 0 && !W.announced[thread_id]) {
    rc = _memscope_encode_thread(&W.pk, thread_id, (uint32_t)os_tid, name);
    if (rc == 0) rc = write_out();
    W.announced[thread_id] = rc == 0;
  }
  pthread_mutex_unlock(&W.lock);
  return rc;
}

/* Writes one encoded EVENTS record holding 'events' events. */
int _memscope_writer_write_batch(const char *data, size_t len, uint64_t events) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? write_bytes(data, len) : (W.error ? W.error : MEMSCOPE_ERR_IO);
  if (rc == 0) {
    W.buffers_flushed++;
    mem_add_relaxed(&W.events_recorded, events);
  } else {
    mem_add_relaxed(&_memscope_state.events_dropped, events);
  }
  pthread_mutex_unlock(&W.lock);
  return rc;
}

int _memscope_writer_keeps_live(void) { return _memscope_options.stats || _memscope_options.summary; }

/* Feeds records to the live-block table behind memscope_get_stats (MEMSCOPE_STATS=1) and the
   exit summary (MEMSCOPE_SUMMARY=1). */
int _memscope_writer_live(const _memscope_rec_t *recs, uint32_t n) {
  if (!_memscope_writer_keeps_live()) return 0;
  pthread_mutex_lock(&W.live_lock);
  int rc = _memscope_live_apply(&W.live, recs, n);
  pthread_mutex_unlock(&W.live_lock);
  return rc;
}

/* Figures the writer owns. Caller's stats must be zeroed. */
void _memscope_writer_stats(memscope_stats *out) {
  pthread_mutex_lock(&W.live_lock);
  *out = W.live.st;
  out->runtime_bytes = _memscope_live_bytes(&W.live);
  pthread_mutex_unlock(&W.live_lock);
  pthread_mutex_lock(&W.sites_lock);
  out->runtime_bytes += _memscope_sitemap_bytes(&W.sites);
  pthread_mutex_unlock(&W.sites_lock);
  pthread_mutex_lock(&W.lock);
  out->bytes_written = W.bytes_written;
  out->buffers_flushed = W.buffers_flushed;
  out->events_recorded = mem_load_relaxed(&W.events_recorded);
  out->runtime_bytes += W.out.alloc;
  out->error = W.error;
  pthread_mutex_unlock(&W.lock);
}

/* Writes a MESSAGE record (diagnostics that also went to stderr). */
int _memscope_writer_message(const char *text) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? _memscope_encode_message(&W.pk, _memscope_clock_read(), text)
                  : MEMSCOPE_ERR_IO;
  if (rc == 0) rc = write_out();
  pthread_mutex_unlock(&W.lock);
  return rc;
}

/* Writes a SAMPLING record: the bytes-sampling mean changed (auto mode). */
int _memscope_writer_sampling(uint32_t t_ms, uint64_t mean) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? _memscope_encode_sampling(&W.pk, t_ms, mean) : MEMSCOPE_ERR_IO;
  if (rc == 0) rc = write_out();
  pthread_mutex_unlock(&W.lock);
  return rc;
}

/* Writes a MARK record; returns its sequence number (1, 2, ...) or a negative code. */
int _memscope_writer_mark(const char *label, int recording) {
  static uint32_t seq;
  pthread_mutex_lock(&W.lock);
  uint32_t n = ++seq;
  int rc = W.open ? _memscope_encode_mark(&W.pk, _memscope_clock_read(), n, label,
                                         recording)
                  : (W.error ? W.error : MEMSCOPE_ERR_IO);
  if (rc == 0) rc = write_out();
  pthread_mutex_unlock(&W.lock);
  return rc == 0 ? (int)n : rc;
}

uint64_t _memscope_writer_events(void) { return mem_load_relaxed(&W.events_recorded); }

/* Writes the END record with the final totals and closes the file. */
int _memscope_writer_finish(const memscope_stats *st, uint32_t duration_ms) {
  pthread_mutex_lock(&W.lock);
  int rc = 0;
  if (W.fd >= 0) {
    memscope_stats end = *st;
    end.bytes_written = W.bytes_written;
    if (W.open) rc = _memscope_encode_end(&W.pk, &end, duration_ms);
    if (W.open && rc == 0) rc = write_out();
    if (W.open && rc == 0 && W.zc != NULL) rc = compress_write(NULL, 0, ZSTD_e_end);
    compress_free();
    if (close(W.fd) != 0 && rc == 0) {
      rc = MEMSCOPE_ERR_IO;
      _memscope_stop_on_error(MEMSCOPE_ERR_IO, W.path, errno);
    }
    W.fd = -1;
    W.open = 0;
  }
  pthread_mutex_unlock(&W.lock);
  return rc;
}

/* In a forked child: forget the parent's file, sites and blocks (the lock may have been held by
   another thread of the parent at fork time, so it is re-initialised, not unlocked). */
void _memscope_writer_after_fork(void) {
  pthread_mutex_init(&W.lock, NULL);
  pthread_mutex_init(&W.sites_lock, NULL);
  pthread_mutex_init(&W.live_lock, NULL);
  if (W.fd >= 0) close(W.fd);
  W.fd = -1;
  W.open = 0;
  W.error = 0;
  W.bytes_written = W.buffers_flushed = 0;
  mem_store_relaxed(&W.events_recorded, 0);
  msgpack_sbuffer_destroy(&W.out);
  compress_free();
  _memscope_sitemap_free(&W.sites);
  _memscope_live_free(&W.live);
  free(W.announced);
  W.announced = NULL;
  W.announced_cap = 0;
}

const char *_memscope_writer_path(void) { return W.path; }
