#!/usr/bin/env bash
# Builds the guest test programs (i386 ELF binaries) into guest-programs/build/.
#
#   bash guest-programs/build.sh          build what is out of date
#   bash guest-programs/build.sh -f       rebuild everything
#
# Each src/NAME.c becomes build/NAME (gcc -m32 -O2 -static); hello, printf_ints, strings and
# int64 also get an -O0 variant build/NAME-O0; the programs in PTHREAD_PROGS are linked with
# -pthread, the ones in LIBM_PROGS with -lm. The programs in DYNAMIC_VARIANTS also get dynamic
# flavours: build/NAME-dyn (dynamically linked, -no-pie), build/NAME-pie (PIE, gcc's default)
# and build/NAME-spie (-static-pie); the ones in DYNAMIC_ONLY get only -dyn and -pie.
# The programs in DEBUG_PROGS get -g flavours for the source-level debugger: build/NAME-g (-O0),
# NAME-g-O2, NAME-g4 and NAME-g4-O2 (-gdwarf-4: .debug_loc/.debug_ranges instead of the DWARF 5
# lists), all static, plus NAME-g-spie (-O0 -static-pie) and NAME-g-pie (-O0, dynamic PIE).
# build/hello-nointerp names a dynamic linker that does not exist (/nonexistent/ld.so).
# harness/insnrun.c (the native side of the per-instruction tests) becomes
# build/insnrun (-O1) and, as an x86-64 program for hosts that cannot run i386 code,
# build/insnrun64 (-O1, no -m32). A target is rebuilt when it is missing
# or older than its source or this script. If gcc cannot produce 32-bit code, Debian's
# gcc-multilib is installed when running as root; otherwise the command is printed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/src"
out="$here/build"
self="$here/build.sh"
CC="${CC:-gcc}"
CFLAGS_COMMON="-m32 -static -Wall -Wextra"
CFLAGS_64="-Wall -Wextra"
CFLAGS_DYN="-m32 -Wall -Wextra"
force=0
[[ "${1:-}" == "-f" ]] && force=1

O0_VARIANTS=" hello printf_ints strings int64 "
# Programs that use POSIX threads (built with -pthread).
PTHREAD_PROGS=" threads interleave dwarf_tls "
LIBM_PROGS=" libm_funcs "
# Programs built for the modern CPU model's extensions (and for x86-64 too, as their reference).
MODERN_PROGS=" modern_isa "
MODERN_FLAGS="-msse4.2 -maes -mpclmul -mbmi -mbmi2 -madx -mlzcnt -mmovbe -mpopcnt"
# Dynamic flavours (-dyn, -pie, -spie) and programs that exist only dynamically linked.
DYNAMIC_VARIANTS=" hello printf_ints malloc_free strings threads libm_funcs vdso_time "
DYNAMIC_ONLY=" dlopen_libm maps_self "
DEBUG_PROGS=" dwarf_demo dwarf_types dwarf_inline dwarf_tls dwarf_entry dwarf_tour "

# Can $CC build and link a static 32-bit program?
check_m32() {
  local tmp
  tmp="$(mktemp -d)"
  printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' >"$tmp/t.c"
  if "$CC" -m32 -static -o "$tmp/t" "$tmp/t.c" >/dev/null 2>&1; then
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

if ! check_m32; then
  cmd="apt-get update && apt-get install -y gcc-multilib"
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "build.sh: $CC -m32 does not work; installing gcc-multilib" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq gcc-multilib >/dev/null
    check_m32 || { echo "build.sh: $CC -m32 still fails after installing gcc-multilib" >&2; exit 1; }
  else
    echo "build.sh: $CC -m32 -static cannot build 32-bit programs. Install the multilib toolchain:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi

mkdir -p "$out"
built=0

# build OUTPUT SOURCE FLAGS...   (32-bit; CFLAGS_COMMON=$CFLAGS_64 build ... for x86-64;
# libraries to link after the source in LDLIBS)
build() {
  local target="$1" source="$2"
  shift 2
  if [[ $force == 0 && -f "$target" && "$target" -nt "$source" && "$target" -nt "$self" ]]; then
    return 0
  fi
  # shellcheck disable=SC2086
  "$CC" $CFLAGS_COMMON "$@" -o "$target.tmp" "$source" ${LDLIBS:-}
  mv -f "$target.tmp" "$target"
  built=$((built + 1))
}

for c in "$src"/*.c; do
  name="$(basename "$c" .c)"
  extra=""
  [[ "$PTHREAD_PROGS" == *" $name "* ]] && extra="-pthread"
  if [[ "$MODERN_PROGS" == *" $name "* ]]; then
    extra="$MODERN_FLAGS"
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_64" build "$out/$name-64" "$c" -O2 $extra
  fi
  LDLIBS=""
  [[ "$LIBM_PROGS" == *" $name "* ]] && LDLIBS="-lm"
  if [[ "$DYNAMIC_VARIANTS$DYNAMIC_ONLY" == *" $name "* ]]; then
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_DYN" build "$out/$name-dyn" "$c" -O2 -no-pie $extra
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_DYN" build "$out/$name-pie" "$c" -O2 -pie -fPIE $extra
  fi
  [[ "$DYNAMIC_ONLY" == *" $name "* ]] && continue
  if [[ "$DEBUG_PROGS" == *" $name "* ]]; then
    # shellcheck disable=SC2086
    build "$out/$name-g" "$c" -O0 -g $extra
    # shellcheck disable=SC2086
    build "$out/$name-g-O2" "$c" -O2 -g $extra
    # shellcheck disable=SC2086
    build "$out/$name-g4" "$c" -O0 -gdwarf-4 $extra
    # shellcheck disable=SC2086
    build "$out/$name-g4-O2" "$c" -O2 -gdwarf-4 $extra
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_DYN" build "$out/$name-g-spie" "$c" -O0 -g -static-pie $extra
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_DYN" build "$out/$name-g-pie" "$c" -O0 -g -pie -fPIE $extra
  fi
  if [[ "$DYNAMIC_VARIANTS" == *" $name "* ]]; then
    # shellcheck disable=SC2086
    CFLAGS_COMMON="$CFLAGS_DYN" build "$out/$name-spie" "$c" -O2 -static-pie $extra
  fi
  # shellcheck disable=SC2086
  build "$out/$name" "$c" -O2 $extra
  if [[ "$O0_VARIANTS" == *" $name "* ]]; then
    build "$out/$name-O0" "$c" -O0
  fi
done
LDLIBS=""
CFLAGS_COMMON="$CFLAGS_DYN" build "$out/hello-nointerp" "$src/hello.c" -O2 -Wl,--dynamic-linker=/nonexistent/ld.so
build "$out/insnrun" "$here/harness/insnrun.c" -O1
CFLAGS_COMMON="$CFLAGS_64" build "$out/insnrun64" "$here/harness/insnrun.c" -O1

if [[ $built -gt 0 ]]; then
  echo "guest-programs: built $built target(s) in ${out#"$PWD"/}"
fi
