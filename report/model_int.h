/* model_int.h: internal functions shared by the model's files (model.c, events.c, lifetimes.c). */
#ifndef MEMSCOPE_MODEL_INT_H
#define MEMSCOPE_MODEL_INT_H

#include "blocks.h"

/* Events naming a site or thread nobody described create an entry only below this bound. */
#define MODEL_AUTO_ID_LIMIT 65536u

/* Records a callback error for the reader and returns MEMSCOPE_READ_ENOMEM. */
int _memscope_model_fail(memscope_model *m, const char *what) _memscope_internal_b;
/* Index of site / thread 'id' when it is not in the index yet: created when 'create', else 0. */
uint32_t _memscope_site_slow(memscope_model *m, uint64_t id, int create) _memscope_internal_b;
uint32_t _memscope_thread_slow(memscope_model *m, uint64_t id, int create) _memscope_internal_b;
/* The event callbacks (events.c): one event, a batch of events of one thread. */
int _memscope_model_on_event(void *ud, const memscope_trace_event *e) _memscope_internal_b;
int _memscope_model_on_events(void *ud, const memscope_trace_event *ev, size_t n,
                              size_t *refused) _memscope_internal_b;
/* Settles the per-site and per-thread figures at the peak (events.c). */
void _memscope_model_settle_peak(memscope_model *m) _memscope_internal_b;

/* Index of site 'id' (0, the unknown site, when it cannot be had). */
static inline uint32_t _memscope_site_get(memscope_model *m, uint64_t id, int create) {
  if (likely(id < m->site_index_len && m->site_index[id] != 0)) return m->site_index[id];
  return _memscope_site_slow(m, id, create);
}

static inline uint32_t _memscope_thread_get(memscope_model *m, uint64_t id, int create) {
  if (likely(id < m->thread_index_len && m->thread_index[id] != 0)) return m->thread_index[id];
  return _memscope_thread_slow(m, id, create);
}

#endif /* MEMSCOPE_MODEL_INT_H */
