/* views.h: the text views of memscope-report and the helpers they share. */
#ifndef MEMSCOPE_VIEWS_H
#define MEMSCOPE_VIEWS_H

#include "model.h"
#include "reader.h"

#include <regex.h>
#include <stddef.h>
#include <stdio.h>

typedef struct memscope_view_opts {
  const char *trace;  /* path as given */
  unsigned top;       /* rows per table; 0 = the view's default */
  int fail_on_leak;   /* leaks: exit 3 when blocks are live at exit */
  const char *output; /* -o FILE: where the exports write; NULL = standard output */
  int live;           /* folded: bytes live at exit instead of bytes allocated */
  int json;           /* --json: one JSON document instead of text */
  int sort;           /* --sort: MEMSCOPE_SORT_* */
  const char *filter; /* --filter REGEX as given, NULL = none */
  const regex_t *re;  /* the compiled filter (memscope_view_prepare), NULL = none */
  unsigned width;     /* timeline --width: columns; 0 = default */
  const char *trace2; /* diff: the second trace */
  const char *at;     /* --at MARK: figures as of that mark (label or number), NULL = the end */
} memscope_view_opts;

/* --sort keys: bytes allocated, blocks allocated, bytes live at exit, mean block size. */
#define MEMSCOPE_SORT_BYTES 0
#define MEMSCOPE_SORT_COUNT 1
#define MEMSCOPE_SORT_LIVE  2
#define MEMSCOPE_SORT_MEAN  3

/* Exit codes of memscope-report. */
#define MEMSCOPE_EXIT_OK      0
#define MEMSCOPE_EXIT_USAGE   1 /* bad arguments or the trace cannot be opened */
#define MEMSCOPE_EXIT_CORRUPT 2 /* the trace is corrupt, truncated or has no END record */
#define MEMSCOPE_EXIT_LEAKS   3 /* leaks --fail-on-leak found blocks live at exit */

#define MEMSCOPE_SUMMARY_TOP 10

/* Views write to 'out'; they return 0 or a negative value when writing failed. */
int memscope_view_summary(FILE *out, const memscope_model *m, const memscope_read_result *res,
                          const memscope_view_opts *o);
int memscope_view_leaks(FILE *out, const memscope_model *m, const memscope_read_result *res,
                        const memscope_view_opts *o);
/* Streams the trace as text, one line per header/site/thread/event/message/end (fills res). */
int memscope_view_dump(FILE *out, const char *path, memscope_read_result *res);

/* Reads the trace at path into m; returns the exit status the read calls for (0 when complete),
   its error already on stderr. m must be freed whatever the result. */
int memscope_view_load(const char *path, const char *at, memscope_model *m,
                       memscope_read_result *res);
/* The exit status for a read result (0 when complete); prints its error on stderr. */
int memscope_read_exit_status(const memscope_read_result *res);

/* --- format.c --- */
/* "make_node() tests/x.c:12:15  struct node  -> n" */
void memscope_format_site(char *buf, size_t n, const memscope_msite *s);
/* "55.5 KiB"; plain "123 B" below 1 KiB. */
void memscope_format_bytes(char *buf, size_t n, uint64_t bytes);
/* Writes a string quoted with C escapes (\" \\ \n \t, other bytes < 0x20 as \xHH). */
void memscope_write_quoted(FILE *out, const char *s, size_t len);
/* Indexes of sites with allocations (or live blocks when 'live_only'), sorted by bytes or by
   count, descending, ties by id. Returns the count; *out is malloc'd (NULL when none). */
size_t memscope_sorted_sites(const memscope_model *m, int by_count, int live_only,
                             uint32_t **out);

/* --- views_common.c: the options shared by the views (sites, types, vars, threads, peak,
   timeline, diff, and --json/--sort/--filter of summary, leaks and dump) --- */
/* Parses argv[*i] when it is one of --sort, --filter, --json, --width (advancing *i past a
   value). Returns 1 when it was, 0 when it is not one of them, -1 after printing a usage error. */
int memscope_view_option(int argc, char **argv, int *i, memscope_view_opts *o);
/* Checks that the options apply to 'view' and compiles the filter; -1 after a usage error. */
int memscope_view_prepare(const char *view, memscope_view_opts *o);
/* Runs a view that reads one trace into a model (summary, leaks, sites, types, vars, threads,
   peak, timeline): writes to 'out' and returns 0, or -1 when writing failed. */
int memscope_view_run(const char *view, FILE *out, const memscope_model *m,
                      const memscope_read_result *res, const memscope_view_opts *o);
/* The diff view: reads o->trace and o->trace2 and returns the exit status. */
int memscope_view_diff_run(const memscope_view_opts *o);
/* dump --json: the trace as one JSON document (fills res). */
int memscope_view_dump_json(FILE *out, const char *path, memscope_read_result *res);
extern const char memscope_help_sites[], memscope_help_types[], memscope_help_vars[],
    memscope_help_threads[], memscope_help_peak[], memscope_help_timeline[],
    memscope_help_diff[];

/* --- export.c: the folded, pprof and html views (export.h), their --help texts --- */
int memscope_export_run(const char *view, const memscope_view_opts *o);
extern const char memscope_help_folded[], memscope_help_pprof[], memscope_help_html[];

#endif /* MEMSCOPE_VIEWS_H */
