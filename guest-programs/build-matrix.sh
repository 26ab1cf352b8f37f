#!/usr/bin/env bash
# Builds the compiler-matrix programs (guest-programs/matrix/*.c) in every flavour the CPU work
# is checked with: -O0, -O2, -O3, -O2 -march=i686, -O2 -msse2 -mfpmath=sse (all -m32 -static),
# into guest-programs/build/matrix/NAME.FLAVOUR. Skips targets that are up to date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out=build/matrix
mkdir -p "$out"
declare -A flavours=(
  [O0]="-O0"
  [O2]="-O2"
  [O3]="-O3"
  [i686]="-O2 -march=i686"
  [sse2]="-O2 -msse2 -mfpmath=sse"
)
built=0
for src in matrix/*.c; do
  name=$(basename "$src" .c)
  for f in "${!flavours[@]}"; do
    bin="$out/$name.$f"
    if [[ ! -f $bin || $src -nt $bin || $0 -nt $bin ]]; then
      # shellcheck disable=SC2086
      gcc -m32 -static ${flavours[$f]} -o "$bin" "$src" -lm
      built=$((built + 1))
    fi
  done
done
[[ $built -gt 0 ]] && echo "build-matrix: built $built binaries" || true
