/* memscope.h: public API of libmemscope and the ABI that the memscope compiler plugin calls. */
#ifndef MEMSCOPE_H
#define MEMSCOPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
   Version
   The ABI version changes whenever memscope_site or an entry point changes shape. The plugin
   stamps every descriptor with the version it was built for; the runtime ignores descriptors
   whose version it does not know (the allocation itself still happens).
------------------------------------------------------------------------------------------------ */
#define MEMSCOPE_VERSION_MAJOR 0
#define MEMSCOPE_VERSION_MINOR 1
#define MEMSCOPE_ABI_VERSION   1

#if defined(__GNUC__) || defined(__clang__)
#define MEMSCOPE_API __attribute__((visibility("default")))
#else
#define MEMSCOPE_API
#endif

/* ---------------------------------------------------------------------------------------------
   Site descriptors
   One constant descriptor per call site, emitted by the plugin (or by MEMSCOPE_SITE for manual
   use). Records refer to a site by its address; the writer emits each site once, the first time
   an event refers to it.
------------------------------------------------------------------------------------------------ */
typedef enum memscope_kind {
  MEMSCOPE_KIND_UNKNOWN        = 0,
  MEMSCOPE_KIND_MALLOC         = 1,
  MEMSCOPE_KIND_CALLOC         = 2,
  MEMSCOPE_KIND_REALLOC        = 3,
  MEMSCOPE_KIND_FREE           = 4,
  MEMSCOPE_KIND_STRDUP         = 5,
  MEMSCOPE_KIND_STRNDUP        = 6,
  MEMSCOPE_KIND_ALIGNED_ALLOC  = 7,
  MEMSCOPE_KIND_POSIX_MEMALIGN = 8,
  MEMSCOPE_KIND_REALLOCARRAY   = 9,
  MEMSCOPE_KIND_CUSTOM_ALLOC   = 10, /* manual API or a declared allocator wrapper */
  MEMSCOPE_KIND_CUSTOM_FREE    = 11, /* manual API or a declared deallocator wrapper */
  MEMSCOPE_KIND_VARIABLE       = 12, /* a local pointer variable with a scope-exit hook */
  MEMSCOPE_KIND_EXIT           = 13, /* a scope exit point: return, break, continue, goto, '}' */
  MEMSCOPE_KIND_HANDOFF        = 14, /* a tracked local's block stored into a field or global */
  MEMSCOPE_KIND_COUNT_
} memscope_kind;

/* memscope_site.flags */
#define MEMSCOPE_SITE_COUNTED    0x0001u /* size is count * elem_size (calloc, n * sizeof(T)) */
#define MEMSCOPE_SITE_FIELD      0x0002u /* var_name is a field or other lvalue, not a variable */
#define MEMSCOPE_SITE_RETURN     0x0004u /* the result is returned to the caller */
#define MEMSCOPE_SITE_WRAPPER    0x0008u /* the call is a declared allocator wrapper */
#define MEMSCOPE_SITE_MACRO      0x0010u /* the call was written inside a macro expansion */
#define MEMSCOPE_SITE_SAMPLE_ALL  0x0020u /* when sampling, record every block of this site */
#define MEMSCOPE_SITE_SAMPLE_NEVER 0x0040u /* when sampling, record no block of this site */
#define MEMSCOPE_SITE_EXIT_RETURN 0x0100u /* EXIT: a return statement */
#define MEMSCOPE_SITE_EXIT_BREAK  0x0200u /* EXIT: a break statement */
#define MEMSCOPE_SITE_EXIT_CONT   0x0400u /* EXIT: a continue statement */
#define MEMSCOPE_SITE_EXIT_GOTO   0x0800u /* EXIT: a goto statement */
#define MEMSCOPE_SITE_EXIT_END    0x1000u /* EXIT: the closing brace (fall-through) */
#define MEMSCOPE_SITE_EXIT_ASSIGN 0x2000u /* EXIT: the variable is assigned a new value here */

typedef struct memscope_site {
  unsigned int abi;             /* MEMSCOPE_ABI_VERSION */
  unsigned short kind;          /* memscope_kind */
  unsigned short flags;         /* MEMSCOPE_SITE_* */
  unsigned int line;            /* expansion line, 1-based */
  unsigned int column;          /* expansion column, 1-based */
  const char *file;             /* as the compiler saw it */
  const char *function;         /* enclosing function, "" at file scope */
  const char *type_name;        /* pointee type of the destination: "struct node", "char" */
  const char *sizeof_type;      /* type named by sizeof in the size expression, "" if none */
  const char *var_name;         /* receiving variable or lvalue: "p", "h->buf", "" if none */
  unsigned long long elem_size; /* sizeof(sizeof_type), 0 if unknown */
} memscope_site;

/* A static descriptor for manual calls at the current source position (GNU C: a statement
   expression). Every descriptor passed to memscope must live until the program exits: the
   writer reads it later, from another thread. */
#define MEMSCOPE_SITE(kind_, type_, var_)                                                     \
  __extension__({                                                                             \
    static const memscope_site memscope_site_ = {MEMSCOPE_ABI_VERSION, (unsigned short)(kind_), \
                                                 0, __LINE__, 0, __FILE__, __func__, (type_),  \
                                                 "", (var_), 0};                               \
    &memscope_site_;                                                                          \
  })

/* ---------------------------------------------------------------------------------------------
   Tracked allocation entry points (called by plugin-rewritten code)
   Each has the exact semantics of the libc function it is named after; the extra argument is
   the call site. They never change the result, errno, or the heap layout of the program.
------------------------------------------------------------------------------------------------ */
MEMSCOPE_API void *memscope_malloc(size_t size, const memscope_site *site);
MEMSCOPE_API void *memscope_calloc(size_t count, size_t size, const memscope_site *site);
MEMSCOPE_API void *memscope_realloc(void *ptr, size_t size, const memscope_site *site);
MEMSCOPE_API void memscope_free(void *ptr, const memscope_site *site);
MEMSCOPE_API char *memscope_strdup(const char *s, const memscope_site *site);
MEMSCOPE_API char *memscope_strndup(const char *s, size_t n, const memscope_site *site);
MEMSCOPE_API void *memscope_aligned_alloc(size_t alignment, size_t size, const memscope_site *site);
MEMSCOPE_API int memscope_posix_memalign(void **out, size_t alignment, size_t size,
                                         const memscope_site *site);
MEMSCOPE_API void *memscope_reallocarray(void *ptr, size_t count, size_t size,
                                         const memscope_site *site);

/* Declared allocator wrappers (plugin options alloc= and free=). The call of a wrapper is
   bracketed by enter/leave: events while a wrapper is active are named by the outermost active
   wrapper's site, and each block is recorded once, by the innermost real allocator call (whose
   pointer is what the matching real free receives). enter returns a token that leave restores.
   Sequence: tok = enter(site); r = wrapper(args); wrap_result(r, size, site) or
   wrap_free(p, site); leave(tok). */
MEMSCOPE_API const memscope_site *memscope_wrap_enter(const memscope_site *site);
MEMSCOPE_API void memscope_wrap_leave(const memscope_site *token);
/* After an allocator wrapper returned r: if no tracked allocation happened inside it (the
   wrapper was not compiled with the plugin, or served the block from a pool), r is recorded at
   the call site; otherwise nothing is recorded twice. */
MEMSCOPE_API void memscope_wrap_result(void *ptr, size_t size, const memscope_site *site);
/* After a deallocator wrapper released p: likewise, p is recorded as freed at the call site only
   if no tracked free happened inside the wrapper. */
MEMSCOPE_API void memscope_wrap_free(const void *ptr, const memscope_site *site);

/* Scope exit of a local pointer variable that still holds 'ptr'. 'var' describes the variable
   (kind VARIABLE: file, line and column of its declaration, function, pointee type, name); the
   exit point (kind EXIT: the location of the return/break/continue/goto statement, or of the
   closing brace, with MEMSCOPE_SITE_EXIT_* in flags) is read from the per-thread slot that the
   instrumented code sets with memscope_set_exit just before it leaves the scope. For an EXIT of
   kind return whose expression is a plain local variable, var_name names that variable: its
   block was handed to the caller, not dropped. A NULL slot means the exit point is unknown. */
MEMSCOPE_API void memscope_scope_exit(const void *ptr, const memscope_site *var);
MEMSCOPE_API void memscope_set_exit(const memscope_site *exit_point);
/* The value of a tracked local variable was stored into a field or a global (site: kind
   HANDOFF, var_name the destination lvalue, e.g. "h->buf", flags FIELD for a field): the block
   now has an owner outside the scope, so the variable's scope exit does not drop it. */
MEMSCOPE_API void memscope_handoff(const void *ptr, const memscope_site *site);

/* ---------------------------------------------------------------------------------------------
   Inline fast path (plugin ABI)
   The code the plugin rewrites reads these directly, so that with MEMSCOPE_SAMPLE=bytes:MEAN an
   allocation that is not sampled costs a thread-local countdown and a branch, and a free, scope
   exit or handoff of a block that was not sampled costs one bit test, without a call into the
   runtime; a call of a declared allocator wrapper sets and clears the thread's wrapper slot
   itself. plugin/memscope_entry.h declares the same layout; the runtime owns every write but
   those to the thread's state, which belongs to the calling thread.
------------------------------------------------------------------------------------------------ */
typedef struct memscope_thread_state {
  int64_t sample_countdown;        /* bytes until the next sampled byte (bytes sampling) */
  const memscope_site *exit_site;  /* the exit point memscope_set_exit stored */
  const memscope_site *wrap_site;  /* the outermost allocator wrapper running, or NULL */
  int64_t wrap_mark;               /* sample_countdown when that wrapper was entered */
} memscope_thread_state;

/* The recording mode: 0 off, 1 every event, 2 bytes sampling, 3 size-class sampling. */
#define MEMSCOPE_MODE_OFF 0
#define MEMSCOPE_MODE_ALL 1
#define MEMSCOPE_MODE_BYTES 2
#define MEMSCOPE_MODE_SIZE 3
/* The sampled-block filter, memscope_sampled_bits: 1 << MEMSCOPE_FILTER_BITS bits in 32-bit
   words (8 KiB, so it stays in the first-level cache). Bit 'slot' is set while a sampled block
   whose address maps to it is live: slot = (ptr >> 4) mod 2^BITS, bit (slot & 31) of word
   (slot >> 5). Blocks are at least 16-byte aligned, so the address bits above 4 tell blocks
   apart and the test needs no multiply: two shifts, a mask, a load and a bit test. */
#define MEMSCOPE_FILTER_BITS 16

/* A sampled allocation (the countdown ran out, the block is at least MEMSCOPE_SAMPLE_ALWAYS
   bytes, or its site has a sample= rule): records the block if it is sampled. The caller has
   already counted size down unless size >= the floor or the site has a rule. */
MEMSCOPE_API void memscope_sample_hit(const void *ptr, size_t size, const memscope_site *site);

/* ---------------------------------------------------------------------------------------------
   Manual API
   For allocators the plugin cannot see (arenas, pools, mmap-backed buffers).
------------------------------------------------------------------------------------------------ */
/* Record that 'ptr' (size bytes) was allocated / released. site may be NULL. */
MEMSCOPE_API void memscope_track_alloc(const void *ptr, size_t size, const memscope_site *site);
MEMSCOPE_API void memscope_track_free(const void *ptr, const memscope_site *site);
MEMSCOPE_API void memscope_track_realloc(const void *old_ptr, const void *new_ptr, size_t size,
                                         const memscope_site *site);

#define MEMSCOPE_TRACK_ALLOC(ptr, size, type_name)                                           \
  memscope_track_alloc((ptr), (size), MEMSCOPE_SITE(MEMSCOPE_KIND_CUSTOM_ALLOC, (type_name), #ptr))
#define MEMSCOPE_TRACK_FREE(ptr)                                                             \
  memscope_track_free((ptr), MEMSCOPE_SITE(MEMSCOPE_KIND_CUSTOM_FREE, "", #ptr))

/* Write the calling thread's buffered events (and those of exited threads) to the trace. */
MEMSCOPE_API int memscope_flush(void);
/* Pause and resume recording for the whole process; paused calls cost one branch. */
MEMSCOPE_API void memscope_stop(void);
MEMSCOPE_API void memscope_start(void);
/* A program may choose its own default for MEMSCOPE_SAMPLE by defining
     const char memscope_default_sample[] = "bytes:512K";
   (target_memscope(... SAMPLE mode) does this); the environment variable still wins. */
extern const char memscope_default_sample[];

/* Non-zero while events are being recorded. */
MEMSCOPE_API int memscope_enabled(void);
/* Marks this moment in the trace (a MARK record with 'label', may be NULL) and asks every thread
   to write its buffered events at its next event, so that a reader of the file sees what was
   live at the mark. Returns 0 or a negative MEMSCOPE_ERR_*. With MEMSCOPE_SIGNAL set, each
   delivery of that signal pauses or resumes recording and marks the moment likewise. */
MEMSCOPE_API int memscope_snapshot(const char *label);

/* ---------------------------------------------------------------------------------------------
   Statistics
   Live figures as of the last events written; memscope_get_stats flushes the calling thread
   first, so a single-threaded program always sees exact numbers. The block and byte figures
   (current_bytes to alloc_bytes) need the runtime's live-block table, kept with MEMSCOPE_STATS=1
   or MEMSCOPE_SUMMARY=1; without it they are 0 and the self-accounting figures still count.
------------------------------------------------------------------------------------------------ */
typedef struct memscope_stats {
  uint64_t current_bytes;   /* live bytes in tracked blocks */
  uint64_t peak_bytes;      /* maximum of current_bytes so far */
  uint64_t current_blocks;  /* live tracked blocks */
  uint64_t alloc_count;     /* allocation events (realloc counts as one) */
  uint64_t free_count;      /* free events of tracked blocks */
  uint64_t alloc_bytes;     /* bytes requested in total */
  /* self-accounting */
  uint64_t events_seen;     /* calls that reached the runtime while enabled */
  uint64_t events_recorded; /* events written to per-thread buffers */
  uint64_t events_dropped;  /* events lost (0 unless tracing stopped on an error) */
  uint64_t buffers_flushed; /* buffers handed to the writer */
  uint64_t bytes_written;   /* trace bytes written */
  uint64_t runtime_bytes;   /* memory the runtime holds for itself */
  uint32_t threads;         /* threads that recorded at least one event */
  int32_t error;            /* 0, or the negative code that stopped tracing */
} memscope_stats;

MEMSCOPE_API int memscope_get_stats(memscope_stats *out);

/* Error codes (negative return values). */
#define MEMSCOPE_OK          0
#define MEMSCOPE_ERR_IO     -1 /* the trace could not be written */
#define MEMSCOPE_ERR_NOMEM  -2 /* the runtime could not get memory for itself */
#define MEMSCOPE_ERR_OFF    -3 /* memscope is switched off */
#define MEMSCOPE_ERR_ARG    -4 /* bad argument */

#ifdef __cplusplus
}
#endif

#endif /* MEMSCOPE_H */
