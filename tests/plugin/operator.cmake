# Conformance test of the plugin's AGOperator against plugin/alphagrad_petsc.h
# (tests/plugin/test_operator.c, kernels in tests/plugin/op_kernels/). Included from
# tests/plugin/CMakeLists.txt (PETSc found).
add_executable(test_operator ${CMAKE_CURRENT_LIST_DIR}/test_operator.c)
target_link_libraries(test_operator PRIVATE alphagrad_plugin m)
if(AG_MPIEXEC)
  add_test(NAME test_plugin_operator_np1
           COMMAND ${AG_MPIEXEC} -n 1 $<TARGET_FILE:test_operator> ${PROJECT_SOURCE_DIR})
  add_test(NAME test_plugin_operator_np2
           COMMAND ${AG_MPIEXEC} -n 2 --oversubscribe $<TARGET_FILE:test_operator>
                   ${PROJECT_SOURCE_DIR})
else()
  add_test(NAME test_plugin_operator_np1
           COMMAND $<TARGET_FILE:test_operator> ${PROJECT_SOURCE_DIR})
endif()
foreach(t test_plugin_operator_np1 test_plugin_operator_np2)
  if(TEST ${t})
    # one kernel cache per test (kernels are compiled at run time into it)
    set_tests_properties(${t} PROPERTIES TIMEOUT 300 ENVIRONMENT
      "AG_SOURCE_DIR=${PROJECT_SOURCE_DIR};AG_JIT_CACHE=${CMAKE_CURRENT_BINARY_DIR}/jit-cache-${t};OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;ASAN_OPTIONS=detect_leaks=0")
  endif()
endforeach()
