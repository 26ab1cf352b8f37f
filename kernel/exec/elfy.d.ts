// Type declarations for the parts of the 'elfy' package (a CommonJS ELF parser) we use.
declare module 'elfy' {
  export interface ElfyHeader {
    class: string;
    endian: string;
    type: string;
    machine: string;
    entry: number;
    phoff: number;
    shoff: number;
    flags: number;
    ehsize: number;
    phentsize: number;
    phnum: number;
    shentsize: number;
    shnum: number;
    shstrndx: number;
  }
  export interface ElfyProgram {
    type: string | undefined;
    offset: number;
    vaddr: number;
    paddr: number;
    filesz: number;
    memsz: number;
    flags: Record<string, boolean>;
    align: number;
    data: Buffer;
  }
  export class Parser {
    parseHeader(buf: Buffer): ElfyHeader;
    parsePrograms(buf: Buffer, header: ElfyHeader): ElfyProgram[];
  }
  const elfy: { Parser: typeof Parser; parse(buf: Buffer): unknown; constants: Record<string, Record<number, string>> };
  export default elfy;
}
