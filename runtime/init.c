/* init.c: start-up and exit of the runtime, fork handling, start/stop, flush and statistics. */
#include "internal.h"
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Alignas(MEMSCOPE_CACHE_LINE) _Atomic(int) memscope_mode = MEMSCOPE_MODE_ALL;
_memscope_state_t _memscope_state;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

void _memscope_stop_on_error(int code, const char *what, int err) {
  static _Atomic(int) reported;
  mem_store_relaxed(&memscope_mode, 0);
  mem_store_relaxed(&_memscope_state.off, code);
  if (mem_xchg_acq_rel(&reported, 1) == 0) {
    fprintf(stderr, "memscope: cannot write trace '%s': %s; tracing stopped, the program continues\n",
            what, strerror(err));
  }
}

static void fork_child(void);

/* Start-up diagnostics: on stderr at once, and as MESSAGE records in the trace, which is opened
   after some of them are found. */
static char pending[4][200];
static int npending;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...) {
  char text[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  fprintf(stderr, "memscope: %s\n", text);
  if (_memscope_writer_message(text) != 0 && npending < 4) {
    memcpy(pending[npending++], text, sizeof text);
  }
}

static void write_pending(void) {
  for (int i = 0; i < npending; i++) _memscope_writer_message(pending[i]);
  npending = 0;
}

static void runtime_init(void) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  uint8_t guard = tb->in_runtime;
  tb->in_runtime = 1; /* the option parser and the writer may allocate */
  int problems = _memscope_options_load();
  if (problems > 0) diag("%d problem(s) with MEMSCOPE_* variables, named above on stderr", problems);
  _memscope_state.mode = _memscope_sample_configure(_memscope_options.sample);
  if (_memscope_state.mode < 0) {
    diag("MEMSCOPE_SAMPLE=%.60s: expected all, bytes:MEAN, size[:MIN=RATE,...,every=N] or "
         "auto:EVENTS_PER_SEC; recording everything", _memscope_options.sample);
    _memscope_state.mode = _memscope_sample_configure("all");
  }
  mem_store_relaxed(&memscope_mode, _memscope_state.mode);
  int level;
  if (_memscope_compress_level(_memscope_options.compress, &level) < 0) {
    diag("MEMSCOPE_COMPRESS=%.60s: expected off, zstd or zstd:LEVEL (-7 to 19); writing "
         "uncompressed", _memscope_options.compress);
    _memscope_options.compress = "off";
  }
  if (!_memscope_options.enable) {
    mem_store_relaxed(&_memscope_state.off, MEMSCOPE_ERR_OFF);
    mem_store_relaxed(&memscope_mode, 0);
  } else {
    _memscope_state.start_ns = _memscope_clock_ns(CLOCK_MONOTONIC);
    _memscope_state.start_unix_ns = _memscope_clock_ns(CLOCK_REALTIME);
    if (_memscope_writer_open(0) == 0) {
      write_pending();
      if (_memscope_queue_start() != 0 && _memscope_options.verbose) {
        diag("no writer thread could be started; buffers are written by their threads");
      }
      pthread_atfork(NULL, NULL, fork_child);
      if (_memscope_options.signal[0] != '\0' && _memscope_install_signal(_memscope_options.signal) != 0) {
        diag("MEMSCOPE_SIGNAL=%.60s: not a signal name or number; ignored", _memscope_options.signal);
      }
      if (!_memscope_options.start) {
        mem_store_relaxed(&_memscope_state.user_paused, 1);
        mem_store_relaxed(&memscope_mode, MEMSCOPE_MODE_OFF);
      }
    }
  }
  mem_store_release(&_memscope_state.initialized, 1);
  tb->in_runtime = guard;
}

void _memscope_ensure_init(void) { pthread_once(&init_once, runtime_init); }

__attribute__((constructor)) static void memscope_constructor(void) { _memscope_ensure_init(); }

static void collect_stats(memscope_stats *st) {
  memset(st, 0, sizeof *st);
  _memscope_writer_stats(st);
  st->events_seen = _memscope_buffer_events_seen();
  st->events_dropped = mem_load_relaxed(&_memscope_state.events_dropped);
  st->runtime_bytes += _memscope_buffer_memory() + _memscope_queue_memory();
  st->threads = _memscope_buffer_threads();
  if (st->error == 0 && mem_load_relaxed(&_memscope_state.off) != MEMSCOPE_ERR_OFF) {
    st->error = mem_load_relaxed(&_memscope_state.off);
  }
}

/* At exit: switch recording off, write every buffer and the END record. Runs after the
   program's atexit handlers, so their frees are in the trace. */
__attribute__((destructor)) static void memscope_destructor(void) {
  if (!mem_load_acquire(&_memscope_state.initialized)) return;
  if (mem_xchg_acq_rel(&_memscope_state.finished, 1) != 0) return;
  if (mem_load_relaxed(&_memscope_state.off) == MEMSCOPE_ERR_OFF) return;
  _memscope_tbuf_t *tb = &_memscope_tb;
  tb->in_runtime = 1;
  mem_store_relaxed(&memscope_mode, 0);
  _memscope_buffer_flush_all();
  _memscope_queue_stop();
  memscope_stats st;
  collect_stats(&st);
  uint32_t duration = _memscope_clock_read();
  if (mem_load_relaxed(&_memscope_state.off) == 0) {
    _memscope_writer_finish(&st, duration);
    if (_memscope_options.summary) {
      fprintf(stderr,
              "memscope: %s: %llu allocations, %llu frees, %llu bytes, peak %llu bytes, "
              "%llu blocks (%llu bytes) live at exit, %llu events dropped\n",
              _memscope_writer_path(), (unsigned long long)st.alloc_count,
              (unsigned long long)st.free_count, (unsigned long long)st.alloc_bytes,
              (unsigned long long)st.peak_bytes, (unsigned long long)st.current_blocks,
              (unsigned long long)st.current_bytes, (unsigned long long)st.events_dropped);
    }
  }
  tb->in_runtime = 0;
}

/* A forked child starts its own trace (a path without %p gets ".<pid>" appended). */
static void fork_child(void) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  tb->in_runtime = 1;
  _memscope_writer_after_fork();
  _memscope_queue_after_fork();
  _memscope_buffer_reset_after_fork();
  mem_store_relaxed(&_memscope_state.events_dropped, 0);
  mem_store_relaxed(&_memscope_state.finished, 0);
  _memscope_state.start_ns = _memscope_clock_ns(CLOCK_MONOTONIC);
  _memscope_state.start_unix_ns = _memscope_clock_ns(CLOCK_REALTIME);
  tb->last_ms = 0;
  if (_memscope_writer_open(1) == 0) {
    _memscope_queue_start();
    if (!mem_load_relaxed(&_memscope_state.user_paused)) {
      mem_store_relaxed(&memscope_mode, _memscope_state.mode);
    }
  }
  tb->in_runtime = 0;
  _memscope_buffer_refresh_limit(tb);
}

/* ---------------------------------------------------------------------------------------------
   Public control API
------------------------------------------------------------------------------------------------ */
int memscope_flush(void) {
  _memscope_ensure_init();
  if (mem_load_relaxed(&_memscope_state.off) != 0) return mem_load_relaxed(&_memscope_state.off);
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (tb->in_runtime) return 0;
  tb->in_runtime = 1;
  tb->limit = 0;
  int rc = tb->recs != NULL ? _memscope_buffer_flush(tb) : 0;
  _memscope_queue_drain(); /* also the buffers of threads that have exited */
  tb->in_runtime = 0;
  _memscope_buffer_refresh_limit(tb);
  return rc;
}

void memscope_stop(void) {
  _memscope_ensure_init();
  mem_store_relaxed(&_memscope_state.user_paused, 1);
  mem_store_relaxed(&memscope_mode, 0);
}

void memscope_start(void) {
  _memscope_ensure_init();
  mem_store_relaxed(&_memscope_state.user_paused, 0);
  if (mem_load_relaxed(&_memscope_state.off) == 0 && !mem_load_relaxed(&_memscope_state.finished)) {
    mem_store_relaxed(&memscope_mode, _memscope_state.mode);
    _memscope_queue_wake();
  }
}

int memscope_enabled(void) {
  _memscope_ensure_init();
  return mem_load_relaxed(&memscope_mode) != MEMSCOPE_MODE_OFF;
}

int memscope_snapshot(const char *label) {
  int rc = memscope_flush();
  if (rc != 0) return rc;
  mem_add_relaxed(&_memscope_state.flush_epoch, 1);
  rc = _memscope_writer_mark(label != NULL ? label : "", mem_load_relaxed(&memscope_mode) != 0);
  return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------------------------------------
   MEMSCOPE_SIGNAL: the handler only counts deliveries; the writer thread acts on them within a
   millisecond (pause or resume, then a MARK), outside the signal context.
------------------------------------------------------------------------------------------------ */
static void on_signal(int sig) {
  (void)sig;
  mem_add_relaxed(&_memscope_state.signals, 1);
}

int _memscope_install_signal(const char *name) {
  static const struct {
    const char *name;
    int sig;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP}, {"PROF", SIGPROF},
               {"URG", SIGURG},   {"WINCH", SIGWINCH}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}};
  if (strncmp(name, "SIG", 3) == 0) name += 3;
  int sig = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) sig = names[i].sig;
  }
  if (sig == 0) {
    char *end = NULL;
    long v = strtol(name, &end, 10);
    if (end == name || *end != '\0' || v <= 0 || v >= NSIG || v == SIGKILL || v == SIGSTOP) {
      return MEMSCOPE_ERR_ARG;
    }
    sig = (int)v;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL) == 0 ? 0 : MEMSCOPE_ERR_ARG;
}

void _memscope_poll_signal(void) {
  uint32_t n = mem_xchg_acq_rel(&_memscope_state.signals, 0);
  for (; n > 0; n--) {
    int paused = mem_load_relaxed(&_memscope_state.user_paused);
    if (paused) memscope_start();
    else memscope_stop();
    mem_add_relaxed(&_memscope_state.flush_epoch, 1);
    _memscope_writer_mark(paused ? "signal: recording resumed" : "signal: recording paused", paused);
  }
}

int memscope_get_stats(memscope_stats *out) {
  if (out == NULL) return MEMSCOPE_ERR_ARG;
  int rc = memscope_flush();
  collect_stats(out);
  return rc == MEMSCOPE_ERR_OFF ? rc : 0;
}
