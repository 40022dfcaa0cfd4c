# targets.cmake: the adoption example's targets, instrumented with target_memscope(); shared by the find_package and add_subdirectory projects.
set(EXAMPLE_DIR ${CMAKE_CURRENT_LIST_DIR})

# A static library of allocator wrappers, instrumented on its own.
add_library(xalloc STATIC ${EXAMPLE_DIR}/xalloc.c)
target_include_directories(xalloc PUBLIC ${EXAMPLE_DIR})
target_memscope(xalloc)

# A library that is linked in but not instrumented.
add_library(plain STATIC ${EXAMPLE_DIR}/vendor.c)

# The program: its wrapper calls are named after their call sites, vendor.c is left alone.
add_executable(app ${EXAMPLE_DIR}/app.c ${EXAMPLE_DIR}/vendor.c)
target_link_libraries(app xalloc)
target_memscope(app EXCLUDE "(^|/)vendor\\.c$" ALLOC "xmalloc:size=1" FREE "xfree:ptr=1")

# The same program with a default sampling mode and no scope-exit tracking.
add_executable(app_sampled ${EXAMPLE_DIR}/app.c ${EXAMPLE_DIR}/vendor.c)
target_link_libraries(app_sampled PRIVATE xalloc)
target_memscope(app_sampled SAMPLE bytes:4K EXCLUDE "(^|/)vendor\\.c$" NO_LIFETIMES)
