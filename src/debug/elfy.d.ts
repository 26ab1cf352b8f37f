// Types for the parts of the `elfy` ELF parser the debugger uses (the package ships none).
declare module 'elfy' {
  export interface ElfySection {
    name: string;
    type: string | null;
    flags: unknown;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
    data: Buffer;
  }
  export interface ElfyProgram {
    type: string;
    offset: number;
    vaddr: number;
    paddr: number;
    filesz: number;
    memsz: number;
    flags: unknown;
    align: number;
    data: Buffer;
  }
  export interface ElfyFile {
    class: string;
    machine: string;
    entry: number;
    /** "exec", "dyn" (PIE, shared object), "rel", "core". */
    type: string;
    body: { programs: ElfyProgram[]; sections: ElfySection[] };
  }
  export function parse(buf: Buffer | Uint8Array): ElfyFile;
  const elfy: { parse: typeof parse };
  export default elfy;
}
