/* views_int.h: helpers shared by the views: table rows, sorting, filters, estimate marks,
   JSON of sites, and the fates of leaked blocks (lifetimes.c). */
#ifndef MEMSCOPE_VIEWS_INT_H
#define MEMSCOPE_VIEWS_INT_H

#include "json.h"
#include "views.h"

#define _memscope_internal_v __attribute__((visibility("hidden")))

/* ---------------------------------------------------------------------------------------------
   Rows of the tables (sites, types, variables, threads, peak, diff)
------------------------------------------------------------------------------------------------ */
typedef struct memscope_row {
  const char *name;           /* types, vars, threads: the label; sites: NULL */
  const char *func;           /* vars: function of a local variable, "" for fields */
  uint32_t site;              /* sites: index in the model's sites; others: a representative */
  uint64_t id;                /* tie-break: site id, thread id */
  uint64_t bytes, count;      /* allocated */
  uint64_t live_bytes, live;  /* live at exit */
  uint64_t peak_bytes, peak;  /* live at the peak */
  uint64_t nsites;            /* types, vars: contributing sites */
} memscope_row;

/* Sorts rows by the key (descending), ties by bytes, count, then id and name. 'peak' sorts
   bytes and count by their at-peak figures. */
void _memscope_rows_sort(memscope_row *rows, size_t n, int key, int peak) _memscope_internal_v;
/* Mean size of a row (0 without blocks). */
static inline double _memscope_row_mean(const memscope_row *r) {
  return r->count ? (double)r->bytes / (double)r->count : 0.0;
}
/* Non-zero when site s passes --filter (always without a filter). */
int _memscope_site_matches(const memscope_view_opts *o, const memscope_msite *s) _memscope_internal_v;
/* Rows of the sites with allocations that pass the filter; *out is malloc'd. -1 on ENOMEM. */
int _memscope_site_rows(const memscope_model *m, const memscope_view_opts *o, memscope_row **out,
                        size_t *n) _memscope_internal_v;
/* Rows merged by name (and func): rows must be sorted by name first; returns the new count. */
size_t _memscope_rows_merge(memscope_row *rows, size_t n) _memscope_internal_v;

/* ---------------------------------------------------------------------------------------------
   Text helpers
------------------------------------------------------------------------------------------------ */
/* "123", or "~123" when 'est' (a figure estimated from sampled blocks). */
const char *_memscope_num(char *buf, size_t n, uint64_t v, int est) _memscope_internal_v;
/* "12.5", "~12.5"; "-" without blocks. */
const char *_memscope_mean(char *buf, size_t n, const memscope_row *r, int est) _memscope_internal_v;
/* The kind column of a site ("malloc", "kind 99", "-"). */
const char *_memscope_kind_label(char *buf, size_t n, const memscope_msite *s) _memscope_internal_v;
/* "FILE:LINE:COL" of a site (":COL" left out when 0, "?" for an empty file). */
void _memscope_site_loc(char *buf, size_t n, const memscope_msite *s) _memscope_internal_v;
/* Appends printf-style text to buf (capacity n) at *k, never past the end (format.c). */
void _memscope_putf(char *buf, size_t n, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5))) _memscope_internal_v;
/* For estimated figures: the sampling note and the one-line confidence note (nothing else). */
void _memscope_estimate_note(FILE *out, const memscope_model *m) _memscope_internal_v;
/* The header line of a view: "memscope VIEW: TRACE" plus incomplete-trace and filter notes. */
void _memscope_view_title(FILE *out, const char *view, const memscope_model *m,
                          const memscope_read_result *res, const memscope_view_opts *o) _memscope_internal_v;
static inline const char *_memscope_plural(uint64_t n) { return n == 1 ? "" : "s"; }

/* ---------------------------------------------------------------------------------------------
   JSON helpers
------------------------------------------------------------------------------------------------ */
/* Members of a site object: id, kind, file, line, column, function, type, var (inside an open
   object). */
void _memscope_json_site(memscope_json *j, const memscope_msite *s) _memscope_internal_v;
/* Members common to every view's document: view, trace, complete, estimated, sample. */
void _memscope_json_head(memscope_json *j, const char *view, const memscope_model *m,
                         const memscope_read_result *res, const memscope_view_opts *o) _memscope_internal_v;
/* Members of a row: bytes, count, live_bytes, live, peak_bytes, peak, mean. */
void _memscope_json_row(memscope_json *j, const memscope_row *r) _memscope_internal_v;

/* ---------------------------------------------------------------------------------------------
   Fates of leaked blocks (lifetimes.c)
------------------------------------------------------------------------------------------------ */
typedef enum memscope_fate_kind {
  MEMSCOPE_FATE_HELD,        /* no ownership event */
  MEMSCOPE_FATE_DROPPED,     /* the last owner went out of scope */
  MEMSCOPE_FATE_OVERWRITTEN, /* the last owner was assigned a new value */
  MEMSCOPE_FATE_HANDED,      /* stored into a field or global */
  MEMSCOPE_FATE_RETURNED     /* returned to the caller */
} memscope_fate_kind;

typedef struct memscope_fate {
  uint32_t site;  /* allocation site (index) */
  uint32_t owner; /* ownership event (index in owners), 0 = none */
  uint64_t bytes, blocks;
} memscope_fate;

memscope_fate_kind _memscope_owner_fate(const memscope_model *m, uint32_t owner) _memscope_internal_v;
/* "dropped", "overwritten", "handed", "returned", "held" */
const char *_memscope_fate_name(memscope_fate_kind k) _memscope_internal_v;
/* The live blocks grouped by (site, owner), sorted by site index, then bytes and blocks
   (descending), then owner. Returns 0, or -1 when out of memory; *out is malloc'd. */
int _memscope_leak_fates(const memscope_model *m, memscope_fate **out, size_t *n) _memscope_internal_v;
/* The fates of one site within the sorted array: index of the first, and their count. */
size_t _memscope_fates_of(const memscope_fate *f, size_t n, uint32_t site, size_t *first) _memscope_internal_v;
/* The leak line of a fate, without the leading spaces:
   "N bytes in K blocks: allocated at FILE:LINE:COL as `TYPE` into `VAR`; ..." */
void _memscope_format_fate(char *buf, size_t n, const memscope_model *m, const memscope_fate *f,
                           int est) _memscope_internal_v;
/* A fate as a JSON object: kind, bytes, blocks, owner, exit, dest. */
void _memscope_json_fate(memscope_json *j, const memscope_model *m, const memscope_fate *f) _memscope_internal_v;

#endif /* MEMSCOPE_VIEWS_INT_H */
