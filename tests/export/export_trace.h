/* export_trace.h: the trace the export tests read: known sites, a realloc chain, leaks, an
   undescribed site id and a file name with the folded-stack separator in it. */
#ifndef MEMSCOPE_EXPORT_TRACE_H
#define MEMSCOPE_EXPORT_TRACE_H

#include "../report/trace_builder.h"

/* Totals of the trace, for the tests. */
#define EXPORT_ALLOCS      17
#define EXPORT_ALLOC_BYTES 2144
#define EXPORT_LIVE_BLOCKS 5
#define EXPORT_LIVE_BYTES  128
#define EXPORT_PEAK_BYTES  1952

static inline void export_trace(tb *b) {
  tb_init(b);
  tb_header(b, 1, 0, 4242, "shop");
  tb_site(b, 1, 1, 0, "src/list.c", 12, 15, "make_node", "struct node", "struct node", "n", 24);
  tb_site(b, 2, 2, 1, "src/list.c", 30, 9, "make_table", "int", "int", "t->slots", 4);
  tb_site(b, 3, 5, 0, "src/main.c", 8, 17, "main", "char", "", "name", 0);
  tb_site(b, 4, 4, 0, "src/list.c", 50, 3, "free_node", "", "", "", 0);
  tb_site(b, 5, 3, 0, "src/buf.c", 21, 11, "buf_grow", "char", "char", "b->data", 1);
  tb_site(b, 6, 1, 0, "odd;name.c", 7, 0, "", "", "", "", 0);
  tb_thread(b, 1, 4242, "shop");
  tb_events_begin(b, 1, 0);
  for (uint64_t i = 0; i < 10; i++) tb_alloc(b, 1, 0x1000 + i * 32, 24);
  tb_alloc(b, 2, 0x8000, 400);
  tb_time(b, 2);
  tb_alloc(b, 3, 0x9000, 6);
  tb_alloc(b, 5, 0xa000, 64);
  tb_realloc(b, 5, 0xa000, 0xb000, 128);
  tb_time(b, 1);
  tb_realloc(b, 5, 0xb000, 0xc000, 256);
  tb_alloc(b, 6, 0xd000, 1000);
  tb_alloc(b, 9, 0xe000, 50); /* site 9 has no SITE record */
  tb_events_end(b);
  tb_events_begin(b, 1, 5);
  for (uint64_t i = 0; i < 7; i++) tb_free(b, 4, 0x1000 + i * 32);
  tb_free(b, 4, 0x8000);
  tb_free(b, 4, 0xc000);
  tb_free(b, 4, 0xd000);
  tb_events_end(b);
  uint64_t v[12] = {27, 27, 0, 2, tb_size(b), 65536, 1, 17, 12, EXPORT_ALLOC_BYTES,
                    EXPORT_PEAK_BYTES, 10};
  tb_end(b, v, 0);
}

#endif /* MEMSCOPE_EXPORT_TRACE_H */
