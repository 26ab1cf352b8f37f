// The vendor rules of test/difftest/vendor.ts on recorded mismatch shapes: the differences an
// AMD EPYC running i386 natively showed (issue 10: PUSH FS's upper half, the pointer fields of
// FNSTENV/FNSAVE/FXSAVE images, SYSCALL) count as AMD's behaviour on an AMD host, stay
// mismatches on an Intel host, and shapes that miss by one detail stay mismatches everywhere.
import { describe, expect, it } from 'vitest';
import { type MismatchShape, vendorDifference } from './vendor.js';

const shape = (s: Partial<MismatchShape> & Pick<MismatchShape, 'name'>): MismatchShape => ({
  fields: [], nativeValues: [], emuValues: [], nativeSig: 0, emuSig: 0, fx: null, units: [], ...s,
});
const mem = (count: number, native: string, emu: string) => ({ fields: [`memory (${count} bytes)`], nativeValues: [native], emuValues: [emu] });

// push FS (o32), pop FS: "memory (2 bytes) native 100035ee:00 100035ef:00 emulator 100035ee:(9f) 100035ef:(a7)".
const PUSH_FS = shape({
  name: 'push FS', ...mem(2, '100035ee:00 100035ef:00', '100035ee:(9f) 100035ef:(a7)'),
  units: [{ name: 'push FS', bytes: [0x0f, 0xa0], addr: 0 }, { name: 'pop FS', bytes: [0x0f, 0xa1], addr: 0 }],
});
// fnstenv m28 at 0x10003272 after FXAM: FCS = 0x23 at +16, FOP = 0x1E5 at +18.
const FNSTENV = shape({
  name: 'fnstenv m28', ...mem(3, '10003282:23 10003284:e5 10003285:01', '10003282:00 10003284:00 10003285:00'),
  units: [{ name: 'fxam', bytes: [0xd9, 0xe5], addr: 0 }, { name: 'fnstenv m28', bytes: [0xd9, 0x35, 0x72, 0x32, 0x00, 0x10], addr: 0x10003272 }],
});
// fnstenv m14 (o16) at 0x10001000: FCS = 0x23 at +8 (no FOP in the 16-bit format), FDP's low half at +10.
const FNSTENV16 = shape({
  name: 'fnstenv m14 (o16)', ...mem(3, '10001008:23 1000100a:40 1000100b:12', '10001008:00 1000100a:(00) 1000100b:(00)'),
  units: [{ name: 'fnstenv m14 (o16)', bytes: [0x66, 0xd9, 0x35, 0x00, 0x10, 0x00, 0x10], addr: 0x10001000 }],
});
// fnsave m108 at 0x10000200 after FCOMIP ST(2): FCS = 0x23, FOP = 0x7F2, FDS = 0x2B.
const FNSAVE = shape({
  name: 'fnsave m108', ...mem(4, '10000210:23 10000212:f2 10000213:07 10000218:2b', '10000210:00 10000212:00 10000213:00 10000218:00'),
  units: [{ name: 'fnsave m108', bytes: [0xdd, 0x35, 0x00, 0x02, 0x00, 0x10], addr: 0x10000200 }],
});
// fxsave M512 at 0x10000400: FOP = 0x1E5 at +6, FCS = 0x23 at +12.
const FXSAVE = shape({
  name: 'fxsave M512', ...mem(3, '10000406:e5 10000407:01 1000040c:23', '10000406:00 10000407:00 1000040c:00'),
  units: [{ name: 'fxsave M512', bytes: [0x0f, 0xae, 0x05, 0x00, 0x04, 0x00, 0x10], addr: 0x10000400 }],
});
// syscall: the host returned -ENOSYS and faulted at a wild EIP; the emulator raised #UD.
const SYSCALL = shape({
  name: 'syscall', nativeSig: 11, emuSig: 4,
  fields: ['signal', 'eip', 'eax', 'ecx', 'edx', 'ebp', 'esp'],
  nativeValues: ['SIGSEGV code=1 addr=9fa7c3d1', '9fa7c3d1', 'ffffffda', '4e1f0c2a', '00000011', '10003b70', '10003b80'],
  emuValues: ['SIGILL code=2 addr=20000047', '20000047', '5a3c1e07', '4e1f0c2a', '00000000', '10003b70', '10003b74'],
  units: [{ name: 'syscall', bytes: [0xb8, 0x07, 0x1e, 0x3c, 0x5a, 0x0f, 0x05], addr: 0 }],
});

const RECORDED: Array<[string, MismatchShape, RegExp]> = [
  ['push FS', PUSH_FS, /PUSH FS/],
  ['fnstenv m28', FNSTENV, /x87 image pointers/],
  ['fnstenv m14 (o16)', FNSTENV16, /x87 image pointers/],
  ['fnsave m108', FNSAVE, /x87 image pointers/],
  ['fxsave M512', FXSAVE, /x87 image pointers/],
  ['fxsave M512 with AMD\'s MXCSR_MASK', { ...FXSAVE, ...mem(4, '10000406:e5 10000407:01 1000040c:23 1000041e:02', '10000406:00 10000407:00 1000040c:00 1000041e:00') }, /x87 image pointers/],
  ['syscall', SYSCALL, /SYSCALL/],
];

describe('vendor rules on the shapes an AMD host running i386 showed', () => {
  for (const [what, m, why] of RECORDED) {
    it(`${what}: AMD's behaviour on an AMD host, a mismatch on an Intel host`, () => {
      expect(vendorDifference('amd', m)).toMatch(why);
      expect(vendorDifference('intel', m)).toBeNull();
    });
  }
});

describe('near misses stay mismatches on an AMD host', () => {
  const near: Array<[string, MismatchShape]> = [
    // PUSH FS
    ['push FS with 0x66 (a 16-bit push)', { ...PUSH_FS, units: [{ name: 'push FS', bytes: [0x66, 0x0f, 0xa0], addr: 0 }] }],
    ['push FS whose upper half the host did not zero', { ...PUSH_FS, ...mem(2, '100035ee:23 100035ef:00', '100035ee:(9f) 100035ef:(a7)') }],
    ['push FS where the emulator wrote the bytes', { ...PUSH_FS, ...mem(2, '100035ee:00 100035ef:00', '100035ee:9f 100035ef:a7') }],
    ['push FS with a third byte', { ...PUSH_FS, ...mem(3, '100035ec:11 100035ee:00 100035ef:00', '100035ec:(12) 100035ee:(9f) 100035ef:(a7)') }],
    ['push FS and a register', { ...PUSH_FS, fields: [...PUSH_FS.fields, 'esp'], nativeValues: [...PUSH_FS.nativeValues, '10003b7c'], emuValues: [...PUSH_FS.emuValues!, '10003b80'] }],
    ['pop FS named, not push FS', { ...PUSH_FS, name: 'pop FS' }],
    // x87 images
    ['an image byte outside the pointer fields (FSW)', { ...FNSTENV, ...mem(4, '10003276:00 10003282:23 10003284:e5 10003285:01', '10003276:01 10003282:00 10003284:00 10003285:00') }],
    ['the reserved upper half of FDS\'s dword', { ...FNSTENV, ...mem(2, '1000328c:00 1000328d:00', '1000328c:ff 1000328d:ff') }],
    ['FOP wider than 11 bits', { ...FNSTENV, ...mem(2, '10003284:e5 10003285:09', '10003284:00 10003285:00') }],
    ['an FNSAVE register byte', { ...FNSAVE, ...mem(2, '10000210:23 1000021c:01', '10000210:00 1000021c:00') }],
    ['FXSAVE\'s MXCSR', { ...FXSAVE, ...mem(2, '1000040c:23 1000041a:02', '1000040c:00 1000041a:00') }],
    ['FXSAVE\'s MXCSR_MASK with another bit', { ...FXSAVE, ...mem(1, '1000041e:04', '1000041e:00') }],
    ['AMD\'s MXCSR_MASK in an FNSAVE image', { ...FNSAVE, ...mem(1, '1000021e:02', '1000021e:00') }],
    ['the emulator\'s pointers off the Intel model', { ...FNSTENV, fields: [...FNSTENV.fields, 'fop stored by fnstenv m28 (Intel model)'], nativeValues: [...FNSTENV.nativeValues, 'expected 0'], emuValues: [...FNSTENV.emuValues!, '1e5'] }],
    ['an image and a register', { ...FXSAVE, fields: [...FXSAVE.fields, 'eax'], nativeValues: [...FXSAVE.nativeValues, '0'], emuValues: [...FXSAVE.emuValues!, '1'] }],
    ['pointer bytes, but of another row (fnstcw)', { ...FNSTENV, name: 'fnstcw m16' }],
    ['pointer bytes of an image the window did not store', { ...FNSTENV, units: [{ name: 'fnstenv m28', bytes: [0xd9, 0x35, 0, 0x20, 0, 0x10], addr: 0x10002000 }] }],
    ['a memory list cut short', { ...FNSTENV, fields: ['memory (40 bytes)'] }],
    // SYSCALL
    ['syscall whose host EAX is not -ENOSYS/-EFAULT', { ...SYSCALL, nativeValues: SYSCALL.nativeValues.map((v, k) => (k === 2 ? '00000000' : v)) }],
    ['syscall where the host ran to the end', { ...SYSCALL, nativeSig: 0 }],
    ['syscall where the emulator did not raise #UD', { ...SYSCALL, emuSig: 11 }],
    ['a window ending in another instruction', { ...SYSCALL, units: [{ name: 'syscall', bytes: [0x0f, 0x0b], addr: 0 }] }],
  ];
  for (const [what, m] of near) {
    it(what, () => {
      expect(vendorDifference('amd', m)).toBeNull();
    });
  }
});
