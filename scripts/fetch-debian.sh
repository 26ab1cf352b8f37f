#!/usr/bin/env bash
# Fetches the third-party i386 binaries the real-world tests run (test/guest/debian*.test.ts)
# from Debian's archive and unpacks each into guest-programs/debian/PACKAGE/ (dpkg-deb -x).
# Needs root for `dpkg --add-architecture i386` and `apt-get update` the first time; otherwise
# prints what to run. Idempotent: a package already unpacked is not fetched again. A package
# that cannot be fetched is reported and skipped (its tests then skip saying so); the exit
# status is 1 when any is missing.
#
# The dynamically linked programs (lua5.4, sqlite3, bash, busybox) also need their libraries:
# those packages (libc6 and what the programs depend on, from `apt-cache depends PKG:i386`)
# are unpacked together, with the programs, into guest-programs/debian/sysroot, a tree shaped
# like an i386 Debian root (/lib/ld-linux.so.2, /lib/i386-linux-gnu, /usr/bin) that works as
# `i386emu run --sysroot guest-programs/debian/sysroot`.
#
#   bash scripts/fetch-debian.sh          fetch what is missing
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Static programs: they run without ld-linux.so.2.
STATIC=(busybox-static bash-static zsh-static)
# Dynamic programs and their libraries; "a|b" takes the first name the archive has (Debian 13
# renamed some libraries for the 64-bit time_t transition, e.g. libreadline8t64).
DYNAMIC=(lua5.4 sqlite3 bash busybox)
LIBS=(libc6 libgcc-s1 "libreadline8t64|libreadline8" libtinfo6 "libncursesw6t64|libncursesw6"
  "libsqlite3-0t64|libsqlite3-0" zlib1g)
out=guest-programs/debian
sysroot=$out/sysroot

# The directory name of an alternative list: the last (oldest) name, stable across releases.
dirname_of() { echo "${1##*|}"; }

missing=()
for p in "${STATIC[@]}" "${DYNAMIC[@]}" "${LIBS[@]}"; do
  [[ -d $out/$(dirname_of "$p") ]] || missing+=("$p")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    if [[ "$(id -u)" != 0 ]]; then
      echo "fetch-debian: run as root, or: sudo dpkg --add-architecture i386 && sudo apt-get update" >&2
      exit 1
    fi
    dpkg --add-architecture i386
    apt-get update -qq
  fi

  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download writes into the current directory; _apt cannot write to mktemp's 0700 dir.
  chmod 755 "$tmp"
  updated=0
  # Downloads the first of the |-separated names the archive knows; prints the .deb's path.
  download() {
    local name
    for name in ${1//|/ }; do
      rm -f "$tmp"/*.deb
      if (cd "$tmp" && apt-get download -qq "$name:i386" 2>/dev/null); then
        ls "$tmp"/*.deb
        return 0
      fi
    done
    return 1
  }
  for p in "${missing[@]}"; do
    dir=$(dirname_of "$p")
    if ! deb=$(download "$p"); then
      if [[ $updated == 0 && "$(id -u)" == 0 ]]; then apt-get update -qq; updated=1; fi
      if ! deb=$(download "$p"); then
        echo "fetch-debian: cannot download ${p//|/ or }:i386 (tests that need it will skip)" >&2
        continue
      fi
    fi
    rm -rf "${out:?}/$dir.tmp"
    mkdir -p "$out/$dir.tmp"
    dpkg-deb -x "$deb" "$out/$dir.tmp"
    rm -rf "${out:?}/$dir"
    mv "$out/$dir.tmp" "$out/$dir"
    rm -rf "$sysroot" # rebuilt below with the new package
    echo "fetch-debian: $(basename "$deb") -> $out/$dir"
  done
fi

# The merged sysroot: every dynamic program and library unpacked into one tree (rebuilt when
# a package was (re)fetched). Copying the unpacked trees keeps their symbolic links as dpkg
# made them (relative or absolute; the emulator resolves absolute ones inside the sysroot).
status=0
if [[ ! -d $sysroot ]]; then
  rm -rf "$sysroot.tmp"; mkdir -p "$sysroot.tmp"
  for p in "${LIBS[@]}" "${DYNAMIC[@]}"; do
    dir=$(dirname_of "$p")
    if [[ -d $out/$dir ]]; then cp -a "$out/$dir/." "$sysroot.tmp/"; else status=1; fi
  done
  # /etc/ld.so.conf and the cache are libc-bin's and ldconfig's work on a Debian system. The
  # cache matters to qemu-i386 -L (the tests' reference): its statx ignores -L, so ld.so
  # finds /lib/i386-linux-gnu "missing" and stops searching it; with a cache it opens libraries
  # by their full path. The host's ldconfig writes i386 entries (flag libc6) for ELF32 files.
  printf 'include /etc/ld.so.conf.d/*.conf\n' > "$sysroot.tmp/etc/ld.so.conf"
  ldconfig -r "$sysroot.tmp" 2>/dev/null || /sbin/ldconfig -r "$sysroot.tmp" || echo "fetch-debian: ldconfig -r failed: no /etc/ld.so.cache in $sysroot" >&2
  mv "$sysroot.tmp" "$sysroot"
  echo "fetch-debian: merged sysroot -> $sysroot"
fi

# Busybox applets by name for the dynamic shells' scripts: relative links to the dynamic
# busybox (which, unlike busybox-static, does not run its applets without them).
if [[ -d $out/busybox && ! -d $out/applets ]]; then
  mkdir -p "$out/applets.tmp"
  for a in ls find sort sed tar head tail wc cat grep awk cut uniq tr xargs md5sum gzip \
      mkdir rm cp mv touch stat du od basename dirname env sh; do
    ln -s ../busybox/bin/busybox "$out/applets.tmp/$a"
  done
  mv "$out/applets.tmp" "$out/applets"
fi
for p in "${STATIC[@]}" "${DYNAMIC[@]}" "${LIBS[@]}"; do [[ -d $out/$(dirname_of "$p") ]] || status=1; done
exit $status
