/* gen_export_trace.c: writes the trace of export_trace.h to a file, whole or cut to N bytes. */
#include <stdlib.h>

#include "export_trace.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gen_export_trace OUT [CUT]\n");
    return 1;
  }
  tb b;
  export_trace(&b);
  size_t len = argc > 2 ? strtoull(argv[2], NULL, 10) : b.sb.size;
  int rc = tb_write(&b, argv[1], len);
  tb_destroy(&b);
  return rc ? 1 : 0;
}
