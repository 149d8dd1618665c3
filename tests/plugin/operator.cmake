# Conformance test of the plugin's AGOperator against include/alphagrad_petsc.h
# (tests/plugin/test_operator.c, kernels in tests/plugin/op_kernels/). Included from
# tests/plugin/CMakeLists.txt (PETSc found).
add_executable(test_operator ${CMAKE_CURRENT_LIST_DIR}/test_operator.c)
target_link_libraries(test_operator PRIVATE alphagrad_plugin m)
# one kernel cache per test (kernels are compiled at run time into it)
foreach(n 1 2)
  ag_add_test(NAME test_plugin_operator_np${n} COMMAND $<TARGET_FILE:test_operator> ${PROJECT_SOURCE_DIR}
              LABELS plugin MPI ${n} SLOW TIMEOUT 300
              ENV "AG_JIT_CACHE=${CMAKE_CURRENT_BINARY_DIR}/jit-cache-test_plugin_operator_np${n}")
endforeach()
# 9 ranks (3 x 3): the middle rank owns no boundary cell, so its boundary groups are empty;
# every rank must still agree on the kernels' parameters (a rank-local error used to hang)
ag_add_test(NAME test_plugin_operator_np9
            COMMAND $<TARGET_FILE:test_operator> ${PROJECT_SOURCE_DIR} -only 2d-box1-dof2-none-aux2
            LABELS plugin MPI 9 SLOW TIMEOUT 120
            ENV "AG_JIT_CACHE=${CMAKE_CURRENT_BINARY_DIR}/jit-cache-test_plugin_operator_np9")
