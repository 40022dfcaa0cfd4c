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

void *__memscope_malloc(__SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_malloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(1)));
void *__memscope_calloc(__SIZE_TYPE__, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_calloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(1, 2)));
void *__memscope_realloc(void *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_realloc) __attribute__((__nothrow__, __alloc_size__(2)));
void __memscope_free(void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_free) __attribute__((__nothrow__));
char *__memscope_strdup(const char *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_strdup) __attribute__((__nothrow__, __malloc__));
char *__memscope_strndup(const char *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_strndup) __attribute__((__nothrow__, __malloc__));
void *__memscope_aligned_alloc(__SIZE_TYPE__, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_aligned_alloc) __attribute__((__nothrow__, __malloc__, __alloc_size__(2)));
int __memscope_posix_memalign(void **, __SIZE_TYPE__, __SIZE_TYPE__,
                              const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_posix_memalign) __attribute__((__nothrow__));
void *__memscope_reallocarray(void *, __SIZE_TYPE__, __SIZE_TYPE__,
                              const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_reallocarray) __attribute__((__nothrow__, __alloc_size__(2, 3)));
const struct __memscope_site_abi *__memscope_wrap_enter(const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_enter) __attribute__((__nothrow__));
void __memscope_wrap_leave(const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_leave) __attribute__((__nothrow__));
void __memscope_wrap_result(void *, __SIZE_TYPE__, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_result) __attribute__((__nothrow__));
void __memscope_wrap_free(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_wrap_free) __attribute__((__nothrow__));
void __memscope_scope_exit(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_scope_exit) __attribute__((__nothrow__));
void __memscope_set_exit(const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_set_exit) __attribute__((__nothrow__));
void __memscope_handoff(const void *, const struct __memscope_site_abi *)
    __MEMSCOPE_SYM(memscope_handoff) __attribute__((__nothrow__));

#undef __MEMSCOPE_SYM
#undef __MEMSCOPE_STR
#undef __MEMSCOPE_STR2
#ifdef __cplusplus
}
#endif
#endif
