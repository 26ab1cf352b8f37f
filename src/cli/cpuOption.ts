// --cpu, --seed and --aslr as kernel options (shared by run, debug and --gdb), and --jit, which
// sets the block compiler's process-wide mode before the kernel makes its CPU.
import type { RunOptions } from './args.js';
import { cpuModelNamed, type CpuModel } from '../cpu/cpuid.js';
import { setJitMode } from '../cpu/jit/jitMode.js';

export function cpuKernelOptions(o: RunOptions): { cpuModel?: CpuModel; cpuSeed?: number; aslr?: boolean } {
  if (o.jit !== null) setJitMode(o.jit);
  const r: { cpuModel?: CpuModel; cpuSeed?: number; aslr?: boolean } = {};
  if (o.cpu !== null) r.cpuModel = cpuModelNamed(o.cpu) ?? undefined;
  if (o.seed !== null) r.cpuSeed = o.seed;
  if (o.aslr) r.aslr = true;
  return r;
}
