// Random bytes from the host, behind every source of guest entropy (RDRAND's seed, AT_RANDOM,
// getrandom, /dev/urandom): read from the host's /dev/urandom, which costs one read where
// importing node:crypto would load some twenty of Node's modules at every start-up.
// node:crypto serves only a host without /dev/urandom.
import { openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

let urandomFd = -1;

/** Fills buf with random bytes and returns it (as crypto.randomFillSync does). */
export function hostRandomFill<T extends Uint8Array | Uint32Array>(buf: T): T {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (urandomFd === -1) {
    try {
      urandomFd = openSync('/dev/urandom', 'r');
    } catch {
      urandomFd = -2;
    }
  }
  let done = 0;
  if (urandomFd >= 0) {
    try {
      while (done < bytes.length) {
        const n = readSync(urandomFd, bytes, done, bytes.length - done, null);
        if (n <= 0) break;
        done += n;
      }
    } catch {
      // fall through to node:crypto
    }
  }
  if (done < bytes.length) {
    // Node's built-ins resolve from any path (import.meta.url is not there in the CLI bundle).
    const crypto = createRequire(process.execPath)('node:crypto') as typeof import('node:crypto');
    crypto.randomFillSync(bytes, done);
  }
  return buf;
}
