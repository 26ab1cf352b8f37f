// The stub at the packet level, with a raw TCP client: the stop reply, register and memory
// reads, a breakpoint, Ctrl-C interrupting a program that loops forever, monitor output, and
// k ending the session. Uses a freestanding program on a hand-built machine (no kernel).
import { describe, expect, it, beforeAll } from 'vitest';
import { connect, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { GdbStub } from '../../src/debug/gdb/stub.js';
import { frame, hexToText, textToHex } from '../../src/debug/gdb/packets.js';
import { SymbolTable } from '../../src/debug/symbols.js';
import { buildFreestanding, haveGcc32, loadBare } from './bareMachine.js';

const LOOP = `
volatile int spins;
void work(void) { spins++; }
void _start(void) {
  for (;;) work();
}
`;

class Client {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { this.buf += d; for (const w of this.waiters.splice(0)) w(); });
  }
  /** Next packet payload (acks skipped). */
  async packet(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.buf = this.buf.replace(/^[+-]+/, '');
      const m = /^\$([^#]*)#[0-9a-f]{2}/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        this.sock.write('+');
        return m[1];
      }
      if (Date.now() > deadline) throw new Error(`no packet; buffer: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }
  async ask(p: string): Promise<string> {
    this.sock.write(frame(p));
    return this.packet();
  }
}

describe.skipIf(!haveGcc32())('gdb stub protocol', () => {
  let prog = '';
  beforeAll(() => { prog = buildFreestanding(LOOP, 'loop'); });

  it('answers ?, g, m, Z0/c, Ctrl-C, monitor and k', async () => {
    const target = loadBare(prog);
    const stub = new GdbStub(target, readFileSync(prog), { port: 0, log: () => {} });
    let port = 0;
    const done = stub.serve((p) => { port = p; });
    while (port === 0) await new Promise((r) => setTimeout(r, 10));
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.on('connect', r));
    const c = new Client(sock);
    expect(await c.ask('qSupported:multiprocess+;swbreak+')).toMatch(/^multiprocess\+;PacketSize=[0-9a-f]+;qXfer:features:read\+/);
    expect(await c.ask('?')).toBe('T05thread:p1.1;');
    const g = await c.ask('g');
    expect(g).toHaveLength(624);
    const eip = parseInt(g.slice(64, 72).match(/../g)!.reverse().join(''), 16);
    expect(eip).toBe(target.cpu.eip >>> 0);
    expect(await c.ask(`m${eip.toString(16)},1`)).toMatch(/^[0-9a-f]{2}$/);
    expect(await c.ask('m0,4')).toBe('E14');
    const work = SymbolTable.fromImage(readFileSync(prog)).lookup('work')!;
    expect(await c.ask(`Z0,${work.addr.toString(16)},1`)).toBe('OK');
    expect(await c.ask('vCont;c')).toBe('T05swbreak:;thread:p1.1;');
    expect(target.cpu.eip >>> 0).toBe(work.addr);
    expect(await c.ask(`z0,${work.addr.toString(16)},1`)).toBe('OK');
    // Run forever, then interrupt with Ctrl-C.
    sock.write(frame('c'));
    await new Promise((r) => setTimeout(r, 200));
    sock.write('\x03');
    expect(await c.packet()).toBe('T02thread:p1.1;');
    const mon = await c.ask(`qRcmd,${textToHex('pagewalk $esp')}`);
    expect(mon[0]).toBe('O');
    expect(hexToText(mon.slice(1))).toMatch(/^linear 0x[0-9a-f]{8}: directory index 767/);
    expect(await c.packet()).toBe('OK');
    const frame0 = await c.ask(`qRcmd,${textToHex(`frames at ${target.cpu.regs[4] >>> 0}`)}`);
    expect(hexToText(frame0.slice(1))).toMatch(/-> physical 0x[0-9a-f]{8}\nframe 0x[0-9a-f]{8} \(pfn 0x[0-9a-f]+\): refcount 1/);
    expect(await c.packet()).toBe('OK');
    expect(await c.ask('vKill;1')).toBe('OK');
    expect(await done).toMatchObject({ how: 'killed' });
    sock.destroy();
  }, 20_000);
});
