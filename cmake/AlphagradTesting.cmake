# ag_add_test(): every ctest test of the project is added through this function, which holds
# the test environment once.
#
#   ag_add_test(NAME name COMMAND cmd [args...] LABELS module [more labels...]
#               [SLOW] [MPI nranks] [NO_LEAK_CHECK] [TIMEOUT s] [ENV VAR=value...]
#               [SKIP_RETURN_CODE n] [RESOURCE_LOCK name])
#
# Labels: the module (graph, kernel, jacobian, mcts, nn, train, orderlib, cli, plugin, gpu,
# slurm, install, examples, bench) plus `quick` (the default) or `slow` (SLOW: 10 s or more
# here), plus `mpi` with MPI (and for tests that start ranks themselves: pass LABELS mpi).
#   ctest -L quick      ctest -L mpi      ctest -L plugin      ctest -LE slow
# Environment of every test: AG_SOURCE_DIR (the source tree, for data), AG_MPIEXEC, Open MPI allowed to
# run as root and to oversubscribe the 2 cores. MPI nranks runs COMMAND under mpiexec -n
# nranks (a test with nranks > 1 is not added without mpiexec). Open MPI keeps memory at exit,
# so MPI tests and NO_LEAK_CHECK ones run without LeakSanitizer in the sanitizer build.
# The tests that take 10 s or more on the 2-core development machine (ctest's own timings);
# they are labelled `slow` wherever they are added (as if SLOW were given).
set(AG_SLOW_TESTS test_codegen test_search test_exact test_orderlib example_cfd_wedge_angle
    test_gpu_codegen test_search_scale)

function(ag_add_test)
  cmake_parse_arguments(T "SLOW;NO_LEAK_CHECK" "NAME;MPI;TIMEOUT;SKIP_RETURN_CODE;RESOURCE_LOCK"
                        "COMMAND;LABELS;ENV" ${ARGN})
  if(NOT T_NAME OR NOT T_COMMAND OR NOT T_LABELS)
    message(FATAL_ERROR "ag_add_test: NAME, COMMAND and LABELS are required")
  endif()
  set(cmd ${T_COMMAND})
  set(labels ${T_LABELS})
  set(env "AG_SOURCE_DIR=${PROJECT_SOURCE_DIR}" "AG_MPIEXEC=${AG_MPIEXEC}" "OMPI_ALLOW_RUN_AS_ROOT=1"
          "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1" "OMPI_MCA_rmaps_base_oversubscribe=1")
  if(T_MPI)
    if(AG_MPIEXEC)
      set(cmd ${AG_MPIEXEC} -n ${T_MPI} ${T_COMMAND})
    elseif(T_MPI GREATER 1)
      return()
    endif()
    list(APPEND labels mpi)
  endif()
  if(T_MPI OR T_NO_LEAK_CHECK OR "mpi" IN_LIST labels)
    list(APPEND env "ASAN_OPTIONS=detect_leaks=0")
  endif()
  list(APPEND env ${T_ENV})
  if(T_SLOW OR T_NAME IN_LIST AG_SLOW_TESTS)
    list(APPEND labels slow)
  else()
    list(APPEND labels quick)
  endif()
  list(REMOVE_DUPLICATES labels)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${cmd})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT "${env}")
  if(DEFINED T_SKIP_RETURN_CODE)
    set_tests_properties(${T_NAME} PROPERTIES SKIP_RETURN_CODE ${T_SKIP_RETURN_CODE})
  endif()
  if(T_RESOURCE_LOCK)
    set_tests_properties(${T_NAME} PROPERTIES RESOURCE_LOCK ${T_RESOURCE_LOCK})
  endif()
endfunction()

# ag_test_program(name source...): a test program linked with every core module.
function(ag_test_program name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE ag_tensor ag_train ag_nn ag_mcts ag_orderlib ag_jacobian ag_kernel)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
endfunction()
