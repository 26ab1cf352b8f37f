// --cpu, --seed and --aslr as kernel options (shared by run, debug and --gdb).
import type { RunOptions } from './args.js';
import { cpuModelNamed, type CpuModel } from '../cpu/cpuid.js';

export function cpuKernelOptions(o: RunOptions): { cpuModel?: CpuModel; cpuSeed?: number; aslr?: boolean } {
  const r: { cpuModel?: CpuModel; cpuSeed?: number; aslr?: boolean } = {};
  if (o.cpu !== null) r.cpuModel = cpuModelNamed(o.cpu) ?? undefined;
  if (o.seed !== null) r.cpuSeed = o.seed;
  if (o.aslr) r.aslr = true;
  return r;
}
