/* sample.c: sampling modes: Poisson byte sampling, size classes, the adaptive rate, sampled-block set. */
#include "internal.h"
#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* MEMSCOPE_SAMPLE selects what is recorded:
     all              every event (default)
     bytes:MEAN       Poisson sampling of bytes, as tcmalloc and jemalloc do: every thread counts
                      down an exponentially distributed number of bytes (mean MEAN) and records
                      the block in which the count runs out. A block of s bytes is sampled with
                      probability p = 1 - exp(-s / MEAN) and carries the weight 1 / p, which
                      makes every total an unbiased estimate.
     size[:RULES]     per-size-class rates: RULES is a list of MIN=RATE (blocks of at least MIN
                      bytes are recorded with probability RATE) and every=N (every Nth call is
                      recorded whatever its size). Plain "size" is
                      size:8K=1,1K=0.05,0=0.001,every=1000. Weight: 1 / P(recorded).
     auto:RATE        bytes sampling whose mean the writer thread adjusts so that no more than
                      RATE events per second are recorded; each change is a SAMPLING record.
   Blocks of MEMSCOPE_SAMPLE_ALWAYS bytes or more are always recorded (weight 1), and so are the
   blocks of sites the plugin marked with a sample=REGEX:all rule; sample=REGEX:never sites are
   never recorded while sampling.
   Only sampled blocks have their frees recorded. A free learns whether its block was sampled
   from memscope_sampled_bits, a bitmap of 64 Ki bits (8 KiB, small enough to stay in the
   first-level cache) indexed by address bits 4-19: a clear bit (almost every free) means
   "not sampled" after one load, without a lock. A set bit sends the free to the sampled set, 64
   shards of open-addressing sets of addresses, each behind a spin lock, which says for certain
   and removes the entry. Behind each bit is an 8-bit count of the live sampled blocks that hash
   to it (saturating: a count that reaches 255 keeps its bit set for good). All the slots of one
   word of the bitmap belong to one shard, so the shard's lock orders every change of a count and
   its bit, and no free of a sampled block can find its bit clear.
   Code rewritten by the plugin runs the bytes countdown and the filter check itself
   (plugin/memscope_entry.h), on the exported memscope_thread, memscope_sample_always and
   memscope_sampled_bits: a block that is not sampled never calls into the runtime, and a
   sampled one arrives through memscope_sample_hit. */

#define MAX_CLASSES 8
#define SHARDS 64

_Atomic(uint32_t) memscope_sampled_bits[(1u << MEMSCOPE_FILTER_BITS) / 32];
static uint8_t filter_counts[1u << MEMSCOPE_FILTER_BITS]; /* under the lock of the slot's shard */
uint64_t memscope_sample_always = UINT64_MAX;

typedef struct {
  uint64_t min_size;
  double rate;
} size_class_t;

static struct {
  int mode;                     /* MEMSCOPE_MODE_* */
  _Atomic(uint64_t) mean;       /* bytes mode: current mean */
  uint64_t always;              /* size floor for always recording, 0 = none */
  size_class_t classes[MAX_CLASSES];
  int nclasses;                 /* sorted by min_size, descending */
  uint64_t every;               /* size mode: every Nth call, 0 = never */
  uint64_t auto_rate;           /* auto mode: events per second budget, 0 = fixed mean */
  uint64_t seed;
  uint64_t auto_last_events;
  uint32_t auto_last_ms;
} S = {.mode = MEMSCOPE_MODE_ALL};

/* ---------------------------------------------------------------------------------------------
   Mode parsing
------------------------------------------------------------------------------------------------ */
/* "512K" -> 524288; accepts K, M, G suffixes (powers of 1024). */
static int parse_amount(const char *s, const char **end, uint64_t *out) {
  char *e = NULL;
  unsigned long long v = strtoull(s, &e, 10);
  if (e == s) return MEMSCOPE_ERR_ARG;
  if (*e == 'K' || *e == 'k') v <<= 10, e++;
  else if (*e == 'M' || *e == 'm') v <<= 20, e++;
  else if (*e == 'G' || *e == 'g') v <<= 30, e++;
  *out = v;
  *end = e;
  return 0;
}

static int parse_size_rules(const char *rules) {
  S.nclasses = 0;
  S.every = 0;
  const char *p = rules;
  while (*p) {
    const char *end = NULL;
    if (strncmp(p, "every=", 6) == 0) {
      if (parse_amount(p + 6, &end, &S.every) != 0) return MEMSCOPE_ERR_ARG;
    } else {
      uint64_t min = 0;
      if (parse_amount(p, &end, &min) != 0 || *end != '=' || S.nclasses == MAX_CLASSES) {
        return MEMSCOPE_ERR_ARG;
      }
      char *e = NULL;
      double rate = strtod(end + 1, &e);
      if (e == end + 1 || !(rate >= 0 && rate <= 1)) return MEMSCOPE_ERR_ARG;
      S.classes[S.nclasses].min_size = min;
      S.classes[S.nclasses].rate = rate;
      S.nclasses++;
      end = e;
    }
    if (*end == ',') end++;
    else if (*end != '\0') return MEMSCOPE_ERR_ARG;
    p = end;
  }
  /* descending by min_size, so the first class a block reaches is its own */
  for (int i = 1; i < S.nclasses; i++) {
    for (int j = i; j > 0 && S.classes[j].min_size > S.classes[j - 1].min_size; j--) {
      size_class_t t = S.classes[j];
      S.classes[j] = S.classes[j - 1];
      S.classes[j - 1] = t;
    }
  }
  return S.nclasses > 0 || S.every > 0 ? 0 : MEMSCOPE_ERR_ARG;
}

/* Parses MEMSCOPE_SAMPLE. Returns the mode, or MEMSCOPE_ERR_ARG (the caller reports it and
   records everything). */
int _memscope_sample_configure(const char *spec) {
  const char *end = NULL;
  uint64_t v = 0;
  S.always = _memscope_options.sample_always;
  memscope_sample_always = S.always ? S.always : UINT64_MAX;
  S.seed = _memscope_options.sample_seed;
  if (S.seed == 0) S.seed = _memscope_clock_ns(0) ^ ((uint64_t)getpid() << 32);
  if (spec == NULL || strcmp(spec, "all") == 0) return S.mode = MEMSCOPE_MODE_ALL;
  if (strncmp(spec, "bytes:", 6) == 0) {
    if (parse_amount(spec + 6, &end, &v) != 0 || *end != '\0' || v == 0) return MEMSCOPE_ERR_ARG;
    mem_store_relaxed(&S.mean, v);
    return S.mode = MEMSCOPE_MODE_BYTES;
  }
  if (strncmp(spec, "auto:", 5) == 0) {
    if (parse_amount(spec + 5, &end, &v) != 0 || *end != '\0' || v == 0) return MEMSCOPE_ERR_ARG;
    S.auto_rate = v;
    mem_store_relaxed(&S.mean, 4096); /* start fine-grained; the writer coarsens as needed */
    return S.mode = MEMSCOPE_MODE_BYTES;
  }
  if (strcmp(spec, "size") == 0) spec = "size:8K=1,1K=0.05,0=0.001,every=1000";
  if (strncmp(spec, "size:", 5) == 0) {
    if (parse_size_rules(spec + 5) != 0) return MEMSCOPE_ERR_ARG;
    return S.mode = MEMSCOPE_MODE_SIZE;
  }
  return MEMSCOPE_ERR_ARG;
}

/* The effective mode for the trace header's "sample" entry. */
int _memscope_sample_describe(char *buf, size_t cap) {
  switch (S.mode) {
  case MEMSCOPE_MODE_BYTES:
    return snprintf(buf, cap, S.auto_rate ? "auto:%llu" : "bytes:%llu",
                    (unsigned long long)(S.auto_rate ? S.auto_rate : mem_load_relaxed(&S.mean)));
  case MEMSCOPE_MODE_SIZE: return snprintf(buf, cap, "size");
  default: return snprintf(buf, cap, "all");
  }
}

/* ---------------------------------------------------------------------------------------------
   Random draws (per thread, xorshift64*)
------------------------------------------------------------------------------------------------ */
static double uniform(_memscope_tbuf_t *tb) {
  if (tb->sample_rng == 0) {
    tb->sample_rng = (S.seed ^ (0x9e3779b97f4a7c15ull * (tb->thread_id + 1))) | 1;
  }
  uint64_t x = tb->sample_rng;
  x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
  tb->sample_rng = x;
  return ((x * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
}

/* Bytes until the next sample: exponential with the current mean (at least 1). */
static int64_t draw_countdown(_memscope_tbuf_t *tb) {
  double mean = (double)mem_load_relaxed(&S.mean);
  double d = -log(1.0 - uniform(tb)) * mean;
  return d < 1 ? 1 : d > 4e18 ? (int64_t)4e18 : (int64_t)d;
}

/* Calls until the next sample of a class recorded at 'rate': geometric. */
static int64_t draw_calls(_memscope_tbuf_t *tb, double rate) {
  if (rate >= 1) return 1;
  if (rate <= 0) return INT64_MAX;
  double d = floor(log(1.0 - uniform(tb)) / log(1.0 - rate)) + 1;
  return d > 4e18 ? (int64_t)4e18 : (int64_t)d;
}

/* ---------------------------------------------------------------------------------------------
   Sampled-block set
------------------------------------------------------------------------------------------------ */
typedef struct {
  _Alignas(MEMSCOPE_CACHE_LINE) _Atomic(int) lock;
  uintptr_t *slots; /* 0 empty, 1 deleted */
  size_t cap, used;
} shard_t;

static shard_t shards[SHARDS];

/* The shard of an address is the one of its word of the bitmap (see the top of the file). */
static shard_t *shard_of(uintptr_t p) { return &shards[(_memscope_filter_slot(p) >> 5) % SHARDS]; }

static void shard_lock(shard_t *s) {
  while (mem_xchg_acq_rel(&s->lock, 1) != 0) {
    while (mem_load_relaxed(&s->lock) != 0) __builtin_ia32_pause();
  }
}

static void shard_unlock(shard_t *s) { mem_store_release(&s->lock, 0); }

static size_t slot_of(uintptr_t p, size_t mask) {
  return (size_t)(((uint64_t)p * 0xff51afd7ed558ccdull) >> 20) & mask;
}

static bool shard_insert(shard_t *s, uintptr_t p) {
  if ((s->used + 1) * 2 > s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 256;
    uintptr_t *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL) return false;
    size_t used = 0;
    for (size_t i = 0; i < s->cap; i++) {
      if (s->slots[i] <= 1) continue;
      size_t j = slot_of(s->slots[i], ncap - 1);
      while (ns[j] != 0) j = (j + 1) & (ncap - 1);
      ns[j] = s->slots[i];
      used++;
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    s->used = used;
  }
  size_t j = slot_of(p, s->cap - 1);
  while (s->slots[j] > 1 && s->slots[j] != p) j = (j + 1) & (s->cap - 1);
  if (s->slots[j] == p) return false; /* already present (missed free) */
  if (s->slots[j] == 0) s->used++;
  s->slots[j] = p;
  return true;
}

static bool shard_remove(shard_t *s, uintptr_t p) {
  if (s->cap == 0) return false;
  for (size_t j = slot_of(p, s->cap - 1); s->slots[j] != 0; j = (j + 1) & (s->cap - 1)) {
    if (s->slots[j] == p) {
      s->slots[j] = 1;
      return true;
    }
  }
  return false;
}

/* Counts a live sampled block in or out of its filter slot; the caller holds the shard's lock. */
static void filter_add(uintptr_t p, int delta) {
  size_t slot = _memscope_filter_slot(p);
  uint8_t v = filter_counts[slot];
  if (v == 255 || (delta < 0 && v == 0)) return; /* saturated, or never counted */
  filter_counts[slot] = (uint8_t)(v + delta);
  if (delta > 0 ? v != 0 : v != 1) return; /* the slot was already, and stays, in use */
  /* the word has no other writer: every slot of it belongs to this shard */
  _Atomic(uint32_t) *word = &memscope_sampled_bits[slot >> 5];
  uint32_t bit = 1u << (slot & 31);
  mem_store_release(word, delta > 0 ? mem_load_relaxed(word) | bit : mem_load_relaxed(word) & ~bit);
}

/* ---------------------------------------------------------------------------------------------
   Slow paths
------------------------------------------------------------------------------------------------ */
/* Under an allocator wrapper the event takes the slow path, which names it after the wrapper:
   code built with the plugin enters wrappers without the runtime while sampling bytes, so the
   buffer's fast-path limit does not know about the wrapper. */
static void emit_sampled(unsigned op, uintptr_t ptr, uintptr_t aux, uint64_t size,
                         const memscope_site *site) {
  if (memscope_thread.wrap_site != NULL) _memscope_emit_slow(op, ptr, aux, size, site);
  else _memscope_emit(op, ptr, aux, size, site);
}

static void record_sampled(uintptr_t ptr, uint64_t size, const memscope_site *site, double weight) {
  shard_t *s = shard_of(ptr);
  shard_lock(s);
  if (shard_insert(s, ptr)) filter_add(ptr, +1);
  shard_unlock(s);
  float w = (float)weight;
  uint32_t bits;
  memcpy(&bits, &w, sizeof bits);
  emit_sampled(MEMSCOPE_OP_SAMPLED, ptr, bits, size, site);
}

void _memscope_sample_alloc(uintptr_t ptr, uint64_t size, const memscope_site *site, int mode) {
  _memscope_tbuf_t *tb = &_memscope_tb;
  if (tb->in_runtime) return;
  if (mode == MEMSCOPE_MODE_BYTES) {
    if (tb->sample_rng == 0) { /* first allocation of the thread: start its countdown */
      memscope_thread.sample_countdown = draw_countdown(tb);
      if (S.always == 0 || size < S.always) memscope_thread.sample_countdown -= (int64_t)size;
      if (memscope_thread.sample_countdown > 0 && (S.always == 0 || size < S.always)) return;
    }
    if (S.always != 0 && size >= S.always) { /* the fast path did not count it down */
      record_sampled(ptr, size, site, 1.0);
      return;
    }
    /* the countdown ran out inside this block; any bytes past it start the next one */
    double mean = (double)mem_load_relaxed(&S.mean);
    int64_t left = memscope_thread.sample_countdown;
    memscope_thread.sample_countdown = draw_countdown(tb);
    while (left + memscope_thread.sample_countdown <= 0) left += draw_countdown(tb); /* several points */
    memscope_thread.sample_countdown += left;
    double p = -expm1(-(double)size / mean);
    record_sampled(ptr, size, site, p > 0 ? 1.0 / p : 1.0);
    return;
  }
  /* size classes */
  tb->sample_calls++;
  if (S.always != 0 && size >= S.always) {
    record_sampled(ptr, size, site, 1.0);
    return;
  }
  int c = 0;
  while (c < S.nclasses - 1 && size < S.classes[c].min_size) c++;
  double rate = S.nclasses ? (size >= S.classes[c].min_size ? S.classes[c].rate : 0) : 0;
  double every = S.every ? 1.0 / (double)S.every : 0;
  double p = every + (1 - every) * rate;
  bool take = S.every != 0 && tb->sample_calls % S.every == 0;
  if (rate > 0 && c < MAX_CLASSES) {
    if (tb->class_countdown[c] <= 0) tb->class_countdown[c] = draw_calls(tb, rate);
    if (--tb->class_countdown[c] == 0) take = true;
  }
  if (take) record_sampled(ptr, size, site, p > 0 ? 1.0 / p : 1.0);
}

/* A site with a sample= rule from the plugin: every block (weight 1) or none. */
void _memscope_sample_by_rule(uintptr_t ptr, uint64_t size, const memscope_site *site) {
  if (_memscope_tb.in_runtime || (site->flags & MEMSCOPE_SITE_SAMPLE_NEVER)) return;
  record_sampled(ptr, size, site, 1.0);
}

void _memscope_sample_free(uintptr_t ptr, const memscope_site *site) {
  if (_memscope_tb.in_runtime) return;
  shard_t *s = shard_of(ptr);
  shard_lock(s);
  bool was = shard_remove(s, ptr);
  if (was) filter_add(ptr, -1);
  shard_unlock(s);
  if (!was) return; /* a false positive of the filter */
  emit_sampled(MEMSCOPE_OP_FREE, ptr, 0, 0, site);
}

/* Called by the writer thread about every millisecond: in auto mode, every 100 ms, moves the
   mean so that the recorded event rate stays under the budget, and writes each change. */
void _memscope_sample_tick(uint64_t events_recorded, uint32_t now_ms) {
  if (S.auto_rate == 0 || now_ms - S.auto_last_ms < 100) return;
  double seconds = (now_ms - S.auto_last_ms) / 1000.0;
  double rate = (double)(events_recorded - S.auto_last_events) / seconds;
  S.auto_last_ms = now_ms;
  S.auto_last_events = events_recorded;
  uint64_t mean = mem_load_relaxed(&S.mean), next = mean;
  if (rate > (double)S.auto_rate) {
    double f = rate / (double)S.auto_rate;
    next = (uint64_t)((double)mean * (f > 8 ? 8 : f * 1.25));
  } else if (rate < (double)S.auto_rate / 4 && mean > 64) {
    next = mean / 2;
  }
  if (next != mean) {
    mem_store_relaxed(&S.mean, next);
    if (_memscope_options.verbose) {
      fprintf(stderr, "memscope: sampling mean %llu bytes (%.0f events/s, budget %llu)\n",
              (unsigned long long)next, rate, (unsigned long long)S.auto_rate);
    }
    _memscope_writer_sampling(now_ms, next);
  }
}
