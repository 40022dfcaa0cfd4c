// cxx.cpp: plugin fixture: a C++ translation unit calling the C allocators.
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct Buffer {
  char *data;
  std::size_t size;
  explicit Buffer(std::size_t n) : data(static_cast<char *>(std::malloc(n))), size(n) {} /* EXPECT kind=malloc func="Buffer::Buffer" type="char" var="data" flags=FIELD size=32 */
  void grow() {
    size *= 2;
    data = static_cast<char *>(realloc(data, size)); /* EXPECT kind=realloc func="Buffer::grow" type="char" var="data" flags=FIELD size=64 */
  }
  ~Buffer() { free(data); } /* EXPECT kind=free func="Buffer::~Buffer" var="data" flags=FIELD */
};

template <typename T> T *make_array(std::size_t n) {
  return static_cast<T *>(std::calloc(n, sizeof(T))); /* EXPECT kind=calloc func="make_array" type="long" sizeof="long" elem=8 flags=RETURN|COUNTED size=40 */
}

namespace util {
inline double *triple() {
  auto make = [](int n) { return (double *)malloc(n * sizeof(double)); }; /* EXPECT kind=malloc func="util::triple" type="double" sizeof="double" flags=RETURN|COUNTED size=24 */
  return make(3);
}
} // namespace util

static int *table = (int *)malloc(4 * sizeof(int)); /* EXPECT kind=malloc func="" type="int" var="table" flags=COUNTED size=16 */

int main() {
  {
    Buffer b(32);
    std::strcpy(b.data, "c++");
    b.grow();
    std::printf("%s %zu\n", b.data, b.size);
  }
  long *l = make_array<long>(5);
  double *d = util::triple();
  char *s = strdup("dup"); /* EXPECT kind=strdup type="char" var="s" size=4 */
  table[3] = 12;
  d[2] = 0.5;
  std::printf("%ld %g %s %d\n", l[4], d[2], s, table[3]);
  std::free(s); /* EXPECT kind=free var="s" type="char" */
  free(d); /* EXPECT kind=free var="d" type="double" */
  free(l); /* EXPECT kind=free var="l" type="long" */
  free(table); /* EXPECT kind=free var="table" type="int" */
  return 0;
}
