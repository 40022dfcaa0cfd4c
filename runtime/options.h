/* options.h: the runtime's options, defined once; env parsing, MEMSCOPE_HELP and docs derive from it. */
#ifndef MEMSCOPE_OPTIONS_H
#define MEMSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* MEMSCOPE_FLAG(type, name, default, help): read from the environment variable
   MEMSCOPE_<NAME in upper case>. Types: bool (1/0, on/off, yes/no, true/false), size (a
   decimal number), str. MEMSCOPE=off is a short form of MEMSCOPE_ENABLE=0. */
#define MEMSCOPE_FLAGS(MEMSCOPE_FLAG)                                                           \
  MEMSCOPE_FLAG(bool, enable, true,                                                             \
                "Record events. 0/off makes an instrumented program behave as a plain one "     \
                "(MEMSCOPE=off is the same).")                                                  \
  MEMSCOPE_FLAG(str, out, "memscope.%e.%p.msgpack",                                             \
                "Trace path. %p = process id, %e = program name, %% = a literal %.")            \
  MEMSCOPE_FLAG(str, sample, "all",                                                             \
                "What to record: all, bytes:MEAN (Poisson byte sampling, e.g. bytes:512K), "    \
                "size[:MIN=RATE,...,every=N] (size classes), auto:EVENTS_PER_SEC.")             \
  MEMSCOPE_FLAG(size, sample_always, 0,                                                         \
                "When sampling, always record blocks of at least this many bytes (0 = off).")   \
  MEMSCOPE_FLAG(size, sample_seed, 0,                                                           \
                "Seed of the sampling decisions (0 = from the clock and pid).")                 \
  MEMSCOPE_FLAG(str, compress, "off",                                                           \
                "Compress the trace after its header with zstd: off, zstd (level 1) or "        \
                "zstd:LEVEL (-7 fastest to 19 smallest); memscope-report reads either.")       \
  MEMSCOPE_FLAG(size, buffer_kb, 64,                                                            \
                "Per-thread event buffer in KiB (32 bytes per event, 4 to 65536).")             \
  MEMSCOPE_FLAG(bool, writer_thread, true,                                                      \
                "Encode and write the trace in a background thread that also keeps the 1 ms "   \
                "clock; 0 writes from the thread whose buffer filled, stamping time per buffer.")\
  MEMSCOPE_FLAG(bool, stats, false,                                                             \
                "Keep a table of live blocks so memscope_get_stats() has block and byte "       \
                "figures (current, peak, counts); costs the writer a table update per event. "  \
                "On whenever MEMSCOPE_SUMMARY is.")                                             \
  MEMSCOPE_FLAG(bool, start, true,                                                              \
                "Record from start-up; 0 starts paused until memscope_start() or the signal.")   \
  MEMSCOPE_FLAG(str, signal, "",                                                                \
                "A signal (e.g. USR2) that pauses and resumes recording, marking each switch in " \
                "the trace; empty = none.")                                                     \
  MEMSCOPE_FLAG(bool, summary, false,                                                           \
                "Print a one-line summary of the trace on stderr at exit.")                     \
  MEMSCOPE_FLAG(bool, verbose, false, "Print runtime diagnostics on stderr.")                  \
  MEMSCOPE_FLAG(bool, help, false, "Print this option list on stderr at start-up.")

#define MEMSCOPE_OPT_bool bool
#define MEMSCOPE_OPT_size size_t
#define MEMSCOPE_OPT_str const char *

typedef struct _memscope_options_s {
#define MEMSCOPE_FLAG_FIELD(type, name, dflt, help) MEMSCOPE_OPT_##type name;
  MEMSCOPE_FLAGS(MEMSCOPE_FLAG_FIELD)
#undef MEMSCOPE_FLAG_FIELD
} _memscope_options_t;

extern _memscope_options_t _memscope_options __attribute__((visibility("hidden")));

#endif /* MEMSCOPE_OPTIONS_H */
