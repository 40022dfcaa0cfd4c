/* export.h: the export views of memscope-report (folded stacks, pprof, HTML) and their helpers. */
#ifndef MEMSCOPE_EXPORT_H
#define MEMSCOPE_EXPORT_H

#include "views.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define _memscope_internal_x __attribute__((visibility("hidden")))

/* Folded stacks, one line per site: "file;function;line:col type -> var BYTES", largest first.
   With 'live', bytes live at exit (or at the end of the valid data) instead of allocated. Only
   the sites that o's --filter keeps (o may be NULL: every site). */
int memscope_export_folded(FILE *out, const memscope_model *m, int live,
                           const memscope_view_opts *o);

/* A gzipped pprof profile (profile.proto) with the sample types alloc_objects, alloc_space,
   inuse_objects and inuse_space, one sample per site that o's --filter keeps (o may be NULL).
   On failure 'err' says why. */
int memscope_export_pprof(FILE *out, const memscope_model *m, const char *trace, char *err,
                          size_t errlen, const memscope_view_opts *o);

/* One self-contained HTML page: summary cards, live-bytes chart, sortable tables of sites,
   types and variables, the leak list and a flame view of the sites; the tables, the leaks and
   the flame view show the sites that o's --filter keeps. */
int memscope_export_html(FILE *out, const memscope_model *m, const memscope_read_result *res,
                         const memscope_view_opts *o);

/* --- export.c --- */

/* Whether o's --filter keeps the site (always when o is NULL or has no filter). */
int _memscope_export_keep(const memscope_view_opts *o, const memscope_msite *s)
    _memscope_internal_x;

/* The three frames of a site: its file, its function and "line:col type -> var". Control bytes
   and ';' (the frame separator of folded stacks) are replaced. */
void _memscope_export_frames(const memscope_msite *s, char *file, size_t nfile, char *func,
                             size_t nfunc, char *label, size_t nlabel) _memscope_internal_x;

/* A point of the live-bytes timeline: the highest live bytes within [t, t + width) and the live
   bytes at its end. */
typedef struct memscope_tpoint {
  uint64_t t, bytes, end;
} memscope_tpoint;

/* At most 'max' (>= 2) points of the live-bytes curve, the last one being the bytes live at
   the end; *width is the time each point covers (ms). Returns the count, 0 when out of memory
   (*out is malloc'd). */
size_t _memscope_export_timeline(const memscope_model *m, size_t max, memscope_tpoint **out,
                                 uint64_t *width) _memscope_internal_x;


/* --- export_html_page.c: the style sheet and script of the html page --- */
extern const char _memscope_html_css[] _memscope_internal_x;
extern const char _memscope_html_js[] _memscope_internal_x;

#endif /* MEMSCOPE_EXPORT_H */
