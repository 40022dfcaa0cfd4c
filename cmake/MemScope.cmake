# MemScope.cmake: target_memscope(), which compiles one target with the memscope plugin and links the runtime.
#[=======================================================================[.rst:
MemScope
--------

Instruments CMake targets with memscope. The module comes with the ``MemScope`` package
(``find_package(MemScope)``) and with the source tree (``add_subdirectory(memscope)``); both
define the same command and the imported or built target ``memscope::runtime``.

.. command:: target_memscope

  Compiles the C and C++ sources of one target with the memscope compiler plugin and links the
  memscope runtime into it::

    target_memscope(<target>
                    [SAMPLE <mode>]
                    [EXCLUDE <regex>...]
                    [ALLOC <spec>...]
                    [FREE <spec>...]
                    [NO_LIFETIMES])

  ``<target>``
    An executable, shared, module, static or object library defined in this project. Only its
    own sources are instrumented: the plugin flags go to its ``COMPILE_OPTIONS`` (private), for
    the C and C++ compilers separately, so other targets and the targets linking it compile
    as before.

  ``SAMPLE <mode>``
    The default sampling mode of the program: ``all``, ``bytes:MEAN`` (e.g. ``bytes:512K``),
    ``size[:MIN=RATE,...,every=N]`` or ``auto:EVENTS_PER_SEC``. Executables only. The mode is
    stored in the target property ``MEMSCOPE_SAMPLE`` and compiled into the program by a
    generated source that defines ``const char memscope_default_sample[]``; the runtime takes
    it as the default of ``MEMSCOPE_SAMPLE`` at start-up, so ``MEMSCOPE_SAMPLE=...`` in the
    environment still wins.

  ``EXCLUDE <regex>...``
    Files (as the compiler sees their names) whose allocation calls stay untouched, as
    extended regular expressions: ``-fplugin-arg-memscope-exclude=<regex>`` each.

  ``ALLOC <spec>...``
    Allocator wrappers to record as allocations, ``NAME:size=ARGNO[,count=ARGNO]``
    (``xmalloc:size=1``, ``xcalloc:count=1,size=2``): ``-fplugin-arg-memscope-alloc=<spec>``.

  ``FREE <spec>...``
    Deallocator wrappers, ``NAME:ptr=ARGNO`` (``xfree:ptr=1``):
    ``-fplugin-arg-memscope-free=<spec>``.

  ``NO_LIFETIMES``
    No scope-exit tracking of local pointer variables (``-fplugin-arg-memscope-lifetimes=off``):
    leaks are still found, without the line where their last owner went out of scope.

  The runtime ``memscope::runtime`` (libmemscope, shared) is linked into the target, and for
  static and object libraries into the targets that link them. The target property
  ``MEMSCOPE_INSTRUMENTED`` lists the instrumented languages; one call per target.

  The plugin must match the major version of the compiler: a target compiled by clang 16 needs
  ``memscope-clang16.so``. The command stops configuration with an error naming the packages to
  install when the compiler is not Clang or when memscope has no plugin for its major version.
  With ``add_subdirectory`` the plugin built in the same tree is used and built first.

  Example::

    find_package(MemScope REQUIRED)
    add_executable(app main.c util.c)
    target_memscope(app EXCLUDE "/third_party/" ALLOC "xmalloc:size=1" FREE "xfree:ptr=1")

#]=======================================================================]

include_guard(GLOBAL)

# In memscope's own build tree (add_subdirectory): register the plugins built here.
if(TARGET memscope_shared)
  set(_memscope_majors "")
  foreach(_memscope_major ${MEMSCOPE_PLUGIN_MAJORS})
    if(TARGET memscope_clang${_memscope_major})
      list(APPEND _memscope_majors ${_memscope_major})
      set_property(GLOBAL PROPERTY MEMSCOPE_PLUGIN_${_memscope_major}
        "$<TARGET_FILE:memscope_clang${_memscope_major}>")
      # A utility target: the objects of instrumented targets wait for it (Ninja lets objects
      # compile before the libraries their target depends on are linked).
      add_custom_target(memscope_plugin_ready_${_memscope_major})
      add_dependencies(memscope_plugin_ready_${_memscope_major} memscope_clang${_memscope_major})
      set_property(GLOBAL PROPERTY MEMSCOPE_PLUGIN_TARGET_${_memscope_major}
        memscope_plugin_ready_${_memscope_major})
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY MEMSCOPE_PLUGIN_MAJORS "${_memscope_majors}")
  unset(_memscope_majors)
  unset(_memscope_major)
endif()

# Sets <out_var> to the languages (C, CXX) among the target's current sources.
function(_memscope_source_languages target out_var)
  get_target_property(sources ${target} SOURCES)
  set(langs "")
  foreach(src IN LISTS sources)
    if(src MATCHES "\\.c$")
      list(APPEND langs C)
    elseif(src MATCHES "\\.(cc|cp|cpp|cxx|c\\+\\+|C|CPP)$")
      list(APPEND langs CXX)
    endif()
  endforeach()
  list(REMOVE_DUPLICATES langs)
  set(${out_var} "${langs}" PARENT_SCOPE)
endfunction()

# Sets <out_var> to the plugin path for the compiler of <lang>, or to "" and <why_var> to why not.
function(_memscope_plugin_for lang out_var why_var)
  set(${out_var} "" PARENT_SCOPE)
  set(id "${CMAKE_${lang}_COMPILER_ID}")
  set(version "${CMAKE_${lang}_COMPILER_VERSION}")
  set(compiler "${CMAKE_${lang}_COMPILER}")
  get_property(majors GLOBAL PROPERTY MEMSCOPE_PLUGIN_MAJORS)
  if(majors)
    list(GET majors 0 example)
    list(JOIN majors ", " have)
  else()
    set(example 14)
    set(have "none")
  endif()
  set(driver clang)
  if(lang STREQUAL "CXX")
    set(driver clang++)
  endif()
  if(NOT id STREQUAL "Clang")
    string(CONCAT why
      "the ${lang} compiler ${compiler} is ${id} ${version}, and the memscope plugin loads "
      "only into Clang (memscope has plugins for clang ${have}). Configure this project with "
      "-DCMAKE_${lang}_COMPILER=/usr/lib/llvm-${example}/bin/${driver}, or install another "
      "clang major NN (apt-get install clang-NN libclang-NN-dev llvm-NN-dev) and rebuild "
      "memscope with -DMEMSCOPE_CLANG_MAJORS=NN.")
    set(${why_var} "${why}" PARENT_SCOPE)
    return()
  endif()
  string(REGEX MATCH "^[0-9]+" major "${version}")
  if(major)
    get_property(plugin GLOBAL PROPERTY MEMSCOPE_PLUGIN_${major})
  endif()
  if(NOT plugin)
    string(CONCAT why
      "the ${lang} compiler ${compiler} is clang ${version}, and memscope has no plugin for "
      "clang ${major} (it has plugins for clang ${have}). Install the clang ${major} "
      "development packages (apt-get install clang-${major} libclang-${major}-dev "
      "llvm-${major}-dev) and rebuild memscope with -DMEMSCOPE_CLANG_MAJORS=${major}, or "
      "configure this project with a clang that has a plugin "
      "(-DCMAKE_${lang}_COMPILER=/usr/lib/llvm-${example}/bin/${driver}).")
    set(${why_var} "${why}" PARENT_SCOPE)
    return()
  endif()
  set(${out_var} "${plugin}" PARENT_SCOPE)
  get_property(plugin_target GLOBAL PROPERTY MEMSCOPE_PLUGIN_TARGET_${major})
  set(_memscope_plugin_target "${plugin_target}" PARENT_SCOPE)
endfunction()

# Adds the generated source that makes <mode> the default MEMSCOPE_SAMPLE of an executable.
function(_memscope_default_sample target mode)
  if(NOT mode MATCHES "^(all|bytes:0*[1-9][0-9]*[KkMmGg]?|size(:[A-Za-z0-9.,=]+)?|auto:0*[1-9][0-9]*[KkMmGg]?)$")
    message(FATAL_ERROR "target_memscope(${target}): SAMPLE '${mode}' is not a sampling mode: "
      "expected all, bytes:MEAN (e.g. bytes:512K), size[:MIN=RATE,...,every=N] or "
      "auto:EVENTS_PER_SEC")
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "target_memscope(${target}): SAMPLE applies to executables, and "
      "'${target}' is a ${type}; give SAMPLE to the executable that links it")
  endif()
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set(ext c)
  else()
    set(ext cpp)
  endif()
  get_target_property(bindir ${target} BINARY_DIR)
  set(file "${bindir}/memscope/${target}-sample.${ext}")
  set(MEMSCOPE_TARGET "${target}")
  set(MEMSCOPE_MODE "${mode}")
  file(CONFIGURE OUTPUT "${file}" @ONLY CONTENT [=[
/* @MEMSCOPE_TARGET@-sample: the default sampling mode of @MEMSCOPE_TARGET@, read by the memscope runtime at start-up. */
#ifdef __cplusplus
extern "C" {
#endif
extern const char memscope_default_sample[];
__attribute__((visibility("default"), used)) const char memscope_default_sample[] = "@MEMSCOPE_MODE@";
#ifdef __cplusplus
}
#endif
]=])
  target_sources(${target} PRIVATE "${file}")
endfunction()

function(target_memscope target)
  cmake_parse_arguments(PARSE_ARGV 1 MS "NO_LIFETIMES" "SAMPLE" "EXCLUDE;ALLOC;FREE")
  if(MS_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "target_memscope(${target}): unexpected arguments: "
      "${MS_UNPARSED_ARGUMENTS}; usage: target_memscope(<target> [SAMPLE <mode>] "
      "[EXCLUDE <regex>...] [ALLOC <spec>...] [FREE <spec>...] [NO_LIFETIMES])")
  endif()
  foreach(kw SAMPLE EXCLUDE ALLOC FREE)
    if(kw IN_LIST MS_KEYWORDS_MISSING_VALUES)
      message(FATAL_ERROR "target_memscope(${target}): ${kw} needs a value")
    endif()
  endforeach()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "target_memscope: '${target}' is not a target")
  endif()
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(aliased)
    set(target ${aliased})
  endif()
  get_target_property(imported ${target} IMPORTED)
  get_target_property(type ${target} TYPE)
  if(imported OR NOT type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY|STATIC_LIBRARY|OBJECT_LIBRARY)$")
    if(imported)
      set(type "imported ${type}")
    endif()
    message(FATAL_ERROR "target_memscope(${target}): '${target}' is an ${type}; it must be an "
      "executable or a library built from sources in this project")
  endif()
  get_target_property(done ${target} MEMSCOPE_INSTRUMENTED)
  if(done)
    message(FATAL_ERROR "target_memscope(${target}): '${target}' is instrumented already; give "
      "all options in one call")
  endif()
  if(NOT TARGET memscope::runtime)
    message(FATAL_ERROR "target_memscope(${target}): memscope::runtime is not defined; use "
      "find_package(MemScope) or add_subdirectory() of the memscope source tree first")
  endif()

  foreach(spec IN LISTS MS_ALLOC)
    if(NOT spec MATCHES "^[A-Za-z_][A-Za-z0-9_]*:(size=[0-9]+(,count=[0-9]+)?|count=[0-9]+,size=[0-9]+)$")
      message(FATAL_ERROR "target_memscope(${target}): ALLOC '${spec}': expected "
        "NAME:size=ARGNO[,count=ARGNO], e.g. xmalloc:size=1")
    endif()
  endforeach()
  foreach(spec IN LISTS MS_FREE)
    if(NOT spec MATCHES "^[A-Za-z_][A-Za-z0-9_]*:ptr=[0-9]+$")
      message(FATAL_ERROR "target_memscope(${target}): FREE '${spec}': expected NAME:ptr=ARGNO, "
        "e.g. xfree:ptr=1")
    endif()
  endforeach()
  set(plugin_args "")
  foreach(re IN LISTS MS_EXCLUDE)
    list(APPEND plugin_args "-fplugin-arg-memscope-exclude=${re}")
  endforeach()
  foreach(spec IN LISTS MS_ALLOC)
    list(APPEND plugin_args "-fplugin-arg-memscope-alloc=${spec}")
  endforeach()
  foreach(spec IN LISTS MS_FREE)
    list(APPEND plugin_args "-fplugin-arg-memscope-free=${spec}")
  endforeach()
  if(MS_NO_LIFETIMES)
    list(APPEND plugin_args "-fplugin-arg-memscope-lifetimes=off")
  endif()

  # The languages to instrument: those of the target's sources, or every enabled one of C and
  # C++ when the sources come later. Each of them needs a Clang with a matching plugin.
  get_property(enabled GLOBAL PROPERTY ENABLED_LANGUAGES)
  _memscope_source_languages(${target} needed)
  if(NOT needed)
    foreach(lang C CXX)
      if(lang IN_LIST enabled)
        list(APPEND needed ${lang})
      endif()
    endforeach()
  endif()
  if(NOT needed)
    message(FATAL_ERROR "target_memscope(${target}): neither C nor C++ is enabled in this "
      "project; memscope instruments C and C++ sources")
  endif()
  set(instrumented "")
  foreach(lang C CXX)
    if(NOT lang IN_LIST enabled)
      continue()
    endif()
    set(_memscope_plugin_target "")
    _memscope_plugin_for(${lang} plugin why)
    if(NOT plugin)
      if(lang IN_LIST needed)
        message(FATAL_ERROR "target_memscope(${target}): cannot instrument '${target}': ${why}")
      endif()
      continue()
    endif()
    list(APPEND instrumented ${lang})
    set(flags "-fplugin=${plugin}" ${plugin_args})
    foreach(flag IN LISTS flags)
      target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:${lang}>:${flag}>")
    endforeach()
    if(_memscope_plugin_target)
      add_dependencies(${target} ${_memscope_plugin_target})
    endif()
  endforeach()

  # The runtime. Properties rather than target_link_libraries(), which would clash with either
  # signature the project may already use on the target.
  set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES memscope::runtime)
  if(type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY)$")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES
      "$<LINK_ONLY:memscope::runtime>")
  endif()

  if(DEFINED MS_SAMPLE)
    _memscope_default_sample(${target} "${MS_SAMPLE}")
    set_property(TARGET ${target} PROPERTY MEMSCOPE_SAMPLE "${MS_SAMPLE}")
  endif()
  set_property(TARGET ${target} PROPERTY MEMSCOPE_INSTRUMENTED "${instrumented}")
endfunction()
