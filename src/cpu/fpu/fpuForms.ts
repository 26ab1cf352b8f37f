// How exec() treats each x87 encoding (escape byte D8-DF and ModRM), worked out once into a
// table: invalid (#UD), the no-wait control forms, stores (restartable), other memory forms,
// register forms, and the register arithmetic that has its own short path.

/** The memory forms that store ST(0): FST/FSTP, FIST/FISTP/FISTTP, FSTP m80, FBSTP. */
function isStore(op: number, reg: number): boolean {
  switch (op) {
    case 0xd9: return reg === 2 || reg === 3;
    case 0xdb: return (reg >= 1 && reg <= 3) || reg === 7;
    case 0xdd: return reg >= 1 && reg <= 3;
    case 0xdf: return (reg >= 1 && reg <= 3) || reg >= 6;
    default: return false;
  }
}

/** False for the D8-DF encodings that raise #UD. */
function validEncoding(op: number, modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    if (op === 0xd9) return reg !== 1;
    if (op === 0xdb) return reg !== 4 && reg !== 6;
    if (op === 0xdd) return reg !== 5;
    return true;
  }
  switch (op) {
    case 0xd9:
      if (modrm >= 0xd1 && modrm <= 0xd7) return false;
      return modrm !== 0xe2 && modrm !== 0xe3 && modrm !== 0xe6 && modrm !== 0xe7 && modrm !== 0xef;
    case 0xda:
      return modrm < 0xe0 || modrm === 0xe9;
    case 0xdb:
      if (modrm >= 0xe0 && modrm <= 0xe7) return modrm <= 0xe4;
      return modrm < 0xf8;
    case 0xdd:
      return modrm < 0xf0;
    case 0xde:
      return !(modrm >= 0xd8 && modrm < 0xe0) || modrm === 0xd9;
    case 0xdf:
      if (modrm >= 0xe0 && modrm < 0xe8) return modrm === 0xe0;
      return modrm < 0xf8;
    default:
      return true;
  }
}

/** D8/DC/DE register forms of FADD FMUL FSUB(R) FDIV(R) (and their popping forms). */
function isArithReg(op: number, reg: number): boolean {
  return (op === 0xd8 || op === 0xdc || op === 0xde) && reg !== 2 && reg !== 3;
}

// What exec() does with each escape byte (low 3 bits) and ModRM byte, decided once.
export const FORM_INVALID = 0, FORM_NOWAIT = 1, FORM_STORE = 2, FORM_MEM = 3, FORM_REG = 4, FORM_ARITH = 5;
export const FORMS = new Uint8Array(8 * 256);
for (let op = 0xd8; op <= 0xdf; op++) {
  for (let modrm = 0; modrm < 256; modrm++) {
    const reg = (modrm >> 3) & 7;
    let form: number;
    // Control instructions that do not wait for pending exceptions and do not record FIP.
    if (modrm < 0xc0 ? (op === 0xd9 || op === 0xdd) && reg >= 6 : (op === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) || (op === 0xdf && modrm === 0xe0)) form = FORM_NOWAIT;
    else if (!validEncoding(op, modrm)) form = FORM_INVALID;
    else if (modrm >= 0xc0) form = isArithReg(op, reg) ? FORM_ARITH : FORM_REG;
    else form = isStore(op, reg) ? FORM_STORE : FORM_MEM;
    FORMS[((op & 7) << 8) | modrm] = form;
  }
}
