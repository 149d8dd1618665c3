#!/usr/bin/env bash
# The whole test suite: install what is missing, check the format, build, run ctest; then the
# same under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/format.sh --check # the sources match .clang-format
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build && ctest --output-on-failure -j2)
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DAG_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j2)
