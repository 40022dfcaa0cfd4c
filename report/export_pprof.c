/* export_pprof.c: the pprof export: a gzipped profile.proto with one sample per allocation site. */
#include "export.h"
#include "profile.pb-c.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---------------------------------------------------------------------------------------------
   String table: every string once, "" first; open addressing on the string's hash.
------------------------------------------------------------------------------------------------ */
typedef struct strtab {
  char **strs;
  size_t n, cap;
  uint32_t *slots; /* index + 1, 0 = empty */
  size_t nslots;
} strtab;

static uint64_t str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static int strtab_rehash(strtab *t) {
  size_t ns = t->nslots ? 2 * t->nslots : 256;
  uint32_t *slots = calloc(ns, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < t->n; i++) {
    size_t j = str_hash(t->strs[i]) & (ns - 1);
    while (slots[j]) j = (j + 1) & (ns - 1);
    slots[j] = (uint32_t)i + 1;
  }
  free(t->slots);
  t->slots = slots, t->nslots = ns;
  return 0;
}

/* Index of s in the table, added when missing; -1 when out of memory. */
static int64_t strtab_get(strtab *t, const char *s) {
  if (unlikely(2 * (t->n + 1) > t->nslots) && strtab_rehash(t)) return -1;
  size_t j = str_hash(s) & (t->nslots - 1);
  for (; t->slots[j]; j = (j + 1) & (t->nslots - 1))
    if (!strcmp(t->strs[t->slots[j] - 1], s)) return t->slots[j] - 1;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 256;
    char **ns = realloc(t->strs, cap * sizeof *ns);
    if (!ns) return -1;
    t->strs = ns, t->cap = cap;
  }
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (!d) return -1;
  memcpy(d, s, len);
  t->strs[t->n] = d;
  t->slots[j] = (uint32_t)t->n + 1;
  return (int64_t)t->n++;
}

static void strtab_free(strtab *t) {
  for (size_t i = 0; i < t->n; i++) free(t->strs[i]);
  free(t->strs), free(t->slots);
}

/* ---------------------------------------------------------------------------------------------
   Building the profile
------------------------------------------------------------------------------------------------ */
#define NVALUES 4
#define NLABELS 3

typedef struct builder {
  strtab st;
  Perftools__Profiles__Profile prof;
  Perftools__Profiles__ValueType types[NVALUES], *type_ptrs[NVALUES], period_type;
  Perftools__Profiles__Mapping mapping, *mapping_ptr;
  Perftools__Profiles__Sample *samples, **sample_ptrs;
  Perftools__Profiles__Location *locs, **loc_ptrs;
  Perftools__Profiles__Line *lines, **line_ptrs;
  Perftools__Profiles__Function *funcs, **func_ptrs;
  Perftools__Profiles__Label *labels, **label_ptrs;
  uint64_t *stacks; /* two location ids per sample */
  int64_t *values;  /* NVALUES per sample */
  int64_t comment;
  size_t nfuncs;    /* functions = locations */
  /* function frames already made, keyed by (file, function) string indexes */
  uint64_t *fn_keys;
  uint32_t *fn_ids;
  size_t fn_slots;
} builder;

static int64_t clamp(uint64_t v) { return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v; }

/* Adds a function and the location of one line in it; returns its id (both share it). */
static uint64_t add_frame(builder *b, int64_t name, int64_t file, uint64_t line, uint64_t col) {
  size_t k = b->nfuncs++;
  uint64_t id = k + 1;
  Perftools__Profiles__Function *f = &b->funcs[k];
  perftools__profiles__function__init(f);
  f->id = id, f->name = name, f->system_name = name, f->filename = file;
  f->start_line = clamp(line);
  b->func_ptrs[k] = f;
  Perftools__Profiles__Line *ln = &b->lines[k];
  perftools__profiles__line__init(ln);
  ln->function_id = id, ln->line = clamp(line), ln->column = clamp(col);
  b->line_ptrs[k] = ln;
  Perftools__Profiles__Location *l = &b->locs[k];
  perftools__profiles__location__init(l);
  l->id = id, l->mapping_id = 1, l->address = id;
  l->n_line = 1, l->line = &b->line_ptrs[k];
  b->loc_ptrs[k] = l;
  return id;
}

/* The location id of the frame of function 'func' in 'file', made on first use. */
static uint64_t function_frame(builder *b, int64_t file, int64_t func) {
  uint64_t key = (uint64_t)file << 32 | (uint64_t)func;
  size_t j = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (b->fn_slots - 1);
  while (b->fn_ids[j]) {
    if (b->fn_keys[j] == key) return b->fn_ids[j];
    j = (j + 1) & (b->fn_slots - 1);
  }
  b->fn_keys[j] = key;
  b->fn_ids[j] = (uint32_t)add_frame(b, func, file, 0, 0);
  return b->fn_ids[j];
}

static int add_label(builder *b, size_t *nl, int64_t key, const char *value) {
  if (!value[0]) return 0;
  int64_t v = strtab_get(&b->st, value);
  if (v < 0) return -1;
  Perftools__Profiles__Label *l = &b->labels[*nl];
  perftools__profiles__label__init(l);
  l->key = key, l->str = v;
  b->label_ptrs[*nl] = l;
  (*nl)++;
  return 0;
}

static int build(builder *b, const memscope_model *m, const char *trace,
                 const memscope_view_opts *o) {
  size_t ns = m->nsites ? m->nsites : 1;
  b->samples = calloc(ns, sizeof *b->samples);
  b->sample_ptrs = calloc(ns, sizeof *b->sample_ptrs);
  b->locs = calloc(2 * ns, sizeof *b->locs);
  b->loc_ptrs = calloc(2 * ns, sizeof *b->loc_ptrs);
  b->lines = calloc(2 * ns, sizeof *b->lines);
  b->line_ptrs = calloc(2 * ns, sizeof *b->line_ptrs);
  b->funcs = calloc(2 * ns, sizeof *b->funcs);
  b->func_ptrs = calloc(2 * ns, sizeof *b->func_ptrs);
  b->labels = calloc(NLABELS * ns, sizeof *b->labels);
  b->label_ptrs = calloc(NLABELS * ns, sizeof *b->label_ptrs);
  b->stacks = calloc(2 * ns, sizeof *b->stacks);
  b->values = calloc(NVALUES * ns, sizeof *b->values);
  for (b->fn_slots = 64; b->fn_slots < 2 * ns; b->fn_slots *= 2) {}
  b->fn_keys = calloc(b->fn_slots, sizeof *b->fn_keys);
  b->fn_ids = calloc(b->fn_slots, sizeof *b->fn_ids);
  if (!b->samples || !b->sample_ptrs || !b->locs || !b->loc_ptrs || !b->lines ||
      !b->line_ptrs || !b->funcs || !b->func_ptrs || !b->labels || !b->label_ptrs ||
      !b->stacks || !b->values || !b->fn_keys || !b->fn_ids)
    return -1;

  static const char *const type_names[NVALUES][2] = {{"alloc_objects", "count"},
                                                     {"alloc_space", "bytes"},
                                                     {"inuse_objects", "count"},
                                                     {"inuse_space", "bytes"}};
  if (strtab_get(&b->st, "") != 0) return -1;
  for (int i = 0; i < NVALUES; i++) {
    perftools__profiles__value_type__init(&b->types[i]);
    b->types[i].type = strtab_get(&b->st, type_names[i][0]);
    b->types[i].unit = strtab_get(&b->st, type_names[i][1]);
    b->type_ptrs[i] = &b->types[i];
  }
  perftools__profiles__value_type__init(&b->period_type);
  b->period_type.type = strtab_get(&b->st, "space");
  b->period_type.unit = strtab_get(&b->st, "bytes");
  int64_t key_kind = strtab_get(&b->st, "kind"), key_type = strtab_get(&b->st, "type");
  int64_t key_var = strtab_get(&b->st, "variable");
  char text[2304];
  int len = snprintf(text, sizeof text, "memscope trace %s of %s (pid %llu)", trace,
                     m->program && m->program[0] ? m->program : "?", (unsigned long long)m->pid);
  if (memscope_model_estimated(m) && len > 0 && (size_t)len < sizeof text) {
    snprintf(text + len, sizeof text - (size_t)len,
             "; values are estimates from sampled events (%s, %llu samples)",
             m->sample_mode[0] ? m->sample_mode : "sampling", (unsigned long long)m->samples);
  }
  b->comment = strtab_get(&b->st, text);
  perftools__profiles__mapping__init(&b->mapping);
  b->mapping.id = 1;
  b->mapping.memory_start = 1;
  b->mapping.memory_limit = 2 * ns + 1;
  b->mapping.filename = strtab_get(&b->st, m->program && m->program[0] ? m->program : "?");
  b->mapping.has_functions = b->mapping.has_filenames = b->mapping.has_line_numbers = 1;
  b->mapping_ptr = &b->mapping;
  if (b->comment < 0 || b->mapping.filename < 0 || key_kind < 0 || key_type < 0 || key_var < 0)
    return -1;

  size_t n = 0, nl = 0;
  char file[512], func[512], label[1024];
  for (uint32_t i = 0; i < m->nsites; i++) {
    const memscope_msite *s = &m->sites[i];
    if (s->allocs == 0 && s->live == 0) continue;
    if (!_memscope_export_keep(o, s)) continue;
    _memscope_export_frames(s, file, sizeof file, func, sizeof func, label, sizeof label);
    if (!strcmp(func, "(file scope)")) /* pprof readers drop parenthesized parts of names */
      snprintf(func, sizeof func, "file scope");
    snprintf(text, sizeof text, "%s [%s:%s]", func, file, label);
    int64_t fi = strtab_get(&b->st, file), fn = strtab_get(&b->st, func);
    int64_t name = strtab_get(&b->st, text);
    if (fi < 0 || fn < 0 || name < 0) return -1;
    Perftools__Profiles__Sample *smp = &b->samples[n];
    perftools__profiles__sample__init(smp);
    smp->n_location_id = 2;
    smp->location_id = &b->stacks[2 * n];
    smp->location_id[0] = add_frame(b, name, fi, s->line, s->column);
    smp->location_id[1] = function_frame(b, fi, fn);
    smp->n_value = NVALUES;
    smp->value = &b->values[NVALUES * n];
    smp->value[0] = clamp(s->allocs), smp->value[1] = clamp(s->alloc_bytes);
    smp->value[2] = clamp(s->live), smp->value[3] = clamp(s->live_bytes);
    size_t l0 = nl;
    const char *kind = s->defined ? memscope_kind_name(s->kind) : NULL;
    if (add_label(b, &nl, key_kind, kind ? kind : "") ||
        add_label(b, &nl, key_type, s->defined ? s->type_name : "") ||
        add_label(b, &nl, key_var, s->defined ? s->var_name : ""))
      return -1;
    smp->n_label = nl - l0;
    smp->label = &b->label_ptrs[l0];
    b->sample_ptrs[n++] = smp;
  }

  Perftools__Profiles__Profile *p = &b->prof;
  perftools__profiles__profile__init(p);
  p->n_sample_type = NVALUES, p->sample_type = b->type_ptrs;
  p->n_sample = n, p->sample = b->sample_ptrs;
  p->n_mapping = 1, p->mapping = &b->mapping_ptr;
  p->n_location = b->nfuncs, p->location = b->loc_ptrs;
  p->n_function = b->nfuncs, p->function = b->func_ptrs;
  p->time_nanos = clamp(m->start_unix_ns);
  uint64_t dur = memscope_model_duration(m);
  p->duration_nanos = dur > (uint64_t)INT64_MAX / 1000000 ? INT64_MAX : (int64_t)dur * 1000000;
  p->period_type = &b->period_type;
  p->period = 1;
  p->n_comment = 1, p->comment = &b->comment;
  p->default_sample_type = b->types[1].type;
  p->n_string_table = b->st.n, p->string_table = b->st.strs;
  return 0;
}

static void builder_free(builder *b) {
  strtab_free(&b->st);
  free(b->samples), free(b->sample_ptrs), free(b->locs), free(b->loc_ptrs);
  free(b->lines), free(b->line_ptrs), free(b->funcs), free(b->func_ptrs);
  free(b->labels), free(b->label_ptrs), free(b->stacks), free(b->values);
  free(b->fn_keys), free(b->fn_ids);
}

/* Writes 'len' bytes gzipped to 'out'. */
static int write_gzip(FILE *out, const uint8_t *data, size_t len, char *err, size_t errlen) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    snprintf(err, errlen, "zlib: cannot start compression");
    return -1;
  }
  uLong cap = deflateBound(&zs, (uLong)len);
  uint8_t *gz = malloc(cap);
  int rc = -1;
  if (!gz) {
    snprintf(err, errlen, "out of memory");
  } else {
    zs.next_in = (Bytef *)data, zs.avail_in = (uInt)len;
    zs.next_out = gz, zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) snprintf(err, errlen, "zlib: compression failed");
    else if (fwrite(gz, 1, zs.total_out, out) != zs.total_out) snprintf(err, errlen, "write error");
    else rc = 0;
  }
  deflateEnd(&zs);
  free(gz);
  return rc;
}

int memscope_export_pprof(FILE *out, const memscope_model *m, const char *trace, char *err,
                          size_t errlen, const memscope_view_opts *o) {
  builder b;
  memset(&b, 0, sizeof b);
  int rc = build(&b, m, trace, o);
  if (rc) {
    snprintf(err, errlen, "out of memory");
  } else {
    size_t len = perftools__profiles__profile__get_packed_size(&b.prof);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    } else {
      perftools__profiles__profile__pack(&b.prof, buf);
      if (len > UINT32_MAX) {
        snprintf(err, errlen, "the profile is over 4 GiB");
        rc = -1;
      } else {
        rc = write_gzip(out, buf, len, err, errlen);
      }
      free(buf);
    }
  }
  builder_free(&b);
  return rc;
}
