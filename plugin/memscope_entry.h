/* memscope_entry.h: runtime entry points the plugin makes visible to rewritten code (embedded). */
/* This text is appended to the compiler's predefines inside a system-header region. It declares
   no libc identifier and uses only builtin types, so it is valid for C89 to C23 and for C++, and
   it never conflicts with <memscope.h>: every name is reserved and the symbols are bound with
   assembler labels. The layout of struct __memscope_site_abi is memscope_site of ABI version 1. */
#ifndef __MEMSCOPE_ENTRY_DECLS
#define __MEMSCOPE_ENTRY_DECLS 1
#ifdef __cplusplus
extern "C" {
#endif

struct __memscope_site_abi {
  unsigned int __abi;
  unsigned short __kind;
  unsigned short __flags;
  unsigned int __line;
  unsigned int __column;
  const char *__file;
  const char *__function;
  const char *__type_name;
  const char *__sizeof_type;
  const char *__var_name;
  unsigned long long __elem_size;
};

#define __MEMSCOPE_STR2(x) #x
#define __MEMSCOPE_STR(x) __MEMSCOPE_STR2(x)
#define __MEMSCOPE_SYM(name) __asm__(__MEMSCOPE_STR(__USER_LABEL_PREFIX__) #name)

/* The out-of-line entry points of the runtime. */
void *__memscope_malloc_x(__SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_malloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(1)));
void *__memscope_calloc_x(__SIZE_TYPE__, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_calloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(1, 2)));
void *__memscope_realloc_x(void *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_realloc) __attribute__((__nothrow__, __alloc_size__(2)));
void __memscope_free_x(void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_free) __attribute__((__nothrow__));
char *__memscope_strdup_x(const char *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_strdup) __attribute__((__nothrow__, __malloc__));
char *__memscope_strndup_x(const char *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_strndup) __attribute__((__nothrow__, __malloc__));
void *__memscope_aligned_alloc(__SIZE_TYPE__, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_aligned_alloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(2)));
int __memscope_posix_memalign(void **, __SIZE_TYPE__, __SIZE_TYPE__,
                              const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_posix_memalign) __attribute__((__nothrow__));
void *__memscope_reallocarray(void *, __SIZE_TYPE__, __SIZE_TYPE__,
                              const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_reallocarray) __attribute__((__nothrow__, __alloc_size__(2, 3)));
const struct __memscope_site_abi *__memscope_wrap_enter_x(const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_enter) __attribute__((__nothrow__));
void __memscope_wrap_leave_x(const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_leave) __attribute__((__nothrow__));
void __memscope_wrap_result_x(void *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_result) __attribute__((__nothrow__));
void __memscope_wrap_free_x(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_free) __attribute__((__nothrow__));
void __memscope_scope_exit_x(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_scope_exit) __attribute__((__nothrow__));
void __memscope_handoff_x(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_handoff) __attribute__((__nothrow__));

void __memscope_sample_hit_x(const void *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_sample_hit) __attribute__((__nothrow__));

/* The runtime state the inline entries below read (memscope.h, "Inline fast path"): the
   recording mode (0 off or paused, 1 every event, 2 bytes sampling, 3 size classes), the
   calling thread's bytes countdown and exit slot, the floor of blocks always sampled, and the
   bitmap filter that says "not sampled" for almost every block that was not. With recording off
   a call costs one predictable branch and goes straight to libc; under bytes sampling, so does
   every call about a block that is not sampled. */
extern volatile int __memscope_mode __MEMSCOPE_SYM(memscope_mode);
struct __memscope_thread_abi {
  long long __countdown;
  const struct __memscope_site_abi *__exit_site;
  const struct __memscope_site_abi *__wrap_site;
  long long __wrap_mark;
};
extern __thread struct __memscope_thread_abi __memscope_thread __MEMSCOPE_SYM(memscope_thread)
    __attribute__((__tls_model__("initial-exec")));
extern unsigned long long __memscope_always __MEMSCOPE_SYM(memscope_sample_always);
extern volatile unsigned int __memscope_filter[] __MEMSCOPE_SYM(memscope_sampled_bits);
#define __MEMSCOPE_INLINE static __inline__ __attribute__((__always_inline__, __unused__, __nothrow__))
/* Recording on: one local function per kind of call and translation unit decides between the
   runtime (full tracking, size classes) and the inline sampled path. A call site stays as small
   as with recording off, which keeps compile time down on allocation-dense code, and under
   bytes sampling a block that is not sampled still never calls into the runtime. */
#define __MEMSCOPE_LOCAL static __attribute__((__noinline__, __unused__, __nothrow__))
/* the filter's bit of p: bit (p >> 4) & 31 of 32-bit word (p >> 9) & 2047 */
#define __MEMSCOPE_SAMPLED_MAYBE(p)                                                              \
  ((__memscope_filter[((__SIZE_TYPE__)(p) >> 9) & 0x7ffu] >> (((__SIZE_TYPE__)(p) >> 4) & 31u)) & 1u)
/* bytes sampling: counts the block down; true when the runtime must see it */
#define __MEMSCOPE_SAMPLE_DUE(p, n, s)                                                           \
  ((p) != 0 && (((s)->__flags & 0x60) != 0 || (n) >= __memscope_always ||                        \
                (__memscope_thread.__countdown -= (long long)(n)) <= 0))

__MEMSCOPE_LOCAL void *__memscope_malloc_on(__SIZE_TYPE__ __n, const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 2) return __memscope_malloc_x(__n, __s);
  void *__p = __builtin_malloc(__n);
  if (__MEMSCOPE_SAMPLE_DUE(__p, __n, __s)) __memscope_sample_hit_x(__p, __n, __s);
  return __p;
}
__MEMSCOPE_LOCAL void *__memscope_calloc_on(__SIZE_TYPE__ __c, __SIZE_TYPE__ __n,
                                            const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 2) return __memscope_calloc_x(__c, __n, __s);
  void *__p = __builtin_calloc(__c, __n);
  if (__MEMSCOPE_SAMPLE_DUE(__p, __c * __n, __s)) __memscope_sample_hit_x(__p, __c * __n, __s);
  return __p;
}
__MEMSCOPE_LOCAL void __memscope_free_on(void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode == 1 || __MEMSCOPE_SAMPLED_MAYBE(__p)) __memscope_free_x(__p, __s);
  else __builtin_free(__p);
}
__MEMSCOPE_LOCAL void __memscope_scope_exit_on(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode == 1 || (__p != 0 && __MEMSCOPE_SAMPLED_MAYBE(__p))) __memscope_scope_exit_x(__p, __s);
}
__MEMSCOPE_LOCAL void __memscope_handoff_on(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode == 1 || (__p != 0 && __MEMSCOPE_SAMPLED_MAYBE(__p))) __memscope_handoff_x(__p, __s);
}
/* Allocator wrappers under bytes sampling: the outermost wrapper's site and the countdown at its
   start go to the thread's slots, read by the runtime when a block inside is sampled; the
   wrapper's result is counted down unless a tracked allocation inside already was. The token is
   null for the call that must clear the slot. */
__MEMSCOPE_LOCAL const struct __memscope_site_abi *
__memscope_wrap_enter_on(const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 2) return __memscope_wrap_enter_x(__s);
  const struct __memscope_site_abi *__outer = __memscope_thread.__wrap_site;
  if (__outer == 0) {
    __memscope_thread.__wrap_site = __s;
    __memscope_thread.__wrap_mark = __memscope_thread.__countdown;
  }
  return __outer;
}
__MEMSCOPE_LOCAL void __memscope_wrap_leave_on(const struct __memscope_site_abi *__token) {
  if (__memscope_mode == 1 || __memscope_mode == 3) __memscope_wrap_leave_x(__token);
  else __memscope_thread.__wrap_site = 0;
}
__MEMSCOPE_LOCAL void __memscope_wrap_result_on(void *__p, __SIZE_TYPE__ __n,
                                                const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 2) __memscope_wrap_result_x(__p, __n, __s);
  else if (__memscope_thread.__countdown == __memscope_thread.__wrap_mark &&
           __MEMSCOPE_SAMPLE_DUE(__p, __n, __s))
    __memscope_sample_hit_x(__p, __n, __s);
}
__MEMSCOPE_LOCAL void __memscope_wrap_free_on(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode == 1 || (__p != 0 && __MEMSCOPE_SAMPLED_MAYBE(__p))) __memscope_wrap_free_x(__p, __s);
}

__MEMSCOPE_INLINE void *__memscope_malloc(__SIZE_TYPE__ __n, const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_malloc_on(__n, __s) : __builtin_malloc(__n);
}
__MEMSCOPE_INLINE void *__memscope_calloc(__SIZE_TYPE__ __c, __SIZE_TYPE__ __n,
                                          const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_calloc_on(__c, __n, __s) : __builtin_calloc(__c, __n);
}
__MEMSCOPE_INLINE void *__memscope_realloc(void *__p, __SIZE_TYPE__ __n,
                                           const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_realloc_x(__p, __n, __s) : __builtin_realloc(__p, __n);
}
__MEMSCOPE_INLINE void __memscope_free(void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_free_on(__p, __s);
  else __builtin_free(__p);
}
__MEMSCOPE_INLINE char *__memscope_strdup(const char *__p, const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_strdup_x(__p, __s) : __builtin_strdup(__p);
}
__MEMSCOPE_INLINE char *__memscope_strndup(const char *__p, __SIZE_TYPE__ __n,
                                           const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_strndup_x(__p, __n, __s) : __builtin_strndup(__p, __n);
}
__MEMSCOPE_INLINE void __memscope_scope_exit(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_scope_exit_on(__p, __s);
}
__MEMSCOPE_INLINE void __memscope_set_exit(const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_thread.__exit_site = __s;
}
__MEMSCOPE_INLINE void __memscope_handoff(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_handoff_on(__p, __s);
}
/* With recording off a wrapper's token is its own site: nothing to clear when it returns. */
__MEMSCOPE_INLINE const struct __memscope_site_abi *
__memscope_wrap_enter(const struct __memscope_site_abi *__s) {
  return __memscope_mode != 0 ? __memscope_wrap_enter_on(__s) : __s;
}
__MEMSCOPE_INLINE void __memscope_wrap_leave(const struct __memscope_site_abi *__token) {
  if (__token == 0) __memscope_wrap_leave_on(__token);
}
__MEMSCOPE_INLINE void __memscope_wrap_result(void *__p, __SIZE_TYPE__ __n,
                                              const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_wrap_result_on(__p, __n, __s);
}
__MEMSCOPE_INLINE void __memscope_wrap_free(const void *__p, const struct __memscope_site_abi *__s) {
  if (__memscope_mode != 0) __memscope_wrap_free_on(__p, __s);
}
#undef __MEMSCOPE_SAMPLE_DUE
#undef __MEMSCOPE_SAMPLED_MAYBE
#undef __MEMSCOPE_INLINE
#undef __MEMSCOPE_LOCAL

#undef __MEMSCOPE_SYM
#undef __MEMSCOPE_STR
#undef __MEMSCOPE_STR2
#ifdef __cplusplus
}
#endif
#endif
