/* views.h: the text views of memscope-report and the helpers they share. */
#ifndef MEMSCOPE_VIEWS_H
#define MEMSCOPE_VIEWS_H

#include "model.h"
#include "reader.h"

#include <stddef.h>
#include <stdio.h>

typedef struct memscope_view_opts {
  const char *trace;  /* path as given */
  unsigned top;       /* rows per table; 0 = the view's default */
  int fail_on_leak;   /* leaks: exit 3 when blocks are live at exit */
} memscope_view_opts;

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

#endif /* MEMSCOPE_VIEWS_H */
