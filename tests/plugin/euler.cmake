# 1-D Euler (Sod shock tube) with face-flux kernels against the exact Riemann solution.
# Included from tests/plugin/CMakeLists.txt (PETSc found).
add_executable(euler1d ${CMAKE_CURRENT_LIST_DIR}/euler1d.c)
target_compile_definitions(euler1d PRIVATE
  EULER1D_KERNEL_FILE="${PROJECT_SOURCE_DIR}/examples/cfd/sod_kernels.c")
target_link_libraries(euler1d PRIVATE alphagrad_plugin m)
ag_add_test(NAME test_plugin_euler1d
            COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_euler1d.sh $<TARGET_FILE:euler1d>
            LABELS plugin mpi SLOW TIMEOUT 120)
