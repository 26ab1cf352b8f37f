// A booted kernel (a tiny program that just exits) whose handlers the syscall tests call
// directly, with a scratch buffer in guest memory and a temporary sandbox directory (removed
// when the test file is done).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../helpers/tempDir.js';
import { Kernel, type KernelOptions } from '../../../kernel/kernel.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { copyFromUser, copyToUser, getUser32 } from '../../../kernel/mm/uaccess.js';
import { asm, program } from '../programs.js';
import { invokeSyscall } from '../../../kernel/syscalls/dispatch.js';
import type { SyscallHandler } from '../../../kernel/syscalls/types.js';

/** Calls a handler as the syscall entry does (bad pointers become -EFAULT). */
export function call(fn: SyscallHandler, k: Kernel, ...args: number[]): number {
  return invokeSyscall(fn, k, 'test', ...args);
}

export interface Booted {
  k: Kernel;
  root: string;
  /** Scratch memory: 64 KiB read-write. */
  buf: number;
  /** Writes a NUL-terminated string at buf + off and returns its address. */
  str(s: string, off?: number): number;
  read(addr: number, len: number): Uint8Array;
  u32(addr: number): number;
  out: number[];
  write(addr: number, data: Uint8Array): void;
}

/** options: more kernel options (or others than the defaults here). */
export function bootKernel(files: Record<string, string> = {}, options: KernelOptions = {}): Booted {
  const root = makeTempDir('i386emu-k-');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  const out: number[] = [];
  const k = new Kernel({
    memoryBytes: 16 << 20, rootDir: root, stdout: (d) => out.push(...d), stderr: (d) => out.push(...d),
    stdin: new Uint8Array(0), random: new Uint8Array(16), ...options,
  });
  k.execve('/prog', ['prog'], [], program(asm.exit(0)));
  k.task.cwd = '/';
  const buf = doMmap(k.mm, 0, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  return {
    k, root, buf, out,
    str(s, off = 0x8000) {
      copyToUser(k.mm, buf + off, Buffer.from(s + '\0'));
      return buf + off;
    },
    read: (addr, len) => copyFromUser(k.mm, addr, len),
    u32: (addr) => getUser32(k.mm, addr) >>> 0,
    write: (addr, data) => copyToUser(k.mm, addr, data),
  };
}
