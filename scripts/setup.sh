#!/usr/bin/env bash
# One-step developer setup (README quick start): installs npm dependencies when node_modules
# is missing or older than package.json / package-lock.json, builds the guest programs, and
# bundles the CLI into dist/i386emu.mjs.
#
#   bash scripts/setup.sh        (or: npm run setup, once node_modules exists)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.package-lock.json   # npm writes this on every install
need_install=0
if [[ ! -d node_modules || ! -f $stamp ]]; then
  need_install=1
elif [[ package.json -nt $stamp ]] || { [[ -f package-lock.json ]] && [[ package-lock.json -nt $stamp ]]; }; then
  need_install=1
fi

if [[ $need_install == 1 ]]; then
  if [[ -f package-lock.json ]]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  else
    echo "setup: npm install"
    npm install --no-audit --no-fund --loglevel=error
  fi
fi

bash guest-programs/build.sh
node scripts/build.mjs

# A host that cannot run i386 binaries itself (no IA32 emulation, as in a PVM guest) compares
# whole guest programs with qemu-i386 instead (test/helpers/nativeI386.ts).
if [[ "$(guest-programs/build/hello 2>/dev/null)" != $'Hello, world!\nHello, world!' ]] && ! command -v qemu-i386 >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: this host does not run i386 binaries; installing qemu-user as the tests' reference"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user >/dev/null; }
  else
    echo "setup: this host does not run i386 binaries; the guest-program tests need qemu-i386: sudo apt-get install qemu-user" >&2
  fi
fi
# Debian's static i386 busybox for the real-world tests (needs root the first time).
if [[ "$(id -u)" == 0 ]]; then
  bash scripts/fetch-debian.sh || echo "setup: could not fetch the Debian i386 packages (bash scripts/fetch-debian.sh)" >&2
fi
echo "setup: done (node dist/i386emu.mjs run PROG runs a guest; npm test runs the tests)"
