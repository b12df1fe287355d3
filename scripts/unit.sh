#!/usr/bin/env bash
# make unit: only the GoogleTest units of the core (no server needed).
source "$(dirname "$0")/lib.sh"
cmake -S "$REPO_DIR" -B "$REPO_DIR/build/unit" -DOPENDATA_WERROR=ON -DOPENDATA_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$REPO_DIR/build/unit" -j"$(nproc)"
cd "$REPO_DIR/build/unit" && ctest --output-on-failure -j"$(nproc)"
