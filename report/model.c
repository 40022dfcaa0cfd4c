/* model.c: the aggregate model of a trace: sites, threads, header, messages, sampling, END. */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

int _memscope_model_fail(memscope_model *m, const char *what) {
  snprintf(m->error, sizeof m->error, "%s", what);
  return MEMSCOPE_READ_ENOMEM;
}

const char *memscope_kind_name(uint64_t kind) {
  static const char *names[] = {"unknown",       "malloc",         "calloc",       "realloc",
                                "free",          "strdup",         "strndup",      "aligned_alloc",
                                "posix_memalign", "reallocarray",  "custom_alloc", "custom_free",
                                "variable",      "exit",           "handoff"};
  return kind < sizeof names / sizeof names[0] ? names[kind] : NULL;
}

/* ---------------------------------------------------------------------------------------------
   Sites and threads
------------------------------------------------------------------------------------------------ */
static int index_grow(uint32_t **index, uint64_t *len, uint64_t id) {
  uint64_t n = *len ? *len : 64;
  while (n <= id) n *= 2;
  uint32_t *ni = realloc(*index, n * sizeof *ni);
  if (!ni) return -1;
  memset(ni + *len, 0, (n - *len) * sizeof *ni);
  *index = ni;
  *len = n;
  return 0;
}

static uint32_t site_new(memscope_model *m, uint64_t id) {
  if (m->nsites == m->sites_cap) {
    uint32_t cap = m->sites_cap ? 2 * m->sites_cap : 64;
    memscope_msite *ns = realloc(m->sites, cap * sizeof *ns);
    if (!ns) return UINT32_MAX;
    m->sites = ns;
    m->sites_cap = cap;
  }
  memscope_msite *s = &m->sites[m->nsites];
  memset(s, 0, sizeof *s);
  s->id = id;
  return m->nsites++;
}

/* Index of site 'id', created when missing and 'create'; 0 (the unknown site) otherwise. */
uint32_t _memscope_site_slow(memscope_model *m, uint64_t id, int create) {
  if (id < m->site_index_len && m->site_index[id] != 0) return m->site_index[id];
  if (id == 0 || id >= MEMSCOPE_MODEL_MAX_ID || !create) return 0;
  if (id >= m->site_index_len && index_grow(&m->site_index, &m->site_index_len, id)) return 0;
  uint32_t i = site_new(m, id);
  if (i == UINT32_MAX) return 0;
  m->site_index[id] = i;
  return i;
}

static uint32_t thread_new(memscope_model *m, uint64_t id) {
  if (m->nthreads == m->threads_cap) {
    uint32_t cap = m->threads_cap ? 2 * m->threads_cap : 16;
    memscope_mthread *nt = realloc(m->threads, cap * sizeof *nt);
    if (!nt) return UINT32_MAX;
    m->threads = nt;
    m->threads_cap = cap;
  }
  memscope_mthread *t = &m->threads[m->nthreads];
  memset(t, 0, sizeof *t);
  t->id = id;
  return m->nthreads++;
}

uint32_t _memscope_thread_slow(memscope_model *m, uint64_t id, int create) {
  if (id < m->thread_index_len && m->thread_index[id] != 0) return m->thread_index[id];
  if (id == 0 || id >= MEMSCOPE_MODEL_MAX_ID || !create) return 0;
  if (id >= m->thread_index_len && index_grow(&m->thread_index, &m->thread_index_len, id))
    return 0;
  uint32_t i = thread_new(m, id);
  if (i == UINT32_MAX) return 0;
  m->thread_index[id] = i;
  return i;
}

const memscope_msite *memscope_model_site(const memscope_model *m, uint64_t id) {
  if (id >= m->site_index_len || m->site_index[id] == 0) return NULL;
  return &m->sites[m->site_index[id]];
}

int memscope_model_init(memscope_model *m) {
  memset(m, 0, sizeof *m);
  if (site_new(m, 0) == UINT32_MAX || thread_new(m, 0) == UINT32_MAX) return MEMSCOPE_READ_ENOMEM;
  m->sites[0].file = dupstr("");
  m->sites[0].function = dupstr("");
  m->sites[0].type_name = dupstr("");
  m->sites[0].sizeof_type = dupstr("");
  m->sites[0].var_name = dupstr("");
  m->threads[0].name = dupstr("");
  m->sample_mode = dupstr("");
  if (!m->sites[0].file || !m->sites[0].function || !m->sites[0].type_name ||
      !m->sites[0].sizeof_type || !m->sites[0].var_name || !m->threads[0].name || !m->sample_mode)
    return MEMSCOPE_READ_ENOMEM;
  return 0;
}

void memscope_model_free(memscope_model *m) {
  for (uint32_t i = 0; i < m->nsites; i++) {
    memscope_msite *s = &m->sites[i];
    free(s->file), free(s->function), free(s->type_name), free(s->sizeof_type), free(s->var_name);
    free(s->life);
  }
  for (uint32_t i = 0; i < m->nthreads; i++) free(m->threads[i].name);
  for (uint32_t i = 0; i < m->nmessages; i++) free(m->messages[i]);
  for (size_t i = 0; i < m->nend; i++) free((char *)m->end[i].key), free((char *)m->end[i].s);
  free(m->sites), free(m->site_index), free(m->ident), free(m->threads), free(m->thread_index);
  free(m->messages), free(m->message_t), free(m->end), free(m->buckets);
  free(m->program), free(m->clock), free(m->sample_mode);
  free(m->owners), free(m->owner_set), free(m->samplings);
  for (uint32_t i = 0; i < m->nmarks; i++) free(m->marks[i].label);
  free(m->marks);
  _memscope_ltab_free(&m->live);
  _memscope_ptab_free(&m->wide);
  _memscope_ptab_free(&m->orphans);
  _memscope_ptab_free(&m->ghosts);
  memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------------------------------------
   Record callbacks
------------------------------------------------------------------------------------------------ */
static int on_header(void *ud, const memscope_trace_header *h) {
  memscope_model *m = ud;
  m->have_header = 1;
  m->major = h->major, m->minor = h->minor, m->pid = h->pid;
  m->start_unix_ns = h->start_unix_ns, m->abi = h->abi;
  free(m->program), free(m->clock);
  m->program = dupstr(h->program);
  m->clock = dupstr(h->clock);
  for (size_t i = 0; i < h->noptions; i++)
    if (h->options[i].type == MEMSCOPE_KV_STR && !strcmp(h->options[i].key, "sample")) {
      free(m->sample_mode);
      m->sample_mode = dupstr(h->options[i].s);
      if (!m->sample_mode) return _memscope_model_fail(m, "out of memory");
    }
  return m->program && m->clock ? 0 : _memscope_model_fail(m, "out of memory");
}

/* Stable identity of a site: (file, function, line, column, kind, type_name). */
static uint64_t ident_hash(const char *file, const char *func, uint64_t line, uint64_t col,
                           uint64_t kind, const char *type) {
  uint64_t h = 1469598103934665603ull;
  const char *parts[3] = {file, func, type};
  for (int k = 0; k < 3; k++) {
    for (const unsigned char *c = (const unsigned char *)parts[k]; *c; c++)
      h = (h ^ *c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  uint64_t nums[3] = {line, col, kind};
  for (int k = 0; k < 3; k++) h = (h ^ nums[k]) * 1099511628211ull;
  return h;
}

static uint64_t site_ident(const memscope_msite *s) {
  return ident_hash(s->file, s->function, s->line, s->column, s->kind, s->type_name);
}

static int ident_insert(memscope_model *m, uint32_t idx) {
  if ((m->ident_count + 1) * 2 > m->ident_cap) {
    uint32_t ncap = m->ident_cap ? 2 * m->ident_cap : 256;
    uint32_t *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (uint32_t i = 0; i < m->ident_cap; i++) {
      if (!m->ident[i]) continue;
      uint32_t j = (uint32_t)site_ident(&m->sites[m->ident[i]]) & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = m->ident[i];
    }
    free(m->ident);
    m->ident = ns;
    m->ident_cap = ncap;
  }
  uint32_t j = (uint32_t)site_ident(&m->sites[idx]) & (m->ident_cap - 1);
  while (m->ident[j]) j = (j + 1) & (m->ident_cap - 1);
  m->ident[j] = idx;
  m->ident_count++;
  return 0;
}

/* The described site with this stable identity, or 0. */
static uint32_t ident_lookup(const memscope_model *m, const char *file, const char *function,
                             uint64_t line, uint64_t column, uint64_t kind, const char *type_name) {
  if (!m->ident_cap) return 0;
  uint64_t h = ident_hash(file, function, line, column, kind, type_name);
  for (uint32_t j = (uint32_t)h & (m->ident_cap - 1); m->ident[j]; j = (j + 1) & (m->ident_cap - 1)) {
    const memscope_msite *o = &m->sites[m->ident[j]];
    if (o->line == line && o->column == column && o->kind == kind && !strcmp(o->file, file) &&
        !strcmp(o->function, function) && !strcmp(o->type_name, type_name))
      return m->ident[j];
  }
  return 0;
}

uint32_t memscope_model_find_ident(const memscope_model *m, const memscope_msite *s) {
  if (!s->defined) return 0;
  return ident_lookup(m, s->file, s->function, s->line, s->column, s->kind, s->type_name);
}

/* An earlier described site with the identity of ts, or 0. */
static uint32_t ident_find(const memscope_model *m, const memscope_trace_site *ts) {
  return ident_lookup(m, ts->file, ts->function, ts->line, ts->column, ts->kind, ts->type_name);
}

static int on_site(void *ud, const memscope_trace_site *ts) {
  memscope_model *m = ud;
  if (ts->id >= m->site_index_len || m->site_index[ts->id] == 0) {
    /* a second descriptor of a known call site counts as the same site */
    uint32_t same = ident_find(m, ts);
    if (same) {
      if (ts->id >= m->site_index_len && index_grow(&m->site_index, &m->site_index_len, ts->id))
        return _memscope_model_fail(m, "out of memory");
      m->site_index[ts->id] = same;
      m->sites_merged++;
      return 0;
    }
  }
  uint32_t i = _memscope_site_slow(m, ts->id, 1);
  if (i == 0) return _memscope_model_fail(m, "out of memory");
  memscope_msite *s = &m->sites[i];
  if (s->defined) return 0; /* the first description wins */
  s->defined = 1;
  s->kind = (unsigned)ts->kind, s->flags = (unsigned)ts->flags;
  s->line = ts->line, s->column = ts->column, s->elem_size = ts->elem_size;
  s->file = dupstr(ts->file), s->function = dupstr(ts->function);
  s->type_name = dupstr(ts->type_name), s->sizeof_type = dupstr(ts->sizeof_type);
  s->var_name = dupstr(ts->var_name);
  if (!s->file || !s->function || !s->type_name || !s->sizeof_type || !s->var_name ||
      ident_insert(m, i))
    return _memscope_model_fail(m, "out of memory");
  return 0;
}

static int on_thread(void *ud, const memscope_trace_thread *tt) {
  memscope_model *m = ud;
  uint32_t i = _memscope_thread_slow(m, tt->id, 1);
  if (i == 0) return 0; /* index 0 or out of range: events count as an unknown thread */
  memscope_mthread *t = &m->threads[i];
  if (t->defined) return 0;
  t->defined = 1;
  t->os_tid = tt->os_tid;
  t->name = dupstr(tt->name);
  return t->name ? 0 : _memscope_model_fail(m, "out of memory");
}

static int on_message(void *ud, uint64_t t, const char *text, size_t len) {
  memscope_model *m = ud;
  if (m->nmessages == m->messages_cap) {
    uint32_t cap = m->messages_cap ? 2 * m->messages_cap : 8;
    char **nm = realloc(m->messages, cap * sizeof *nm);
    if (!nm) return _memscope_model_fail(m, "out of memory");
    m->messages = nm;
    uint64_t *nt = realloc(m->message_t, cap * sizeof *nt);
    if (!nt) return _memscope_model_fail(m, "out of memory");
    m->message_t = nt;
    m->messages_cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return _memscope_model_fail(m, "out of memory");
  memcpy(copy, text, len);
  copy[len] = 0;
  m->messages[m->nmessages] = copy;
  m->message_t[m->nmessages++] = t;
  return 0;
}

static int on_end(void *ud, const memscope_trace_end *e) {
  memscope_model *m = ud;
  m->have_end = 1;
  m->end = calloc(e->n ? e->n : 1, sizeof *m->end);
  if (!m->end) return _memscope_model_fail(m, "out of memory");
  for (size_t i = 0; i < e->n; i++) {
    m->end[i] = e->items[i];
    m->end[i].key = dupstr(e->items[i].key);
    m->end[i].s = e->items[i].s ? dupstr(e->items[i].s) : NULL;
    m->nend++;
    if (!m->end[i].key || (e->items[i].s && !m->end[i].s)) return _memscope_model_fail(m, "out of memory");
  }
  return 0;
}

int memscope_model_end_get(const memscope_model *m, const char *key, uint64_t *out) {
  memscope_trace_end e = {m->nend, m->end};
  return memscope_end_get(&e, key, out);
}

uint64_t memscope_model_duration(const memscope_model *m) {
  uint64_t d;
  if (memscope_model_end_get(m, "duration_ms", &d) && d >= m->last_t) return d;
  return m->last_t;
}

/* Makes room for one more element in a doubling array; 0 or -1 (out of memory). */
static int grow(void *arrp, uint32_t *cap, uint32_t n, size_t elem) {
  if (n < *cap) return 0;
  uint32_t ncap = *cap ? 2 * *cap : 8;
  void *na = realloc(*(void **)arrp, (size_t)ncap * elem);
  if (!na) return -1;
  *(void **)arrp = na;
  *cap = ncap;
  return 0;
}

static int on_sampling(void *ud, uint64_t t, uint64_t mean) {
  memscope_model *m = ud;
  if (grow(&m->samplings, &m->samplings_cap, m->nsamplings, sizeof *m->samplings))
    return _memscope_model_fail(m, "out of memory");
  m->samplings[m->nsamplings++] = (memscope_sampling){t, mean};
  return 0;
}

/* A mark that matches --at by label, or by sequence number when 'at' is all digits. */
static int at_matches(const char *at, const memscope_trace_mark *mk) {
  if (!strcmp(at, mk->label)) return 1;
  char *end;
  unsigned long long n = strtoull(at, &end, 10);
  return at[0] >= '0' && at[0] <= '9' && !*end && n == mk->seq;
}

static int on_mark(void *ud, const memscope_trace_mark *mk) {
  memscope_model *m = ud;
  if (grow(&m->marks, &m->marks_cap, m->nmarks, sizeof *m->marks))
    return _memscope_model_fail(m, "out of memory");
  char *label = strdup(mk->label);
  if (!label) return _memscope_model_fail(m, "out of memory");
  m->marks[m->nmarks] = (memscope_mark){mk->t, mk->seq, label, mk->recording};
  if (m->at && !m->at_found && at_matches(m->at, mk)) {
    m->at_found = 1;
    m->at_mark = m->nmarks;
    m->at_t = mk->t;
  }
  m->nmarks++;
  return 0;
}

const char *memscope_model_when(const memscope_model *m, char *buf, size_t cap) {
  if (m->at_found) {
    const memscope_mark *mk = &m->marks[m->at_mark];
    snprintf(buf, cap, "at mark %llu \"%.60s\" (%llu ms)", (unsigned long long)mk->seq, mk->label,
             (unsigned long long)mk->t);
    return buf;
  }
  return m->have_end ? "at exit" : "at the end of the valid data";
}

int memscope_model_estimated(const memscope_model *m) {
  return m->samples > 0 || (m->sample_mode[0] && strcmp(m->sample_mode, "all"));
}

static const char *on_error(void *ud) {
  memscope_model *m = ud;
  return m->error[0] ? m->error : NULL;
}

const memscope_reader_callbacks *memscope_model_callbacks(void) {
  static const memscope_reader_callbacks cb = {
      on_header, on_site,  on_thread, _memscope_model_on_event, on_message, on_end, on_error,
      on_sampling, _memscope_model_on_events, on_mark};
  return &cb;
}

void memscope_model_finish(memscope_model *m) {
  _memscope_timeline_peak(m, &m->peak_bytes, &m->peak_t);
  _memscope_model_settle_peak(m);
  m->free_unknown = m->orphans.count + m->orphans_dropped;
}

const memscope_block *memscope_model_find_live(const memscope_model *m, uint64_t ptr) {
  return ptr ? _memscope_ltab_find(&m->live, ptr) : NULL;
}
