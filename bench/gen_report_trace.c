/* gen_report_trace.c: streams a large synthetic memscope trace to a file, for timing the reader:
   N events (allocs, frees, some reallocs) from 64 sites in 8 files over 4 threads, a working set
   of live blocks per thread, the clock moving every few thousand events. */
#include <msgpack.h>
#include <msgpack/fbuffer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define SITES 64         /* allocation sites; site SITES + 1 is the free site */
#define WORKING_SET 8192 /* live blocks per thread */
#define PER_RECORD 4096  /* events per EVENTS record */

static void pack_str(msgpack_packer *pk, const char *s) {
  size_t n = strlen(s);
  msgpack_pack_str(pk, n);
  msgpack_pack_str_body(pk, s, n);
}

typedef struct thread_state {
  uint64_t slot_ptr[WORKING_SET]; /* 0 = empty */
  uint32_t slot_site[WORKING_SET];
  uint64_t next_ptr, rng, t;
} thread_state;

static uint64_t rnd(thread_state *s) {
  s->rng ^= s->rng << 13, s->rng ^= s->rng >> 7, s->rng ^= s->rng << 17;
  return s->rng;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen_report_trace OUT EVENTS\n");
    return 1;
  }
  FILE *f = fopen(argv[1], "wb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  uint64_t total = strtoull(argv[2], NULL, 10);
  msgpack_packer pk;
  msgpack_packer_init(&pk, f, msgpack_fbuffer_write);
  msgpack_sbuffer ev;
  msgpack_sbuffer_init(&ev);
  msgpack_packer epk;
  msgpack_packer_init(&epk, &ev, msgpack_sbuffer_write);

  msgpack_pack_array(&pk, 4);
  pack_str(&pk, "memscope");
  msgpack_pack_uint64(&pk, 1);
  msgpack_pack_uint64(&pk, 0);
  msgpack_pack_map(&pk, 5);
  pack_str(&pk, "pid"), msgpack_pack_uint64(&pk, 1000);
  pack_str(&pk, "program"), pack_str(&pk, "bench");
  pack_str(&pk, "clock"), pack_str(&pk, "ms");
  pack_str(&pk, "start_unix_ns"), msgpack_pack_uint64(&pk, 1700000000000000000ull);
  pack_str(&pk, "abi"), msgpack_pack_uint64(&pk, 1);
  static const char *const types[] = {"struct node", "char", "int", "struct entry",
                                      "double", "struct buf", "uint8_t", "struct list"};
  char file[64], func[64], var[64];
  for (unsigned i = 1; i <= SITES + 1; i++) {
    int is_free = i == SITES + 1;
    snprintf(file, sizeof file, "src/module%u.c", i % 8);
    snprintf(func, sizeof func, is_free ? "release" : "make_%u", i);
    snprintf(var, sizeof var, is_free ? "" : "v%u", i);
    msgpack_pack_array(&pk, 12);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint64(&pk, i);
    msgpack_pack_uint64(&pk, is_free ? 4 : (i % 5 == 0 ? 3 : 1)); /* free, realloc, malloc */
    msgpack_pack_uint64(&pk, 0);
    pack_str(&pk, file);
    msgpack_pack_uint64(&pk, 10 + i * 7);
    msgpack_pack_uint64(&pk, 5 + i % 30);
    pack_str(&pk, func);
    pack_str(&pk, is_free ? "" : types[i % 8]);
    pack_str(&pk, is_free ? "" : types[i % 8]);
    pack_str(&pk, var);
    msgpack_pack_uint64(&pk, is_free ? 0 : 8);
  }
  thread_state *ts = calloc(THREADS, sizeof *ts);
  if (!ts) return 1;
  for (unsigned k = 0; k < THREADS; k++) {
    ts[k].rng = 0x9e3779b97f4a7c15ull * (k + 1);
    ts[k].next_ptr = 0x10000000ull * (k + 1);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 2);
    msgpack_pack_uint64(&pk, k + 1);
    msgpack_pack_uint64(&pk, 1000 + k);
    pack_str(&pk, "worker");
  }
  uint64_t done = 0, allocs = 0, frees = 0, bytes = 0, records = 0;
  while (done < total) {
    unsigned k = (unsigned)(records % THREADS);
    thread_state *s = &ts[k];
    msgpack_sbuffer_clear(&ev);
    uint64_t nints = 0, nev = 0, prev = 0;
    s->t += 1; /* one ms per record of this thread */
    msgpack_pack_uint64(&epk, 1ull << 3 | 0), nints++; /* TIME +1 */
    for (; nev < PER_RECORD && done < total; nev++, done++) {
      uint64_t r = rnd(s);
      unsigned slot = (unsigned)(r % WORKING_SET);
      if (s->slot_ptr[slot]) { /* free it, or grow it by realloc */
        uint64_t p = s->slot_ptr[slot];
        if (s->slot_site[slot] % 5 == 0 && (r >> 20) % 4 == 0) {
          uint64_t np = s->next_ptr += 64, size = 16 + (r >> 32) % 512;
          msgpack_pack_uint64(&epk, (uint64_t)s->slot_site[slot] << 3 | 3);
          msgpack_pack_int64(&epk, (int64_t)(p - prev)), prev = p;
          msgpack_pack_int64(&epk, (int64_t)(np - prev)), prev = np;
          msgpack_pack_uint64(&epk, size);
          nints += 4, allocs++, frees++, bytes += size;
          s->slot_ptr[slot] = np;
        } else {
          msgpack_pack_uint64(&epk, (uint64_t)(SITES + 1) << 3 | 2);
          msgpack_pack_int64(&epk, (int64_t)(p - prev)), prev = p;
          nints += 2, frees++;
          s->slot_ptr[slot] = 0;
        }
      } else {
        uint32_t site = 1 + (uint32_t)((r >> 16) % SITES);
        uint64_t p = s->next_ptr += 64, size = 8 + (r >> 40) % 256;
        msgpack_pack_uint64(&epk, (uint64_t)site << 3 | 1);
        msgpack_pack_int64(&epk, (int64_t)(p - prev)), prev = p;
        msgpack_pack_uint64(&epk, size);
        nints += 3, allocs++, bytes += size;
        s->slot_ptr[slot] = p, s->slot_site[slot] = site;
      }
    }
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 3);
    msgpack_pack_uint64(&pk, k + 1);
    msgpack_pack_uint64(&pk, s->t - 1);
    msgpack_pack_uint64(&pk, nev);
    msgpack_pack_array(&pk, nints);
    fwrite(ev.data, 1, ev.size, f);
    records++;
  }
  uint64_t dur = 0;
  for (unsigned k = 0; k < THREADS; k++) dur = ts[k].t > dur ? ts[k].t : dur;
  static const char *const keys[] = {"events_seen", "events_recorded", "events_dropped",
                                     "buffers_flushed", "threads", "alloc_count", "free_count",
                                     "alloc_bytes", "duration_ms"};
  uint64_t vals[] = {total, total, 0, records, THREADS, allocs, frees, bytes, dur};
  msgpack_pack_array(&pk, 2);
  msgpack_pack_uint8(&pk, 4);
  msgpack_pack_map(&pk, 10);
  for (unsigned i = 0; i < 9; i++) pack_str(&pk, keys[i]), msgpack_pack_uint64(&pk, vals[i]);
  pack_str(&pk, "error"), msgpack_pack_int32(&pk, 0);
  msgpack_sbuffer_destroy(&ev);
  free(ts);
  if (fclose(f)) {
    perror(argv[1]);
    return 1;
  }
  printf("%llu events (%llu allocs incl. reallocs, %llu frees), %llu records\n",
         (unsigned long long)total, (unsigned long long)allocs, (unsigned long long)frees,
         (unsigned long long)records);
  return 0;
}
