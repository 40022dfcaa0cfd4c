/* export_folded.c: folded stacks (file;function;site bytes) for flame graph tools. */
#include "export.h"

#include <stdlib.h>

int memscope_export_folded(FILE *out, const memscope_model *m, int live,
                           const memscope_view_opts *o) {
  uint32_t *idx;
  size_t n = memscope_sorted_sites(m, 0, live, &idx);
  if (n == 0 && (live ? m->live_blocks : m->allocs) > 0) return -1; /* out of memory */
  char file[512], func[512], label[1024];
  for (size_t i = 0; i < n; i++) {
    const memscope_msite *s = &m->sites[idx[i]];
    uint64_t bytes = live ? s->live_bytes : s->alloc_bytes;
    if (bytes == 0) continue; /* a zero-width frame draws nothing */
    if (!_memscope_export_keep(o, s)) continue;
    _memscope_export_frames(s, file, sizeof file, func, sizeof func, label, sizeof label);
    fprintf(out, "%s;%s;%s %llu\n", file, func, label, (unsigned long long)bytes);
  }
  free(idx);
  return ferror(out) ? -1 : 0;
}
