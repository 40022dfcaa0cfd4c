/* reader.h: streaming reader of memscope traces; decodes records and delivers them by callback. */
#ifndef MEMSCOPE_READER_H
#define MEMSCOPE_READER_H

#include <stddef.h>
#include <stdint.h>

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* The trace format version this reader understands (docs/trace-format.md); major version 2 is
   version 1 whose bytes after the header are one zstd stream (MEMSCOPE_COMPRESS). */
#define MEMSCOPE_TRACE_MAJOR 2
#define MEMSCOPE_TRACE_MINOR 0

/* Record types. */
#define MEMSCOPE_REC_SITE    1
#define MEMSCOPE_REC_THREAD  2
#define MEMSCOPE_REC_EVENTS  3
#define MEMSCOPE_REC_END     4
#define MEMSCOPE_REC_MESSAGE 5
#define MEMSCOPE_REC_SAMPLING 6
#define MEMSCOPE_REC_MARK    7

/* Event ops (low 3 bits of an event tag). TIME events are folded into the time register and are
   never delivered. */
#define MEMSCOPE_EV_TIME       0
#define MEMSCOPE_EV_ALLOC      1
#define MEMSCOPE_EV_FREE       2
#define MEMSCOPE_EV_REALLOC    3
#define MEMSCOPE_EV_SCOPE_EXIT 4
#define MEMSCOPE_EV_SAMPLED    5
#define MEMSCOPE_EV_HANDOFF    6

/* Reader results: 0 or one of these. */
#define MEMSCOPE_READ_OK        0
#define MEMSCOPE_READ_EOPEN    -1 /* the file could not be opened or read */
#define MEMSCOPE_READ_EEMPTY   -2 /* the file is empty */
#define MEMSCOPE_READ_EMAGIC   -3 /* not a memscope trace */
#define MEMSCOPE_READ_EVERSION -4 /* format version this reader does not read */
#define MEMSCOPE_READ_ECORRUPT -5 /* a record is malformed */
#define MEMSCOPE_READ_ETRUNC   -6 /* the file ends inside a record */
#define MEMSCOPE_READ_ENOEND   -7 /* the file ends without an END record */
#define MEMSCOPE_READ_ENOMEM   -8 /* out of memory */
#define MEMSCOPE_READ_ECONSUMER -9 /* a callback refused a record */

/* A key/value pair of a header or END map. Values are integers or strings; other values are
   skipped. */
typedef enum memscope_kv_type { MEMSCOPE_KV_UINT, MEMSCOPE_KV_INT, MEMSCOPE_KV_STR } memscope_kv_type;

typedef struct memscope_trace_kv {
  const char *key;
  memscope_kv_type type;
  uint64_t u;      /* MEMSCOPE_KV_UINT */
  int64_t i;       /* MEMSCOPE_KV_INT (negative values) */
  const char *s;   /* MEMSCOPE_KV_STR, NUL-terminated */
  size_t slen;
} memscope_trace_kv;

typedef struct memscope_trace_header {
  uint64_t major, minor;
  uint64_t pid;
  uint64_t start_unix_ns;
  uint64_t abi;
  const char *program;       /* "" when absent */
  const char *clock;         /* "" when absent */
  size_t noptions;
  const memscope_trace_kv *options; /* runtime options, name: string value */
} memscope_trace_header;

typedef struct memscope_trace_site {
  uint64_t id;
  uint64_t kind;
  uint64_t flags;
  const char *file;
  uint64_t line;
  uint64_t column;
  const char *function;
  const char *type_name;
  const char *sizeof_type;
  const char *var_name;
  uint64_t elem_size;
} memscope_trace_site;

typedef struct memscope_trace_thread {
  uint64_t id;
  uint64_t os_tid;
  const char *name;
} memscope_trace_thread;

/* One decoded event with absolute values. */
typedef struct memscope_trace_event {
  unsigned op;        /* MEMSCOPE_EV_ALLOC .. MEMSCOPE_EV_HANDOFF */
  uint64_t thread;    /* thread index of the EVENTS record */
  uint64_t t;         /* ms since trace start */
  uint64_t site;      /* site id (0 for a FREE without site); variable site for SCOPE_EXIT;
                         handoff site for HANDOFF */
  uint64_t ptr;       /* block born (ALLOC, REALLOC, SAMPLED), released (FREE), held
                         (SCOPE_EXIT) or stored (HANDOFF) */
  uint64_t old;       /* REALLOC: block released */
  uint64_t size;      /* ALLOC, REALLOC, SAMPLED */
  uint64_t exit_site; /* SCOPE_EXIT: exit point site id */
  double weight;      /* SAMPLED: blocks the sampled block stands for (finite, > 0); else 1 */
} memscope_trace_event;

typedef struct memscope_trace_end {
  size_t n;
  const memscope_trace_kv *items; /* in file order */
} memscope_trace_end;

/* Callbacks return 0 to go on, or a negative value to stop reading; 'error' (optional) then
   describes why. Strings passed to callbacks live until the callback returns. Every callback is
   optional. */
/* A MARK record: memscope_snapshot() or a MEMSCOPE_SIGNAL pause or resume. */
typedef struct memscope_trace_mark {
  uint64_t t, seq;      /* ms, and 1, 2, ... in the order the program made them */
  const char *label;    /* NUL-terminated; "" for none */
  size_t label_len;
  int recording;        /* events are recorded after the mark */
} memscope_trace_mark;

typedef struct memscope_reader_callbacks {
  int (*header)(void *ud, const memscope_trace_header *h);
  int (*site)(void *ud, const memscope_trace_site *s);
  int (*thread)(void *ud, const memscope_trace_thread *t);
  int (*event)(void *ud, const memscope_trace_event *e);
  int (*message)(void *ud, uint64_t t, const char *text, size_t len);
  int (*end)(void *ud, const memscope_trace_end *e);
  const char *(*error)(void *ud);
  /* SAMPLING record: from t on, bytes sampling uses this mean */
  int (*sampling)(void *ud, uint64_t t, uint64_t mean);
  /* Optional, used instead of 'event' when set: the events of an EVENTS record in order, in
     batches of at most MEMSCOPE_READ_BATCH events (all of the record's thread). Returns 0, or a
     negative value to stop reading after setting *refused to the index of the refused event;
     the events before it count as delivered. */
  int (*events)(void *ud, const memscope_trace_event *ev, size_t n, size_t *refused);
  int (*mark)(void *ud, const memscope_trace_mark *mk);
} memscope_reader_callbacks;

typedef struct memscope_read_result {
  int status;            /* MEMSCOPE_READ_* */
  int complete;          /* the END record was read */
  uint64_t bytes;        /* bytes of complete, valid records */
  uint64_t file_bytes;   /* bytes seen in the file */
  uint64_t records;      /* complete records read, header included */
  uint64_t events;       /* events delivered (TIME events excluded) */
  uint64_t error_offset; /* byte offset named in the error */
  char error[640];       /* "NAME: byte N: ..." or "" */
} memscope_read_result;

/* Default chunk size: the reader holds one chunk of the file at a time. */
#define MEMSCOPE_READ_CHUNK (1u << 20)
/* Most events handed to the 'events' callback at once. */
#define MEMSCOPE_READ_BATCH 64
/* Longest string the reader accepts in a record. */
#define MEMSCOPE_READ_MAX_STR (1u << 20)

/* Reads the trace at 'path' ("-" = standard input) in chunks of 'chunk' bytes (0 = default).
   Returns res->status. Everything delivered before an error stays valid. */
int memscope_read_file(const char *path, size_t chunk, const memscope_reader_callbacks *cb,
                       void *ud, memscope_read_result *res);

/* Reads a trace held in memory; 'name' is used in error messages. */
int memscope_read_mem(const void *data, size_t len, const char *name,
                      const memscope_reader_callbacks *cb, void *ud, memscope_read_result *res);

/* Name of a record type ("SITE") or "type N" for unknown ones (static buffer for those). */
const char *memscope_record_name(uint64_t type);

/* Looks a key up in an END record; returns 1 and the value if it is an unsigned integer. */
int memscope_end_get(const memscope_trace_end *e, const char *key, uint64_t *out);

#endif /* MEMSCOPE_READER_H */
