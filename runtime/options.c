/* options.c: parses MEMSCOPE_* environment variables against the option table in options.h. */
#include "internal.h"
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

/* The program's own default of MEMSCOPE_SAMPLE: target_memscope(SAMPLE) compiles a definition
   into the executable (cmake/MemScope.cmake); the environment still overrides it. */
extern const char memscope_default_sample[] __attribute__((weak, visibility("default")));

_memscope_options_t _memscope_options = {
#define MEMSCOPE_FLAG_DEFAULT(type, name, dflt, help) .name = dflt,
    MEMSCOPE_FLAGS(MEMSCOPE_FLAG_DEFAULT)
#undef MEMSCOPE_FLAG_DEFAULT
};

typedef enum { OPT_BOOL, OPT_SIZE, OPT_STR } opt_type_t;
#define MEMSCOPE_OPT_TYPE_bool OPT_BOOL
#define MEMSCOPE_OPT_TYPE_size OPT_SIZE
#define MEMSCOPE_OPT_TYPE_str OPT_STR

typedef struct {
  const char *name;
  opt_type_t type;
  void *value;
  const char *dflt;
  const char *help;
} opt_desc_t;

static const opt_desc_t opt_table[] = {
#define MEMSCOPE_FLAG_DESC(type, name, dflt, help) \
  {#name, MEMSCOPE_OPT_TYPE_##type, &_memscope_options.name, #dflt, help},
    MEMSCOPE_FLAGS(MEMSCOPE_FLAG_DESC)
#undef MEMSCOPE_FLAG_DESC
};
#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

/* "MEMSCOPE_BUFFER_KB" <-> "buffer_kb"; returns true when env_name (up to '=') names opt. */
static bool env_matches(const char *env, size_t len, const char *opt) {
  const char *prefix = "MEMSCOPE_";
  size_t plen = strlen(prefix);
  if (len != plen + strlen(opt) || strncmp(env, prefix, plen) != 0) return false;
  for (size_t i = 0; opt[i]; i++) {
    if (env[plen + i] != (char)toupper((unsigned char)opt[i])) return false;
  }
  return true;
}

static int parse_bool(const char *s, bool *out) {
  static const char *yes[] = {"1", "on", "yes", "true"};
  static const char *no[] = {"0", "off", "no", "false"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) { *out = true; return 0; }
    if (strcasecmp(s, no[i]) == 0) { *out = false; return 0; }
  }
  return MEMSCOPE_ERR_ARG;
}

static int parse_size(const char *s, size_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-') return MEMSCOPE_ERR_ARG;
  *out = (size_t)v;
  return 0;
}

static int set_option(const opt_desc_t *d, const char *value) {
  switch (d->type) {
  case OPT_BOOL: return parse_bool(value, (bool *)d->value);
  case OPT_SIZE: return parse_size(value, (size_t *)d->value);
  case OPT_STR: *(const char **)d->value = value; return 0;
  }
  return MEMSCOPE_ERR_ARG;
}

/* Reads every MEMSCOPE* variable. Bad values and unknown names get one line each on stderr and
   leave the default in place. Returns the number of problems found. */
int _memscope_options_load(void) {
  int problems = 0;
  if (memscope_default_sample != NULL && memscope_default_sample[0] != '\0')
    _memscope_options.sample = memscope_default_sample;
  for (char **e = environ; e != NULL && *e != NULL; e++) {
    const char *env = *e;
    if (strncmp(env, "MEMSCOPE", 8) != 0) continue;
    const char *eq = strchr(env, '=');
    if (eq == NULL) continue;
    size_t len = (size_t)(eq - env);
    const char *value = eq + 1;
    if (len == 8) { /* MEMSCOPE=off */
      bool on = true;
      if (parse_bool(value, &on) == 0) {
        _memscope_options.enable = on && _memscope_options.enable;
      } else {
        fprintf(stderr, "memscope: MEMSCOPE=%s: expected on or off\n", value);
        problems++;
      }
      continue;
    }
    const opt_desc_t *found = NULL;
    for (size_t i = 0; i < OPT_COUNT; i++) {
      if (env_matches(env, len, opt_table[i].name)) { found = &opt_table[i]; break; }
    }
    if (found == NULL) {
      fprintf(stderr, "memscope: unknown option %.*s (MEMSCOPE_HELP=1 lists them)\n", (int)len,
              env);
      problems++;
    } else if (set_option(found, value) != 0) {
      fprintf(stderr, "memscope: %.*s=%s: expected %s; using the default %s\n", (int)len, env,
              value, found->type == OPT_BOOL ? "0 or 1" : "a number", found->dflt);
      problems++;
    }
  }
  if (_memscope_options.buffer_kb < 4) _memscope_options.buffer_kb = 4;
  if (_memscope_options.buffer_kb > 65536) _memscope_options.buffer_kb = 65536;
  if (_memscope_options.help) _memscope_options_print(stderr);
  return problems;
}

/* Prints the option table as Markdown; docs/usage.md carries the same table. */
void _memscope_options_print(FILE *out) {
  fprintf(out, "| variable | default | meaning |\n|---|---|---|\n");
  for (size_t i = 0; i < OPT_COUNT; i++) {
    fprintf(out, "| `MEMSCOPE_");
    for (const char *c = opt_table[i].name; *c; c++) fputc(toupper((unsigned char)*c), out);
    const char *d = opt_table[i].dflt;
    int len = (int)strlen(d);
    if (opt_table[i].type == OPT_BOOL) d = strcmp(d, "true") == 0 ? "on" : "off", len = (int)strlen(d);
    if (opt_table[i].type == OPT_STR && len >= 2 && d[0] == '"') d++, len -= 2; /* unquote */
    fprintf(out, "` | `%.*s` | %s |\n", len, d, opt_table[i].help);
  }
}

/* Writes every option as name -> string into the trace header through the callback. */
int _memscope_options_each(int (*fn)(void *ctx, const char *name, const char *value), void *ctx) {
  char buf[32];
  for (size_t i = 0; i < OPT_COUNT; i++) {
    const opt_desc_t *d = &opt_table[i];
    const char *v = buf;
    switch (d->type) {
    case OPT_BOOL: v = *(bool *)d->value ? "1" : "0"; break;
    case OPT_SIZE: snprintf(buf, sizeof buf, "%zu", *(size_t *)d->value); break;
    case OPT_STR: v = *(const char **)d->value; break;
    }
    int rc = fn(ctx, d->name, v);
    if (rc != 0) return rc;
  }
  return 0;
}

size_t _memscope_options_count(void) { return OPT_COUNT; }
