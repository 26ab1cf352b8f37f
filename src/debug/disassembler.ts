// x86-32 disassembly through capstone-wasm, loaded on first use only (its wasm is large and
// most runs never disassemble).
type CapstoneModule = typeof import('capstone-wasm');
type CapstoneInstance = InstanceType<CapstoneModule['Capstone']>;

let cs: CapstoneInstance | null = null;

export interface DisasmLine {
  address: number;
  size: number;
  bytes: Uint8Array;
  text: string;
}

export async function loadDisassembler(): Promise<void> {
  if (cs) return;
  const m: CapstoneModule = await import('capstone-wasm');
  await m.loadCapstone();
  cs = new m.Capstone(m.Const.CS_ARCH_X86, m.Const.CS_MODE_32);
}

/** Disassembles up to `count` instructions from `bytes` at `address`; requires loadDisassembler(). */
export function disassemble(bytes: Uint8Array, address: number, count = 1): DisasmLine[] {
  if (!cs) throw new Error('disassembler not loaded');
  return cs.disasm(bytes, { address, count }).map((x) => ({
    address: Number(x.address),
    size: x.size,
    bytes: x.bytes,
    text: x.opStr ? `${x.mnemonic} ${x.opStr}` : x.mnemonic,
  }));
}

export function isDisassemblerLoaded(): boolean {
  return cs !== null;
}
