# install.cmake: install rules of memscope: runtime, header, report tool, plugins, wrappers, pkg-config and CMake package.
include(CMakePackageConfigHelpers)

set(MEMSCOPE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/MemScope)
set(MEMSCOPE_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/memscope)

# Runtime, exported as memscope::runtime (shared) and memscope::runtime_static.
set_target_properties(memscope_shared PROPERTIES EXPORT_NAME runtime)
set_target_properties(memscope_static PROPERTIES EXPORT_NAME runtime_static)
install(TARGETS memscope_shared memscope_static EXPORT MemScopeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/memscope.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS memscope-report RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS
  ${PROJECT_SOURCE_DIR}/tools/memscope
  ${PROJECT_SOURCE_DIR}/tools/memscope-cc
  ${PROJECT_SOURCE_DIR}/tools/memscope-c++
  DESTINATION ${CMAKE_INSTALL_BINDIR})

# Plugins: memscope-clang<MAJOR>.so per major, and memscope.so for the system clang.
set(_memscope_installed_majors "")
foreach(major ${MEMSCOPE_PLUGIN_MAJORS})
  if(TARGET memscope_clang${major})
    install(TARGETS memscope_clang${major} LIBRARY DESTINATION ${MEMSCOPE_INSTALL_PLUGINDIR})
    list(APPEND _memscope_installed_majors ${major})
  endif()
endforeach()
if(MEMSCOPE_PLUGIN AND TARGET memscope_plugin)
  install(FILES ${MEMSCOPE_PLUGIN} DESTINATION ${MEMSCOPE_INSTALL_PLUGINDIR})
endif()

# pkg-config: paths relative to the .pc file, so that the installed tree can move.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(MEMSCOPE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(MEMSCOPE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _memscope_up "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
  string(REGEX REPLACE "/$" "" _memscope_up "${_memscope_up}")
  set(MEMSCOPE_PC_PREFIX "\${pcfiledir}/${_memscope_up}")
  set(MEMSCOPE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(MEMSCOPE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(MEMSCOPE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
list(JOIN _memscope_installed_majors " " MEMSCOPE_PLUGIN_MAJORS_TEXT)
configure_file(${PROJECT_SOURCE_DIR}/cmake/memscope.pc.in ${PROJECT_BINARY_DIR}/memscope.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/memscope.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: find_package(MemScope) gives memscope::runtime and target_memscope().
install(EXPORT MemScopeTargets NAMESPACE memscope:: DESTINATION ${MEMSCOPE_INSTALL_CMAKEDIR})
set(MEMSCOPE_PACKAGE_MAJORS "${_memscope_installed_majors}")
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/MemScopeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/MemScopeConfig.cmake
  INSTALL_DESTINATION ${MEMSCOPE_INSTALL_CMAKEDIR}
  PATH_VARS MEMSCOPE_INSTALL_PLUGINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/MemScopeConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/MemScopeConfig.cmake
  ${PROJECT_BINARY_DIR}/MemScopeConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/MemScope.cmake
  DESTINATION ${MEMSCOPE_INSTALL_CMAKEDIR})
