// CPU models and what CPUID reports for them: a "GenuineIntel" family-6 part whose feature bits
// are exactly the instruction sets this emulator implements for the model, so glibc's ifunc
// selection only picks real paths. The decoder gates every post-Core-2 instruction on the
// model's `has` bits: a model without the extension gets #UD (SIGILL), as the real part would.
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
export const CPUID_ECX_PCLMULQDQ = 1 << 1;
export const CPUID_ECX_SSSE3 = 1 << 9;
export const CPUID_ECX_CX16 = 1 << 13;
export const CPUID_ECX_SSE41 = 1 << 19;
export const CPUID_ECX_SSE42 = 1 << 20;
export const CPUID_ECX_MOVBE = 1 << 22;
export const CPUID_ECX_POPCNT = 1 << 23;
export const CPUID_ECX_AES = 1 << 25;
export const CPUID_ECX_RDRAND = 1 << 30;
/** Leaf 7 subleaf 0, EBX. */
export const CPUID7_EBX_BMI1 = 1 << 3;
export const CPUID7_EBX_BMI2 = 1 << 8;
export const CPUID7_EBX_RDSEED = 1 << 18;
export const CPUID7_EBX_ADX = 1 << 19;
/** Leaf 0x80000001, ECX. */
export const CPUID81_ECX_LAHF = 1 << 0;
export const CPUID81_ECX_ABM = 1 << 5; // LZCNT
export const CPUID81_ECX_PREFETCHW = 1 << 8;

/** Instruction-set bits the decoder tests (the emulator's own numbering, not CPUID's). */
export const HAS_SSE41 = 1 << 0;
export const HAS_SSE42 = 1 << 1;
export const HAS_AES = 1 << 2;
export const HAS_PCLMUL = 1 << 3;
export const HAS_BMI1 = 1 << 4;
export const HAS_BMI2 = 1 << 5;
export const HAS_ADX = 1 << 6;
export const HAS_LZCNT = 1 << 7;
export const HAS_MOVBE = 1 << 8;
export const HAS_RDRAND = 1 << 9;
export const HAS_RDSEED = 1 << 10;

export interface CpuModel {
  readonly name: string;
  readonly description: string;
  /** Highest basic leaf. */
  readonly maxLeaf: number;
  /** Leaf 1 EAX: stepping, model, family. */
  readonly signature: number;
  readonly edx1: number;
  readonly ecx1: number;
  readonly ebx7: number;
  readonly ecx81: number;
  /** At most 48 characters (leaves 0x80000002-4). */
  readonly brand: string;
  readonly has: number;
}

const BASE_EDX = CPUID_EDX_FPU | CPUID_EDX_TSC | CPUID_EDX_CX8 | CPUID_EDX_CMOV | CPUID_EDX_MMX | CPUID_EDX_FXSR | CPUID_EDX_SSE | CPUID_EDX_SSE2;

/** The emulator's original model: a Core 2 (Merom) with SSSE3, plus POPCNT. */
export const CORE2: CpuModel = {
  name: 'core2',
  description: 'Core 2 (SSE3, SSSE3, POPCNT)',
  maxLeaf: 1,
  signature: 0x000006f1, // family 6, model 15, stepping 1
  edx1: BASE_EDX,
  ecx1: CPUID_ECX_POPCNT | CPUID_ECX_SSE3 | CPUID_ECX_SSSE3,
  ebx7: 0,
  ecx81: 0,
  brand: 'i386emu Core 2 class CPU',
  has: 0,
};

/**
 * The default: a Broadwell (the first Intel core with ADX and RDSEED, so every scalar extension
 * the compilers target by -march=broadwell/-mbmi2/-madx is there) with AVX, AVX2, FMA, F16C and
 * XSAVE left out, because the emulator has no VEX vector forms or YMM state. glibc sees no
 * OSXSAVE and picks its SSE2/SSE4/SSSE3 string functions.
 */
export const BROADWELL: CpuModel = {
  name: 'broadwell',
  description: 'Broadwell without AVX (SSE4.1/4.2, POPCNT, AES-NI, PCLMULQDQ, BMI1/2, ADX, LZCNT, MOVBE, RDRAND, RDSEED)',
  maxLeaf: 7,
  signature: 0x000306d4, // family 6, model 0x3d, stepping 4
  edx1: BASE_EDX,
  ecx1: CPUID_ECX_SSE3 | CPUID_ECX_PCLMULQDQ | CPUID_ECX_SSSE3 | CPUID_ECX_SSE41 | CPUID_ECX_SSE42
    | CPUID_ECX_MOVBE | CPUID_ECX_POPCNT | CPUID_ECX_AES | CPUID_ECX_RDRAND,
  ebx7: CPUID7_EBX_BMI1 | CPUID7_EBX_BMI2 | CPUID7_EBX_RDSEED | CPUID7_EBX_ADX,
  ecx81: CPUID81_ECX_LAHF | CPUID81_ECX_ABM | CPUID81_ECX_PREFETCHW,
  brand: 'i386emu Broadwell class CPU (no AVX)',
  has: HAS_SSE41 | HAS_SSE42 | HAS_AES | HAS_PCLMUL | HAS_BMI1 | HAS_BMI2 | HAS_ADX | HAS_LZCNT
    | HAS_MOVBE | HAS_RDRAND | HAS_RDSEED,
};

export const CPU_MODELS: readonly CpuModel[] = [BROADWELL, CORE2];
export const DEFAULT_CPU_MODEL = BROADWELL;

/** The model named `name` ("modern" is the default's alias), or null. */
export function cpuModelNamed(name: string): CpuModel | null {
  if (name === 'modern') return DEFAULT_CPU_MODEL;
  return CPU_MODELS.find((m) => m.name === name) ?? null;
}

const VENDOR = [0x756e6547, 0x6c65746e, 0x49656e69]; // "Genu" "ntel" "ineI" as EBX, ECX, EDX
const out = new Int32Array(4);

function brandDword(s: string, k: number): number {
  let v = 0;
  for (let b = 3; b >= 0; b--) v = (v << 8) | (s.charCodeAt(k * 4 + b) || 0);
  return v;
}

export function cpuidLeaf(m: CpuModel, leaf: number, sub: number): Int32Array {
  out.fill(0);
  if (leaf < 0x80000000 && leaf > m.maxLeaf) return out; // zeros: no such leaf on this model
  switch (leaf) {
    case 0:
      out[0] = m.maxLeaf; out[1] = VENDOR[0]; out[2] = VENDOR[1]; out[3] = VENDOR[2];
      break;
    case 1:
      out[0] = m.signature;
      out[1] = 0x00000800; // CLFLUSH line size 8 qwords
      out[2] = m.ecx1;
      out[3] = m.edx1;
      break;
    case 7:
      if (sub === 0) out[1] = m.ebx7; // EAX 0: subleaf 0 is the only one
      break;
    case 0x80000000:
      out[0] = 0x80000004;
      break;
    case 0x80000001:
      out[2] = m.ecx81;
      break;
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const k = (leaf - 0x80000002) * 4;
      for (let j = 0; j < 4; j++) out[j] = brandDword(m.brand, k + j);
      break;
    }
    default:
      break;
  }
  return out;
}
