/* model.h: aggregation of a trace: sites, threads, live blocks, per-site totals, timeline, peak. */
#ifndef MEMSCOPE_MODEL_H
#define MEMSCOPE_MODEL_H

#include "reader.h"

#include <stdint.h>

/* Site ids and thread indexes up to this bound are addressable; larger ones (never written by
   the runtime) count as unknown. */
#define MEMSCOPE_MODEL_MAX_ID (1u << 24)
/* The timeline keeps at most this many buckets; their width doubles when the trace is longer. */
#define MEMSCOPE_TIMELINE_MAX_BUCKETS (1u << 20)
/* Lifetime histograms: one bucket per ms below MEMSCOPE_LIFE_EXACT ms, then MEMSCOPE_LIFE_SUB
   buckets per doubling (values within 1/MEMSCOPE_LIFE_SUB), up to 2^MEMSCOPE_LIFE_BITS ms. */
#define MEMSCOPE_LIFE_EXACT 64u
#define MEMSCOPE_LIFE_SUB 8u
#define MEMSCOPE_LIFE_BITS 40u
#define MEMSCOPE_LIFE_BUCKETS (MEMSCOPE_LIFE_EXACT + (MEMSCOPE_LIFE_BITS - 6u) * MEMSCOPE_LIFE_SUB)

typedef struct memscope_msite {
  uint64_t id;
  unsigned kind, flags;
  char *file, *function, *type_name, *sizeof_type, *var_name;
  uint64_t line, column, elem_size;
  int defined;          /* a SITE record described it */
  /* blocks born at this site (ALLOC, or REALLOC for its new block) */
  uint64_t allocs, alloc_bytes;
  uint64_t frees, freed_bytes; /* of those, released by FREE or moved by REALLOC */
  uint64_t live, live_bytes;   /* of those, still live */
  uint64_t max_size;
  /* events naming this site */
  uint64_t calls;       /* events with this site: ALLOC, FREE, REALLOC, SAMPLED, SCOPE_EXIT, HANDOFF */
  uint64_t reallocs;    /* REALLOC events with this site */
  /* at the peak of live bytes (in file order; see memscope_model.fo_peak_bytes) */
  uint64_t peak_live, peak_live_bytes, peak_epoch;
  /* lifetimes of the released blocks: NULL until one, else MEMSCOPE_LIFE_BUCKETS counts */
  uint64_t *life;
  double wcarry;        /* sampled blocks: the fraction of a block carried to the next one */
} memscope_msite;

typedef struct memscope_mthread {
  uint64_t id, os_tid;
  char *name;
  int defined;
  uint64_t allocs, alloc_bytes, frees, events;
  uint64_t freed_bytes;            /* of blocks it allocated, released by any thread */
  uint64_t live, live_bytes;       /* blocks it allocated that are still live */
  uint64_t peak_live, peak_live_bytes, peak_epoch; /* of those, at the peak (file order) */
} memscope_mthread;

/* A live block (32 bytes, two to a cache line). Sizes and counts of sampled blocks are estimates:
   what the block stands for. A block born after 2^32 - 1 ms, or by a thread of index 255 or
   more, has thread == MEMSCOPE_BLOCK_WIDE: its birth time and thread are in the model's table
   'wide'. */
typedef struct memscope_block {
  uint64_t ptr;         /* 0 = empty slot */
  uint64_t size;        /* bytes (sampled: size * weight, rounded) */
  uint32_t time;        /* birth, ms */
  uint32_t site : 24;   /* index in sites */
  uint32_t thread : 8;  /* index in threads, or MEMSCOPE_BLOCK_WIDE */
  uint32_t count;       /* blocks it stands for: 1, or the weight of a sampled block */
  uint32_t owner;       /* last ownership event: index in owners, 0 = none */
} memscope_block;

#define MEMSCOPE_BLOCK_WIDE 255u

/* A block with every field at full width: pending frees, replaced blocks, the time and thread
   of wide live blocks. */
typedef struct memscope_xblock {
  uint64_t ptr;   /* 0 = empty slot */
  uint64_t size;
  uint64_t time;  /* birth (frees: the free), ms */
  uint64_t aux;   /* ghosts: when the block was replaced */
  uint32_t site;
  uint32_t thread;
  uint32_t count;
  uint32_t owner;
} memscope_xblock;

/* An ownership event kind, as kept for a block (lifetimes.c classifies it into a fate). */
#define MEMSCOPE_OWN_EXIT    1 /* SCOPE_EXIT: variable site 'var', exit site 'where' (0 = unknown) */
#define MEMSCOPE_OWN_HANDOFF 2 /* HANDOFF: handoff site 'where' */

typedef struct memscope_owner {
  uint32_t kind;  /* MEMSCOPE_OWN_* */
  uint32_t var;   /* site index of the variable (EXIT) */
  uint32_t where; /* site index of the exit point or the handoff */
} memscope_owner;

typedef struct memscope_sampling {
  uint64_t t, mean;
} memscope_sampling;

typedef struct memscope_mark {
  uint64_t t, seq;
  char *label;
  int recording;
} memscope_mark;

/* Open-addressing table of full blocks keyed by pointer; 'multi' tables allow several entries
   with the same pointer (orphan frees, overwritten blocks). */
typedef struct memscope_ptab {
  memscope_xblock *slots;
  uint64_t cap, count;
} memscope_ptab;

/* The live blocks: open addressing keyed by pointer, one entry per pointer. */
typedef struct memscope_ltab {
  memscope_block *slots;
  uint64_t cap, count;
  uint64_t limit;  /* grows when count reaches it */
  unsigned shift;  /* 64 - log2(cap): a pointer's home is the top bits of its hash */
} memscope_ltab;

typedef struct memscope_bucket {
  int64_t delta;   /* live-byte change over the bucket */
  int64_t maxpre;  /* highest running sum of the changes within the bucket, >= 0 */
} memscope_bucket;

typedef struct memscope_model {
  /* header */
  int have_header;
  uint64_t major, minor, pid, start_unix_ns, abi;
  char *program, *clock;
  /* sites: index 0 is the placeholder for unknown ids */
  memscope_msite *sites;
  uint32_t nsites, sites_cap;
  uint32_t *site_index;  /* id -> index, 0 = unknown */
  uint64_t site_index_len;
  uint32_t *ident;       /* open-addressing set of site indexes by stable identity */
  uint32_t ident_cap, ident_count;
  uint64_t sites_merged; /* SITE records that repeat the stable identity of an earlier one */
  /* threads: index 0 is the placeholder for unknown indexes */
  memscope_mthread *threads;
  uint32_t nthreads, threads_cap;
  uint32_t *thread_index;
  uint64_t thread_index_len;
  /* blocks */
  memscope_ltab live;
  memscope_ptab wide;     /* time and thread of the live blocks marked MEMSCOPE_BLOCK_WIDE */
  memscope_ptab orphans;  /* frees seen before the alloc of their block (other thread) */
  memscope_ptab ghosts;   /* blocks replaced by an alloc of the same pointer before their free */
  /* totals */
  uint64_t allocs, alloc_bytes;       /* blocks born: ALLOC + REALLOC */
  uint64_t frees, freed_bytes;        /* blocks released by FREE */
  uint64_t reallocs;                  /* REALLOC events */
  uint64_t realloc_releases, realloc_moved_bytes; /* blocks REALLOC released, their bytes */
  uint64_t live_blocks, live_bytes;   /* now */
  uint64_t free_null;                 /* FREE of pointer 0 */
  uint64_t free_unknown;              /* FREE of a pointer never allocated (after matching) */
  uint64_t orphans_dropped;           /* unmatched frees given up to bound the table */
  uint64_t realloc_unknown;           /* REALLOC whose old block is unknown */
  uint64_t overwritten;               /* ALLOC of a pointer already live, block not yet freed */
  uint64_t cross_thread_matched;      /* frees matched to a later-written alloc */
  uint64_t scope_exits;               /* SCOPE_EXIT events */
  uint64_t handoffs;                  /* HANDOFF events */
  uint64_t owner_unmatched;           /* SCOPE_EXIT or HANDOFF of a pointer that is not live */
  uint64_t unknown_site_events;       /* events naming a site id without a SITE record */
  uint64_t events;
  uint64_t last_t;                    /* highest event time */
  /* timeline */
  memscope_bucket *buckets;
  uint64_t nbuckets, buckets_cap;
  unsigned shift;                     /* bucket width = 1 << shift ms */
  uint64_t peak_bytes, peak_t;        /* from memscope_model_finish */
  /* the highest live total in file order (exact for one thread) and the per-site and per-thread
     live figures at that moment (msite.peak_live*, mthread.peak_live*, after finish) */
  uint64_t fo_peak_bytes, fo_peak_blocks, fo_peak_t, peak_epoch;
  /* ownership events: index 0 = none */
  memscope_owner *owners;
  uint32_t nowners, owners_cap;
  uint32_t *owner_set;                /* open-addressing set of owner indexes */
  uint32_t owner_set_cap;
  /* sampling */
  char *sample_mode;                  /* header option "sample", "" when absent */
  uint64_t samples;                   /* SAMPLED events */
  uint64_t sampled_blocks;            /* blocks the sampled events stand for */
  memscope_sampling *samplings;       /* SAMPLING records */
  uint32_t nsamplings, samplings_cap;
  /* MARK records; with 'at' set before reading (a label or a sequence number), the model stops
     taking events later than the first mark that matches: every figure is then as of it */
  memscope_mark *marks;
  uint32_t nmarks, marks_cap;
  const char *at;
  int at_found;
  uint32_t at_mark;                   /* index in marks */
  uint64_t at_t;
  uint64_t at_skipped;                /* events after the mark, left out */
  /* messages */
  char **messages;
  uint64_t *message_t;
  uint32_t nmessages, messages_cap;
  /* END record */
  int have_end;
  memscope_trace_kv *end;             /* copies, strings owned */
  size_t nend;
  /* error of a callback */
  char error[128];
} memscope_model;

int memscope_model_init(memscope_model *m);
void memscope_model_free(memscope_model *m);
/* Callbacks that feed the model; pass the model as 'ud'. */
const memscope_reader_callbacks *memscope_model_callbacks(void);
/* Computes the peak and settles what is left after the last record. */
void memscope_model_finish(memscope_model *m);

/* The model's value of an END key; returns 0 when absent. */
int memscope_model_end_get(const memscope_model *m, const char *key, uint64_t *out);
/* The trace's duration in ms: the END record's, unless events are stamped later (no END, or a
   damaged one), then the time of the last event. Every view and export uses this one. */
uint64_t memscope_model_duration(const memscope_model *m);
/* Looks up a live block. */
const memscope_block *memscope_model_find_live(const memscope_model *m, uint64_t ptr);
/* Site by id (NULL when never described). */
const memscope_msite *memscope_model_site(const memscope_model *m, uint64_t id);

/* When the live figures stand: "at exit", "at the end of the valid data", or "at mark 2
   "warm" (1200 ms)" with --at. */
const char *memscope_model_when(const memscope_model *m, char *buf, size_t cap);

/* Short name of a site kind ("malloc"), or NULL when out of range. */
const char *memscope_kind_name(uint64_t kind);

/* Non-zero when the figures are estimates: SAMPLED events, or a sampling mode other than all. */
int memscope_model_estimated(const memscope_model *m);
/* Index of the site of m with the stable identity of s (file, function, line, column, kind,
   type name), or 0 when none. */
uint32_t memscope_model_find_ident(const memscope_model *m, const memscope_msite *s);
/* The lifetime (ms) below which a share q (0..1) of the site's released blocks lived; the lower
   bound of its histogram bucket. Returns 0 and leaves *out when no block was released. */
int memscope_site_lifetime(const memscope_msite *s, double q, uint64_t *out);

#endif /* MEMSCOPE_MODEL_H */
