/* idle.c: end-to-end program that records, idles, records again: the writer thread must doze while nothing is recorded and the events keep their true times. */
#include "memscope.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const memscope_site BEFORE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 10, 5,
                                     "idle.c", "before", "char", "", "a", 0};
static const memscope_site AFTER = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_MALLOC, 0, 20, 5,
                                    "idle.c", "after", "char", "", "b", 0};
static const memscope_site RELEASE = {MEMSCOPE_ABI_VERSION, MEMSCOPE_KIND_FREE, 0, 30, 5,
                                      "idle.c", "main", "", "", "", 0};

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* The voluntary context switches of the thread named "memscope-writer": one per wake-up. */
static long writer_wakeups(void) {
  DIR *dir = opendir("/proc/self/task");
  if (dir == NULL) return -1;
  long n = -1;
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    char path[300], line[128];
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    if (f == NULL) continue;
    int writer = fgets(line, sizeof line, f) != NULL && strcmp(line, "memscope-writer\n") == 0;
    fclose(f);
    if (!writer) continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
    if ((f = fopen(path, "r")) == NULL) continue;
    while (fgets(line, sizeof line, f) != NULL) {
      if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1) break;
    }
    fclose(f);
  }
  closedir(dir);
  return n;
}

int main(void) {
  void *a = memscope_malloc(100, &BEFORE);
  sleep_ms(50); /* the writer keeps ticking for a while after the last event */
  long start = writer_wakeups();
  sleep_ms(500);
  long idle = writer_wakeups() - start;
  void *b = memscope_malloc(200, &AFTER);
  memscope_free(a, &RELEASE);
  memscope_free(b, &RELEASE);
  printf("writer wake-ups while idle for 500 ms: %ld\n", start < 0 ? -1 : idle);
  return 0;
}
