// What CPUID reports: an i686 ("GenuineIntel", family 6) whose feature bits are exactly the
// instruction sets this emulator implements, so glibc's ifunc selection only picks real paths.
export const CPUID_EDX_FPU = 1 << 0;
export const CPUID_EDX_TSC = 1 << 4;
export const CPUID_EDX_CX8 = 1 << 8;
export const CPUID_EDX_SEP = 1 << 11;
export const CPUID_EDX_CMOV = 1 << 15;
export const CPUID_EDX_CLFSH = 1 << 19;
export const CPUID_EDX_MMX = 1 << 23;
export const CPUID_EDX_FXSR = 1 << 24;
export const CPUID_EDX_SSE = 1 << 25;
export const CPUID_EDX_SSE2 = 1 << 26;
export const CPUID_ECX_SSE3 = 1 << 0;
export const CPUID_ECX_SSSE3 = 1 << 9;
export const CPUID_ECX_CX16 = 1 << 13;
export const CPUID_ECX_SSE41 = 1 << 19;
export const CPUID_ECX_SSE42 = 1 << 20;
export const CPUID_ECX_MOVBE = 1 << 22;
export const CPUID_ECX_POPCNT = 1 << 23;

/** Feature words, edited as instruction groups land. */
export const cpuFeatures = {
  edx: CPUID_EDX_FPU | CPUID_EDX_TSC | CPUID_EDX_CX8 | CPUID_EDX_CMOV | CPUID_EDX_MMX | CPUID_EDX_FXSR | CPUID_EDX_SSE | CPUID_EDX_SSE2,
  ecx: CPUID_ECX_POPCNT | CPUID_ECX_SSE3 | CPUID_ECX_SSSE3,
};

const VENDOR = [0x756e6547, 0x6c65746e, 0x49656e69]; // "Genu" "ntel" "ineI" as EBX, ECX, EDX
const out = new Int32Array(4);

export function cpuidLeaf(leaf: number, _sub: number): Int32Array {
  out.fill(0);
  switch (leaf) {
    case 0:
      out[0] = 1; out[1] = VENDOR[0]; out[2] = VENDOR[1]; out[3] = VENDOR[2];
      break;
    case 1:
      out[0] = 0x000006f1; // family 6, model 15, stepping 1
      out[1] = 0x00000800; // CLFLUSH line size 8 qwords
      out[2] = cpuFeatures.ecx;
      out[3] = cpuFeatures.edx;
      break;
    case 0x80000000:
      out[0] = 0x80000000;
      break;
    default:
      break;
  }
  return out;
}
