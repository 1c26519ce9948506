#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds with -Werror, runs every test; then builds
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test again;
# then builds with clang (-Werror too) and ThreadSanitizer for the threaded
# parts. Ends with a summary of every build's results, naming each skipped
# test and the reason it gave.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

scripts/install-deps.sh
JOBS=$(nproc)

echo "== build (warnings are errors, hardened)"
cmake -S . -B build/ci -G Ninja -DTS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/ci -j "$JOBS"
echo "== tests"
ctest --test-dir build/ci --output-on-failure -j "$JOBS" --output-junit "$ROOT/build/ci/junit.xml"

echo "== build (ASan + UBSan)"
cmake -S . -B build/asan -G Ninja -DTS_WERROR=ON -DTS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C build/asan -j "$JOBS"
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j "$JOBS" --output-junit "$ROOT/build/asan/junit.xml"

echo "== build (clang, warnings are errors, ThreadSanitizer) for the threaded ingest pipeline and collector"
CC=clang cmake -S . -B build/tsan -G Ninja -DTS_WERROR=ON -DTS_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C build/tsan -j "$JOBS"
echo "== ingest, collector and integration tests under ThreadSanitizer"
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan --output-on-failure -j "$JOBS" \
    -R 'integration/|ingest/|collect/' --output-junit "$ROOT/build/tsan/junit.xml"

echo "== summary"
python3 scripts/test-summary.py ci=build/ci/junit.xml asan=build/asan/junit.xml tsan=build/tsan/junit.xml
