// Mismatch reports disassemble the window's code (capstone, loaded on demand).
import { expect, it } from 'vitest';
import { disasmLines, ensureDisassembler } from './report.js';

it('a report disassembles the code it shows', async () => {
  expect(await ensureDisassembler()).toBe(true);
  const lines = disasmLines(Uint8Array.of(0x0f, 0xa0, 0xd9, 0x35, 0x72, 0x32, 0x00, 0x10), 0);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/0fa0\s+push fs$/);
  expect(lines[1]).toMatch(/fnstenv .*0x10003272\]$/);
});
