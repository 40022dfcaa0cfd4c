/* writer.c: owns the trace file: opens it, writes encoded records under one lock, handles faults. */
#include "encode.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Threads hand the writer a full buffer (once per few thousand events); the writer encodes it
   into 'out', updates the live-block statistics and writes the bytes with write(2). All of it
   happens under 'lock', so records from different threads never interleave and SITE / THREAD
   records always precede their first use. If a write fails (bad path, disk full) tracing stops
   with one message on stderr and the program carries on untouched. */

typedef struct writer_s {
  pthread_mutex_t lock;
  int fd;
  int open;
  char path[4096];
  msgpack_sbuffer out;
  msgpack_sbuffer scratch;
  msgpack_packer pk;
  _memscope_sitemap_t sites;
  _memscope_live_t live;
  uint64_t bytes_written;
  uint64_t buffers_flushed;
  uint64_t events_recorded;
  uint8_t *announced;  /* announced[thread_id]: THREAD record written */
  size_t announced_cap;
  int error;
} writer_t;

static writer_t W = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

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

/* Writes and clears W.out. Caller holds the lock. */
static int write_out(void) {
  const char *p = W.out.data;
  size_t left = W.out.size;
  while (left > 0) {
    ssize_t n = write(W.fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      msgpack_sbuffer_clear(&W.out);
      W.error = MEMSCOPE_ERR_IO;
      _memscope_stop_on_error(MEMSCOPE_ERR_IO, W.path, err);
      return MEMSCOPE_ERR_IO;
    }
    p += n;
    left -= (size_t)n;
    W.bytes_written += (uint64_t)n;
  }
  msgpack_sbuffer_clear(&W.out);
  return 0;
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
  msgpack_sbuffer_init(&W.scratch);
  msgpack_packer_init(&W.pk, &W.out, sbuffer_sink);

  size_t n = _memscope_options_count();
  const char *names[n], *values[n];
  char store[n][32];
  opt_collect_t oc = {names, values, 0, store};
  _memscope_options_each(collect_option, &oc);
  _memscope_header_t h = {(uint32_t)pid, program, _memscope_state.start_unix_ns, n, names, values};
  rc = _memscope_encode_header(&W.pk, &h);
  if (rc == 0) rc = write_out();
  pthread_mutex_unlock(&W.lock);
  if (_memscope_options.verbose && rc == 0) fprintf(stderr, "memscope: tracing to %s\n", W.path);
  return rc;
}

/* Encodes and writes one thread buffer. Returns 0 or the first error; after an error the
   events are counted as dropped. */
int _memscope_writer_batch(uint32_t thread_id, pid_t os_tid, const char *name, uint32_t t0_ms,
                           const _memscope_rec_t *recs, uint32_t n) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? 0 : (W.error ? W.error : MEMSCOPE_ERR_IO);
  uint64_t events = 0;
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
    W.announced[thread_id] = rc == 0;
  }
  if (rc == 0) {
    rc = _memscope_encode_events(&W.pk, &W.sites, &W.scratch, thread_id, t0_ms, recs, n, &events);
  }
  if (rc == 0) rc = write_out();
  if (rc == 0) {
    W.buffers_flushed++;
    W.events_recorded += events;
    rc = _memscope_live_apply(&W.live, recs, n);
  } else {
    for (uint32_t i = 0; i < n; i++) {
      if (_memscope_rec_op(&recs[i]) != MEMSCOPE_OP_TIME) mem_add_relaxed(&_memscope_state.events_dropped, 1);
    }
    msgpack_sbuffer_clear(&W.out);
  }
  pthread_mutex_unlock(&W.lock);
  return rc;
}

/* Figures the writer owns. Caller's stats must be zeroed. */
void _memscope_writer_stats(memscope_stats *out) {
  pthread_mutex_lock(&W.lock);
  *out = W.live.st;
  out->bytes_written = W.bytes_written;
  out->buffers_flushed = W.buffers_flushed;
  out->events_recorded = W.events_recorded;
  out->runtime_bytes = W.out.alloc + W.scratch.alloc + _memscope_sitemap_bytes(&W.sites) +
                       _memscope_live_bytes(&W.live);
  out->error = W.error;
  pthread_mutex_unlock(&W.lock);
}

/* Writes a MESSAGE record (diagnostics that also went to stderr). */
int _memscope_writer_message(const char *text) {
  pthread_mutex_lock(&W.lock);
  int rc = W.open ? _memscope_encode_message(&W.pk, mem_load_relaxed(&_memscope_state.clock_ms), text)
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

uint64_t _memscope_writer_events(void) {
  pthread_mutex_lock(&W.lock);
  uint64_t n = W.events_recorded;
  pthread_mutex_unlock(&W.lock);
  return n;
}

/* Writes the END record with the final totals and closes the file. */
int _memscope_writer_finish(const memscope_stats *st, uint32_t duration_ms) {
  pthread_mutex_lock(&W.lock);
  int rc = 0;
  if (W.open) {
    memscope_stats end = *st;
    end.bytes_written = W.bytes_written;
    rc = _memscope_encode_end(&W.pk, &end, duration_ms);
    if (rc == 0) rc = write_out();
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
  if (W.fd >= 0) close(W.fd);
  W.fd = -1;
  W.open = 0;
  W.error = 0;
  W.bytes_written = W.buffers_flushed = W.events_recorded = 0;
  msgpack_sbuffer_destroy(&W.out);
  msgpack_sbuffer_destroy(&W.scratch);
  _memscope_sitemap_free(&W.sites);
  _memscope_live_free(&W.live);
  free(W.announced);
  W.announced = NULL;
  W.announced_cap = 0;
}

const char *_memscope_writer_path(void) { return W.path; }
