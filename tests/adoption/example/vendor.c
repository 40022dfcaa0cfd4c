/* vendor.c: a third-party part of the example whose allocations are excluded from the trace. */
#include "vendor.h"

#include <stdlib.h>
#include <string.h>

char *vendor_banner(void) {
  char *banner = malloc(100); /* never freed, and never recorded */
  strcpy(banner, "vendor");
  return banner;
}
