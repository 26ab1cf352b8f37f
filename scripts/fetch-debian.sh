#!/usr/bin/env bash
# Fetches the third-party i386 binaries the real-world tests run (test/guest/debian.test.ts)
# from Debian's archive and unpacks them into guest-programs/debian/PACKAGE/. Needs root for
# `dpkg --add-architecture i386` and `apt-get update` the first time; otherwise prints what to run.
#
#   bash scripts/fetch-debian.sh          fetch what is missing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Static packages only until the dynamic linker issue: they run without ld-linux.so.2.
PACKAGES=(busybox-static bash-static zsh-static)
out=guest-programs/debian

missing=()
for p in "${PACKAGES[@]}"; do [[ -d $out/$p ]] || missing+=("$p"); done
[[ ${#missing[@]} -eq 0 ]] && exit 0

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
for p in "${missing[@]}"; do
  # apt-get download writes into the current directory; _apt cannot write to mktemp's 0700 dir.
  chmod 755 "$tmp"
  if ! (cd "$tmp" && apt-get download -qq "$p:i386" 2>/dev/null); then
    [[ "$(id -u)" == 0 ]] && apt-get update -qq
    (cd "$tmp" && apt-get download -qq "$p:i386")
  fi
  mkdir -p "$out/$p.tmp"
  dpkg-deb -x "$tmp"/"${p}"_*_i386.deb "$out/$p.tmp"
  rm -rf "${out:?}/$p"
  mv "$out/$p.tmp" "$out/$p"
  echo "fetch-debian: $p:i386 -> $out/$p"
done
