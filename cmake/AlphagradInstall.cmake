# cmake --install: library, public headers, CLI, order libraries, docs, pkg-config file and
# CMake package configuration. Applications outside this tree then use
#   find_package(alphagrad) + target_link_libraries(app alphagrad::alphagrad)
# or
#   cc app.c $(pkg-config --cflags --libs alphagrad)
# Layout under the prefix (GNUInstallDirs):
#   lib/libalphagrad.so*                      the library (PETSc plugin + the core modules; not the trainer)
#   bin/alphagrad                             the CLI
#   include/alphagrad.h, include/alphagrad_petsc.h   the umbrella headers
#   include/alphagrad/{base,graph,kernel,jacobian,orderlib,mcts}/*.h   the headers they include
#   share/alphagrad/*.h5                      order libraries (the plugin's AG_DATA_DIRS)
#   share/doc/alphagrad/                      documentation
#   lib/pkgconfig/alphagrad.pc
#   lib/cmake/alphagrad/                      alphagradConfig.cmake, version, targets,
#                                             AlphagradCodegen.cmake (alphagrad_codegen())
include(CMakePackageConfigHelpers)

set(AG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/alphagrad CACHE STRING
    "Where the alphagrad CMake package files are installed (relative to the prefix)")
set(AG_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/alphagrad)
set(AG_PETSC_MIN_VERSION 3.18)

# ---- CLI -----------------------------------------------------------------------------------
# It links the modules statically; its run-time dependencies (MPI, HDF5) keep their
# non-system link directories as RPATH.
set_target_properties(alphagrad PROPERTIES EXPORT_NAME alphagrad-cli
                      INSTALL_RPATH_USE_LINK_PATH TRUE)
set(AG_EXPORT_TARGETS alphagrad)

# ---- library (only with PETSc) -------------------------------------------------------------
if(TARGET alphagrad_plugin)
  # RPATH of the installed library: its own directory (lib/, $ORIGIN-relative so the prefix can
  # move) plus the non-system directories of PETSc/MPI/HDF5 it was linked against.
  set_target_properties(alphagrad_plugin PROPERTIES EXPORT_NAME alphagrad
                        INSTALL_RPATH "$ORIGIN" INSTALL_RPATH_USE_LINK_PATH TRUE)
  list(APPEND AG_EXPORT_TARGETS alphagrad_plugin)
endif()

install(TARGETS ${AG_EXPORT_TARGETS} EXPORT alphagradTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
                NAMELINK_COMPONENT development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
# (the library's include directories, include and include/alphagrad, are its INSTALL_INTERFACE in plugin/)

# ---- public headers -------------------------------------------------------------------------
# Flat in include/: the umbrella headers alphagrad.h (core) and alphagrad_petsc.h (plugin).
# The module headers they include, with the source tree's layout, under include/alphagrad/
# (the package adds both directories). Internal headers (run.h, *_internal.h, kernel_int.h,
# plugin_impl.h, backend.h, kernel_lex.h) are not installed.
install(FILES ${PROJECT_SOURCE_DIR}/include/alphagrad.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT development)
if(TARGET alphagrad_plugin)
  install(FILES ${PROJECT_SOURCE_DIR}/include/alphagrad_petsc.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
endif()
set(AG_PUBLIC_HEADERS
  base/error.h base/alloc.h
  graph/graph.h graph/ops.h graph/eliminate.h graph/orders.h graph/exec_cost.h
  kernel/source.h kernel/parse_kernel.h kernel/parse_dag.h
  jacobian/jacobian.h jacobian/codegen_c.h jacobian/codegen_cuda.h jacobian/jit.h jacobian/profile.h
  tune/timing.h tune/measured.h
  orderlib/orderlib.h
  mcts/search.h mcts/mcts.h mcts/exact.h mcts/bounds.h mcts/portfolio.h)
foreach(h IN LISTS AG_PUBLIC_HEADERS)
  get_filename_component(d ${h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${h} DESTINATION ${AG_INSTALL_INCLUDEDIR}/${d}
          COMPONENT development)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/base/version.h DESTINATION ${AG_INSTALL_INCLUDEDIR}/base
        COMPONENT development)

# ---- data and docs -------------------------------------------------------------------------
install(DIRECTORY ${PROJECT_SOURCE_DIR}/hdf5-data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/alphagrad
        COMPONENT runtime FILES_MATCHING PATTERN "*.h5" PATTERN "README.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT doc FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT doc)
if(EXISTS ${PROJECT_SOURCE_DIR}/plugin/README.md)
  install(FILES ${PROJECT_SOURCE_DIR}/plugin/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
          RENAME plugin.md COMPONENT doc)
endif()

# ---- CMake package -------------------------------------------------------------------------
install(EXPORT alphagradTargets NAMESPACE alphagrad:: DESTINATION ${AG_INSTALL_CMAKEDIR}
        FILE alphagradTargets.cmake COMPONENT development)
set(AG_CONFIG_HAS_LIBRARY OFF)
set(AG_PETSC_PCFILEDIR "")
if(TARGET alphagrad_plugin)
  set(AG_CONFIG_HAS_LIBRARY ON)
  pkg_get_variable(AG_PETSC_PCFILEDIR PETSc pcfiledir) # the config's fallback for PETSc.pc
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/alphagradConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/alphagradConfig.cmake
  INSTALL_DESTINATION ${AG_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_DATADIR AG_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/alphagradConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/alphagradConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/alphagradConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/AlphagradCodegen.cmake
        DESTINATION ${AG_INSTALL_CMAKEDIR} COMPONENT development)

# ---- pkg-config ----------------------------------------------------------------------------
# PETSc.pc lacks MPI's include directory (mpi.h): require the pkg-config module of the MPI
# the library was built with when there is one, otherwise spell out its flags.
if(TARGET alphagrad_plugin)
  set(AG_PC_REQUIRES "PETSc >= ${AG_PETSC_MIN_VERSION}")
  set(AG_PC_CFLAGS "")
  set(AG_PC_LIBS_PRIVATE "")
  set(AG_PC_MPI "")
  foreach(m IN ITEMS ompi-c mpich mpi-c)
    pkg_check_modules(AG_PC_MPI_${m} QUIET ${m})
    if(AG_PC_MPI_${m}_FOUND)
      set(AG_PC_MPI ${m})
      break()
    endif()
  endforeach()
  if(AG_PC_MPI)
    string(APPEND AG_PC_REQUIRES " ${AG_PC_MPI}")
  else()
    foreach(d IN LISTS MPI_C_INCLUDE_DIRS)
      string(APPEND AG_PC_CFLAGS " -I${d}")
    endforeach()
    foreach(l IN LISTS MPI_C_LIBRARIES)
      string(APPEND AG_PC_LIBS_PRIVATE " ${l}")
    endforeach()
  endif()
  # static linking only: the shared library already records HDF5, libm and libdl
  # (as -L/-l flags: /path/libfoo.so -> -L/path -lfoo; system directories left out)
  set(_ag_dirs "")
  set(_ag_libs "")
  foreach(l IN LISTS HDF5_C_LIBRARIES ITEMS m ${CMAKE_DL_LIBS})
    if(IS_ABSOLUTE "${l}")
      get_filename_component(_d "${l}" DIRECTORY)
      get_filename_component(_n "${l}" NAME_WE)
      string(REGEX REPLACE "^lib" "" _n "${_n}")
      if(NOT _d IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
        list(APPEND _ag_dirs "-L${_d}")
      endif()
      list(APPEND _ag_libs "-l${_n}")
    elseif(l MATCHES "^-")
      list(APPEND _ag_libs "${l}")
    else()
      list(APPEND _ag_libs "-l${l}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _ag_dirs)
  list(REMOVE_DUPLICATES _ag_libs)
  foreach(l IN LISTS _ag_dirs _ag_libs)
    string(APPEND AG_PC_LIBS_PRIVATE " ${l}")
  endforeach()
  foreach(v LIBDIR INCLUDEDIR DATADIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${v}}")
      set(AG_PC_${v} "${CMAKE_INSTALL_${v}}")
    else()
      set(AG_PC_${v} "\${prefix}/${CMAKE_INSTALL_${v}}")
    endif()
  endforeach()
  # prefix= is the prefix of the actual installation (cmake --install --prefix P), so the
  # file is completed at install time.
  set(AG_PC_PREFIX "@AG_PC_PREFIX@")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/alphagrad.pc.in ${PROJECT_BINARY_DIR}/alphagrad.pc.in @ONLY)
  install(CODE "
    file(READ \"${PROJECT_BINARY_DIR}/alphagrad.pc.in\" _ag_pc)
    string(REPLACE \"@AG_PC_PREFIX@\" \"\${CMAKE_INSTALL_PREFIX}\" _ag_pc \"\${_ag_pc}\")
    file(WRITE \"${PROJECT_BINARY_DIR}/alphagrad.pc\" \"\${_ag_pc}\")
  " COMPONENT development)
  install(FILES ${PROJECT_BINARY_DIR}/alphagrad.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)
endif()
