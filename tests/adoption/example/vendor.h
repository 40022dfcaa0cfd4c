/* vendor.h: a third-party part of the example, kept out of the trace with EXCLUDE. */
#ifndef EXAMPLE_VENDOR_H
#define EXAMPLE_VENDOR_H

char *vendor_banner(void);

#endif
