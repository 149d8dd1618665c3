#!/usr/bin/env bash
# cmake --install into a temporary prefix, then build a PETSc application outside the tree
# against the installed package twice (find_package(alphagrad) and pkg-config alphagrad),
# run both, and run the installed CLI. Fails on any missing piece of the installation.
#   test_install.sh BUILD_DIR APP_SOURCE_DIR VERSION C_COMPILER
set -euo pipefail
BUILD=$1 APPSRC=$2 VERSION=$3 CC=${4:-cc}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP "${TMPDIR:-/tmp}/ag-install.XXXXXX"
PREFIX=$TMP/prefix
export AG_JIT_CACHE=$TMP/jit
unset AG_DATA_DIR AG_CC AG_CFLAGS PKG_CONFIG_PATH CMAKE_PREFIX_PATH

fail() { echo "FAIL: $*" >&2; exit 1; } # the first failure ends the test

step "cmake --install $BUILD --prefix $PREFIX"
run_log cmake --install "$BUILD" --prefix "$PREFIX"

step "installed files"
PC=$(find "$PREFIX" -name alphagrad.pc -path '*/pkgconfig/*')
[ -n "$PC" ] || fail "no alphagrad.pc installed"
LIBDIR=$(dirname "$(dirname "$PC")")
for f in "$LIBDIR/libalphagrad.so" "$LIBDIR/libalphagrad.so.${VERSION%%.*}" "$LIBDIR/libalphagrad.so.$VERSION" \
         "$PREFIX/bin/alphagrad" \
         "$PREFIX/include/alphagrad_petsc.h" "$PREFIX/include/alphagrad.h" \
         "$PREFIX/include/alphagrad/base/version.h" \
         "$PREFIX/include/alphagrad/graph/graph.h" "$PREFIX/include/alphagrad/base/error.h" \
         "$PREFIX/include/alphagrad/graph/ops.h" "$PREFIX/include/alphagrad/jacobian/jacobian.h" \
         "$PREFIX/include/alphagrad/orderlib/orderlib.h" "$PREFIX/include/alphagrad/mcts/search.h" \
         "$PREFIX/share/alphagrad/paper_orders.h5" \
         "$LIBDIR/cmake/alphagrad/alphagradConfig.cmake" "$LIBDIR/cmake/alphagrad/alphagradConfigVersion.cmake" \
         "$LIBDIR/cmake/alphagrad/alphagradTargets.cmake" "$LIBDIR/cmake/alphagrad/AlphagradCodegen.cmake"; do
  [ -e "$f" ] || fail "not installed: ${f#$PREFIX/}"
done
for h in mcts/run.h train/train_internal.h nn/nn_internal.h plugin/plugin_impl.h kernel/kernel_lex.h; do
  [ ! -e "$PREFIX/include/alphagrad/$h" ] || fail "internal header installed: $h"
done
# every installed core header compiles on its own (the umbrella and the module headers)
for h in "$PREFIX/include/alphagrad.h" $(cd "$PREFIX/include/alphagrad" && find . -name '*.h' | sed 's|^\./||'); do
  echo "#include \"${h#$PREFIX/include/}\"" >"$TMP/hdr.c"
  "$CC" -fsyntax-only -I"$PREFIX/include" -I"$PREFIX/include/alphagrad" $(pkg-config --cflags ompi-c 2>/dev/null) "$TMP/hdr.c" 2>"$TMP/hdr.log" ||
    { cat "$TMP/hdr.log" >&2; fail "installed header does not compile alone: $h"; }
done
# the trainer is not part of the library
if nm -D --defined-only "$LIBDIR/libalphagrad.so" | grep -q -E ' ag_trainer_|ag_train_'; then
  fail "libalphagrad.so contains the trainer"
fi
# nothing installed may point back into the build tree: text files (CMake, pkg-config), and
# the run paths of the binaries (debug information naming the build directory is harmless)
BUILD_REAL=$(cd "$BUILD" && pwd -P)
if grep -rlI -F "$BUILD_REAL" "$PREFIX" >"$TMP/refs"; then
  cat "$TMP/refs" >&2; fail "installed files refer to the build tree"
fi
for f in "$LIBDIR/libalphagrad.so" "$PREFIX/bin/alphagrad"; do
  if readelf -d "$f" | grep -E 'RPATH|RUNPATH' | grep -q -F "$BUILD_REAL"; then
    readelf -d "$f" | grep -E 'RPATH|RUNPATH' >&2; fail "run path into the build tree: $f"
  fi
done
for f in "$LIBDIR/libalphagrad.so" "$PREFIX/bin/alphagrad"; do
  if ldd "$f" | grep -q 'not found'; then ldd "$f" >&2; fail "unresolved libraries: $f"; fi
done

step "installed CLI"
cat >"$TMP/star.c" <<'K'
#include <math.h>
/* 3-point star stencil: in = u[i-1], u[i], u[i+1]; p[0] a constant */
void star(const double *in, double *out, const double *p) {
  out[0] = in[0] * in[2] - p[0] * sin(in[1]);
}
K
v=$("$PREFIX/bin/alphagrad" --version) || fail "alphagrad --version"
[[ $v == *"$VERSION"* ]] || fail "alphagrad --version printed '$v', expected $VERSION"
out=$("$PREFIX/bin/alphagrad" cost "$TMP/star.c:star" --order markowitz) || fail "alphagrad cost"
echo "$out"
[[ $out =~ ^cost\ [0-9]+ ]] || fail "alphagrad cost printed '$out'"

step "find_package(alphagrad): configure, build (with alphagrad_codegen), run"
run_log cmake -S "$APPSRC" -B "$TMP/app-cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
  -DAG_APP_KERNEL="$TMP/star.c:star"
dir=$(sed -n 's/^alphagrad_DIR:PATH=//p' "$TMP/app-cmake/CMakeCache.txt")
[ "$(cd "$dir" && pwd -P)" = "$(cd "$LIBDIR/cmake/alphagrad" && pwd -P)" ] \
  || fail "find_package found alphagrad in '$dir', not in the prefix"
run_log cmake --build "$TMP/app-cmake" -j2
[ -s "$TMP/app-cmake/kernel_gen.c" ] || fail "alphagrad_codegen generated nothing"
grep -q 'kernel_gen_batch' "$TMP/app-cmake/kernel_gen.c" || fail "alphagrad_codegen output lacks kernel_gen_batch"
out=$("$TMP/app-cmake/app" -kernel "$TMP/star.c:star") || { echo "$out" >&2; fail "app (find_package) failed"; }
echo "$out"
[[ $out == OK:* ]] || fail "app (find_package) did not print OK"

if command -v mpiexec >/dev/null; then
  step "find_package app under mpiexec -n 2"
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  out=$(timeout 120 mpiexec -n 2 "$TMP/app-cmake/app" -kernel "$TMP/star.c:star") \
    || { echo "$out" >&2; fail "app (find_package) under mpiexec -n 2 failed"; }
  echo "$out"
  [[ $out == OK:* ]] || fail "app under mpiexec -n 2 did not print OK"
else
  echo "note: mpiexec not found; parallel run skipped"
fi

step "pkg-config alphagrad: compile, run"
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
[ "$(pkg-config --modversion alphagrad)" = "$VERSION" ] || fail "pkg-config --modversion alphagrad"
[ "$(pkg-config --variable=prefix alphagrad)" = "$PREFIX" ] || fail "alphagrad.pc prefix is not $PREFIX"
# no -Wl,-rpath of our own: alphagrad.pc's Libs carry the run path of libalphagrad.so.0
run_log "$CC" -O2 -o "$TMP/app-pc" "$APPSRC/main.c" $(pkg-config --cflags alphagrad) \
  $(pkg-config --libs alphagrad) -lm
out=$("$TMP/app-pc" -kernel "$TMP/star.c:star") || { echo "$out" >&2; fail "app (pkg-config) failed"; }
echo "$out"
[[ $out == OK:* ]] || fail "app (pkg-config) did not print OK"

echo "PASS: installed package usable by find_package and pkg-config"
