/* fuzz_reader.c: libFuzzer entry point feeding arbitrary bytes to the reader and the model. */
#include "model.h"
#include "reader.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  memscope_model m;
  memscope_read_result res;
  if (memscope_model_init(&m)) return 0;
  memscope_read_mem(data, size, "fuzz", memscope_model_callbacks(), &m, &res);
  memscope_model_finish(&m);
  memscope_model_free(&m);
  return 0;
}
