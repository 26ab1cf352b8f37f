// The gdb remote stub: a TCP server (127.0.0.1 by default) speaking the remote serial protocol
// to one gdb at a time, over the same Engine as the REPL. It offers the target description,
// registers (g/G/p/P), memory (m/M/X), continue and step (c/s/vCont), software and hardware
// breakpoints and watchpoints (Z0-Z4), stop replies with the signal, thread and watch address,
// Ctrl-C, kill and detach, threads (qfThreadInfo, Hg/Hc, qC), auxv and exec-file through
// qXfer, /proc/PID/maps through vFile (so `info proc mappings` works), reverse execution
// (bs/bc) while recording, and monitor commands (pagewalk, tlb, maps, tasks, frames, stats,
// record) with the REPL's output.
import { createServer, Server, Socket } from 'node:net';
import type { DebugTarget } from '../target.js';
import { Engine, StepControl, StopResult, Watch, WatchKind } from '../engine.js';
import { Recorder } from '../record.js';
import { DebugMemory, MemoryError } from '../memory.js';
import { SymbolTable } from '../symbols.js';
import { pagewalkText, tlbText, framesText, frameAtText, tasksText, statsText } from '../inspect.js';
import { frameText } from '../rmap.js';
import { PacketReader, frame, escapeBinary, unescapeBinary, toHex, fromHex, textToHex, hexToText } from './packets.js';
import { allRegsHex, regHex, setAllRegsHex, setRegHex, targetXml, GDB_REGS } from './registers.js';
import { SIGINT, SIGTRAP } from '../target.js';
import { tlsVariableAddress } from '../tls.js';
import { GS } from '../../cpu/registers.js';

export interface StubOptions {
  port: number;
  host?: string;
  /** Diagnostics (connections, protocol errors) — stderr by default. */
  log?: (s: string) => void;
  /** Log every packet (I386EMU_GDB_TRACE). */
  trace?: boolean;
}

export interface StubResult {
  /** How the session ended. */
  how: 'exited' | 'killed' | 'detached';
  exit: { code: number; signal: number } | null;
}

export class GdbStub {
  readonly engine = new Engine();
  private readonly mem: DebugMemory;
  private readonly symbols: SymbolTable;
  private socket: Socket | null = null;
  private server: Server | null = null;
  private reader = new PacketReader();
  private noAck = false;
  /** gdb asked for the multiprocess extensions: thread ids are pPID.TID. */
  private multi = false;
  private running = false;
  private lastStop: StopResult = { kind: 'signal', signal: SIGTRAP };
  private nextWatchId = 1;
  private readonly zWatches = new Map<string, Watch>();
  private readonly files = new Map<number, Uint8Array>();
  private nextFd = 3;
  private queue: Promise<void> = Promise.resolve();
  private finish: ((r: StubResult) => void) | null = null;
  private log: (s: string) => void;

  constructor(readonly target: DebugTarget, private readonly image: Uint8Array | null, private readonly opts: StubOptions) {
    this.engine.target = target;
    this.engine.bpCheck = () => 1;
    this.symbols = image ? SymbolTable.fromImage(image) : new SymbolTable();
    this.mem = new DebugMemory(() => this.engine.target, this.symbols);
    this.log = opts.log ?? ((s) => process.stderr.write(s + '\n'));
  }

  /** Listens, serves one gdb connection, and resolves when the program ends or gdb kills/detaches. */
  serve(onListening?: (port: number) => void): Promise<StubResult> {
    return new Promise((resolve, reject) => {
      this.finish = (r) => {
        this.server?.close();
        this.socket?.end();
        resolve(r);
      };
      const server = createServer((sock) => this.accept(sock));
      this.server = server;
      server.on('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        const addr = server.address();
        const port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        this.log(`i386emu: waiting for gdb on ${this.opts.host ?? '127.0.0.1'}:${port} (target remote :${port})`);
        onListening?.(port);
      });
    });
  }

  private accept(sock: Socket): void {
    if (this.socket) {
      sock.end();
      return;
    }
    this.socket = sock;
    this.noAck = false;
    this.reader = new PacketReader();
    sock.setEncoding('latin1');
    sock.setNoDelay(true);
    sock.on('data', (chunk: string) => {
      for (const ev of this.reader.push(chunk)) {
        if (ev.kind === 'interrupt') {
          if (this.running) this.engine.interruptRequested = true;
        } else if (ev.kind === 'bad') {
          if (!this.noAck) sock.write('-');
        } else if (ev.kind === 'packet') {
          if (!this.noAck) sock.write('+');
          if (this.opts.trace) this.log(`gdb <- ${ev.data}`);
          // Packets are handled in order; a resume answers later, when the program stops.
          this.queue = this.queue.then(() => this.handle(ev.data)).catch((e) => this.log(`i386emu: gdb stub: ${(e as Error).message}`));
        }
      }
    });
    sock.on('close', () => {
      this.socket = null;
      if (this.finish) {
        // gdb went away without k or D: the program is killed, as gdbserver does for a process it started.
        this.finish({ how: 'killed', exit: this.target.exit });
        this.finish = null;
      }
    });
    sock.on('error', () => { /* closed below */ });
  }

  private send(payload: string): void {
    if (this.opts.trace) this.log(`gdb -> ${payload.length > 200 ? payload.slice(0, 200) + '...' : payload}`);
    this.socket?.write(frame(payload), 'latin1');
  }

  private tid(): number {
    return this.target.tid;
  }

  /** A thread id as gdb expects it (pPID.TID with the multiprocess extensions). */
  /** qGetTLSAddr:THREAD,OFFSET,LM: a thread-local variable of the program (module 1) in that thread. */
  private tlsAddr(p: string): void {
    const m = /^qGetTLSAddr:([^,]+),([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    const tls = this.symbols.tls;
    if (!m || !tls) { this.send('E01'); return; }
    const t = this.target;
    const tid = this.parseThread(m[1]);
    const ctx = tid > 0 && tid !== t.tid ? t.threadState?.(tid) : null;
    const tp = (ctx ? ctx.segBase[GS] : t.cpu.segBase[GS]) >>> 0;
    if (tp === 0) { this.send('E01'); return; }
    this.send(tlsVariableAddress(tp, tls, parseInt(m[2], 16)).toString(16));
  }

  private threadId(tid = this.target.tid): string {
    return this.multi ? `p${this.target.pid.toString(16)}.${tid.toString(16)}` : tid.toString(16);
  }

  /** Parses TID, -1, 0, pPID, pPID.TID, pPID.-1: the thread meant, -1 for all, 0 for any. */
  private parseThread(text: string): number {
    const m = /^p(-?[0-9a-fA-F]+)(?:\.(-?[0-9a-fA-F]+))?$/.exec(text);
    const t = m ? (m[2] ?? '-1') : text;
    if (t === '-1') return -1;
    const n = parseInt(t, 16);
    return Number.isNaN(n) ? -1 : n;
  }

  private stopReply(r: StopResult): string {
    const thread = `thread:${this.threadId()};`;
    const proc = this.multi ? `;process:${this.target.pid.toString(16)}` : '';
    switch (r.kind) {
      case 'exited':
        return (r.signal ? `X${r.signal.toString(16).padStart(2, '0')}` : `W${r.code.toString(16).padStart(2, '0')}`) + proc;
      case 'no-process':
        return 'W00' + proc;
      case 'watch': {
        const w = [...this.zWatches.values()].find((x) => x.id === r.id);
        const kind = w?.kind === 'read' ? 'rwatch' : w?.kind === 'access' ? 'awatch' : 'watch';
        return `T05${kind}:${(w?.addr ?? r.addr).toString(16)};${thread}`;
      }
      case 'breakpoint': return `T05swbreak:;${thread}`;
      case 'interrupted': return `T${SIGINT.toString(16).padStart(2, '0')}${thread}`;
      case 'signal': return `T${r.signal.toString(16).padStart(2, '0')}${thread}`;
      case 'history-end': return `T05replaylog:begin;${thread}`;
      default: return `T05${thread}`;
    }
  }

  private async resume(kind: 'c' | 's'): Promise<void> {
    if (this.target.exit) {
      this.send(this.stopReply({ kind: 'exited', ...this.target.exit }));
      return;
    }
    this.running = true;
    const r = await this.engine.resume(kind === 's' ? new StepControl(1) : null, 1);
    this.running = false;
    this.lastStop = r;
    this.send(this.stopReply(r));
    if (r.kind === 'exited') this.endAfterExit();
  }

  private endAfterExit(): void {
    // gdb normally kills or detaches next; the program is over either way.
  }

  private reverse(kind: 'bs' | 'bc'): void {
    if (!this.engine.recorder) {
      this.send('E01');
      return;
    }
    const r = kind === 'bs' ? this.engine.reverseStep(1) : this.engine.reverseContinue();
    this.lastStop = r.result;
    this.send(this.stopReply(r.result));
  }

  private async handle(p: string): Promise<void> {
    try {
      await this.dispatch(p);
    } catch (e) {
      this.log(`i386emu: gdb stub: error handling "${p.slice(0, 40)}": ${(e as Error).message}`);
      this.send('E01');
    }
  }

  private async dispatch(p: string): Promise<void> {
    const t = this.target;
    const c = t.cpu;
    if (p.startsWith('qSupported')) {
      this.multi = /multiprocess\+/.test(p);
      this.send((this.multi ? 'multiprocess+;' : '') + 'PacketSize=47ff;qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+;ReverseStep+;ReverseContinue+');
      return;
    }
    if (p === 'QStartNoAckMode') { this.send('OK'); this.noAck = true; return; }
    if (p === '?') { this.send(this.stopReply(this.lastStop)); return; }
    if (p === 'g') { this.send(allRegsHex(c)); return; }
    if (p.startsWith('G')) { this.send(setAllRegsHex(c, p.slice(1)) ? 'OK' : 'E01'); return; }
    if (p.startsWith('p')) {
      const n = parseInt(p.slice(1), 16);
      this.send(n < GDB_REGS.length ? regHex(c, n) : 'E01');
      return;
    }
    if (p.startsWith('P')) {
      const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(p);
      this.send(m && setRegHex(c, parseInt(m[1], 16), m[2]) ? 'OK' : 'E01');
      return;
    }
    if (p.startsWith('m')) {
      const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) { this.send('E01'); return; }
      const data = this.mem.readSome(parseInt(m[1], 16), Math.min(parseInt(m[2], 16), 0x4000));
      this.send(data.length ? toHex(data) : 'E14');
      return;
    }
    if (p.startsWith('M') || p.startsWith('X')) {
      const colon = p.indexOf(':');
      const m = /^[MX]([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p.slice(0, colon));
      if (!m || colon < 0) { this.send('E01'); return; }
      const body = p.slice(colon + 1);
      const data = p[0] === 'M' ? fromHex(body) : unescapeBinary(body);
      try {
        if (data.length) this.mem.write(parseInt(m[1], 16), data.subarray(0, parseInt(m[2], 16)));
        this.send('OK');
      } catch (e) {
        this.send(e instanceof MemoryError ? 'E14' : 'E01');
      }
      return;
    }
    if (p === 'c' || p.startsWith('c') || p.startsWith('C')) {
      const addr = /^[cC](?:[0-9a-fA-F]{2})?;?([0-9a-fA-F]+)?$/.exec(p)?.[1];
      if (addr) c.eip = parseInt(addr, 16) | 0;
      await this.resume('c');
      return;
    }
    if (p === 's' || p.startsWith('s') && /^s[0-9a-fA-F]*$/.test(p) || p.startsWith('S')) {
      const addr = /^[sS](?:[0-9a-fA-F]{2};)?([0-9a-fA-F]+)?$/.exec(p)?.[1];
      if (addr) c.eip = parseInt(addr, 16) | 0;
      await this.resume('s');
      return;
    }
    if (p === 'vCont?') { this.send('vCont;c;C;s;S'); return; }
    if (p.startsWith('vCont;')) {
      const actions = p.slice(6).split(';').map((a) => a.split(':'));
      // A step of one particular thread puts that thread on the CPU first (gdb steps a thread
      // over a breakpoint this way after showing another).
      const step = actions.find(([a, tid]) => (a[0] === 's' || a[0] === 'S') && tid !== undefined && this.parseThread(tid) > 0);
      if (step && this.parseThread(step[1]) !== this.tid()) t.selectThread?.(this.parseThread(step[1]));
      const mine = actions.find(([, tid]) => tid === undefined || [-1, 0, this.tid()].includes(this.parseThread(tid))) ?? actions[0];
      const act = mine[0][0];
      await this.resume(act === 's' || act === 'S' ? 's' : 'c');
      return;
    }
    if (p === 'bs' || p === 'bc') { this.reverse(p); return; }
    if (/^[zZ][0-4],/.test(p)) { this.breakpoint(p); return; }
    if (p === 'qfThreadInfo') {
      const tids = t.tasks ? t.tasks().filter((k) => k.pid === t.pid).map((k) => k.tid) : [t.tid];
      this.send('m' + tids.map((x) => this.threadId(x)).join(','));
      return;
    }
    if (p === 'qsThreadInfo') { this.send('l'); return; }
    if (p === 'qC') { this.send(`QC${this.threadId()}`); return; }
    if (/^H[gc]/.test(p)) {
      const tid = this.parseThread(p.slice(2));
      if (p[1] === 'g' && tid > 0 && tid !== t.tid && t.selectThread && !t.selectThread(tid)) { this.send('E01'); return; }
      this.send('OK');
      return;
    }
    if (p.startsWith('T')) { this.send('OK'); return; }
    if (p === 'qAttached') { this.send('0'); return; }
    if (p === 'qOffsets') { this.send('Text=0;Data=0;Bss=0'); return; }
    if (p.startsWith('qGetTLSAddr:')) { this.tlsAddr(p); return; }
    if (p.startsWith('qSymbol')) { this.send('OK'); return; }
    if (p.startsWith('qXfer:')) { this.qxfer(p); return; }
    if (p.startsWith('vFile:')) { this.vfile(p); return; }
    if (p.startsWith('qRcmd,')) { this.monitor(hexToText(p.slice(6))); return; }
    if (p === 'k' || p.startsWith('vKill')) {
      if (p.startsWith('vKill')) this.send('OK');
      this.finish?.({ how: 'killed', exit: t.exit });
      this.finish = null;
      return;
    }
    if (p === 'D' || p.startsWith('D;')) {
      this.send('OK');
      this.engine.bpAddrs.clear();
      this.engine.watches = [];
      this.engine.recorder = null;
      this.engine.syncHooks();
      // Detached: the program runs on to its end without the debugger.
      let r = await this.engine.resume(null);
      while (r.kind !== 'exited' && r.kind !== 'no-process') r = await this.engine.resume(null);
      this.finish?.({ how: 'detached', exit: t.exit });
      this.finish = null;
      return;
    }
    this.send(''); // unsupported: the empty reply
  }

  private breakpoint(p: string): void {
    const m = /^([zZ])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(p);
    if (!m) { this.send('E01'); return; }
    const insert = m[1] === 'Z';
    const type = Number(m[2]);
    const addr = parseInt(m[3], 16) >>> 0;
    const len = parseInt(m[4], 16);
    if (type <= 1) {
      if (insert) this.engine.bpAddrs.add(addr);
      else this.engine.bpAddrs.delete(addr);
      this.send('OK');
      return;
    }
    if (![1, 2, 4, 8].includes(len)) { this.send('E01'); return; }
    const kind: WatchKind = type === 2 ? 'write' : type === 3 ? 'read' : 'access';
    const key = `${type},${addr},${len}`;
    if (insert) {
      const w: Watch = { id: this.nextWatchId++, addr, len, kind, enabled: true, old: 0n };
      w.old = this.engine.readWatchValue(w);
      this.zWatches.set(key, w);
    } else {
      this.zWatches.delete(key);
    }
    this.engine.watches = [...this.zWatches.values()];
    this.engine.syncHooks();
    this.send('OK');
  }

  private sendChunk(data: Uint8Array, offset: number, length: number): void {
    if (offset >= data.length) { this.send('l'); return; }
    const part = data.subarray(offset, offset + length);
    this.send((offset + part.length >= data.length ? 'l' : 'm') + escapeBinary(part));
  }

  private qxfer(p: string): void {
    const m = /^qXfer:([\w-]+):read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (!m) { this.send(''); return; }
    const [, object, annex, off, len] = m;
    const offset = parseInt(off, 16), length = parseInt(len, 16);
    if (object === 'features' && annex === 'target.xml') this.sendChunk(Buffer.from(targetXml()), offset, length);
    else if (object === 'auxv') this.sendChunk(this.target.auxv ? this.target.auxv() : new Uint8Array(0), offset, length);
    else if (object === 'exec-file') this.sendChunk(Buffer.from(this.target.exePath), offset, length);
    else this.send('E00');
  }

  /**
   * vFile: host I/O on the target: /proc/PID/maps, cmdline and exe, and read-only opens of the
   * guest's files (gdb loads shared libraries' symbols through them). The program's
   * own path (what qXfer:exec-file names) opens the loaded image: gdb reads the executable
   * from there when it has no local file by that path, as with the guest's root-relative one.
   */
  private vfile(p: string): void {
    const [op, args = ''] = p.slice(6).split(':');
    const a = args.split(',');
    const t = this.target;
    switch (op) {
      case 'setfs': this.send('F0'); return;
      case 'open': {
        const path = hexToText(a[0]);
        const m = /^\/proc\/(\d+|self)\/(?:task\/\d+\/)?(maps|cmdline|exe)$/.exec(path);
        let data: Uint8Array | null = null;
        if (m && m[2] === 'maps' && t.maps) data = Buffer.from(t.maps() ?? '');
        else if (m && m[2] === 'cmdline') data = Buffer.from(t.exePath + '\0');
        else if ((path === t.exePath || (m && m[2] === 'exe')) && this.image) data = this.image;
        // Any other file (the dynamic linker, shared libraries) as the guest sees it, read-only.
        else if (!m && !path.startsWith('/proc/') && t.readFile) data = t.readFile(path);
        if (!data) { this.send('F-1,2'); return; }
        const fd = this.nextFd++;
        this.files.set(fd, data);
        this.send(`F${fd.toString(16)}`);
        return;
      }
      case 'pread': {
        const data = this.files.get(parseInt(a[0], 16));
        if (!data) { this.send('F-1,9'); return; }
        const count = parseInt(a[1], 16), offset = parseInt(a[2], 16);
        const part = data.subarray(offset, offset + count);
        this.send(`F${part.length.toString(16)};${escapeBinary(part)}`);
        return;
      }
      case 'close': this.files.delete(parseInt(a[0], 16)); this.send('F0'); return;
      case 'readlink': {
        const path = hexToText(a[0]);
        if (/^\/proc\/(\d+|self)\/exe$/.test(path)) {
          const b = Buffer.from(t.exePath);
          this.send(`F${b.length.toString(16)};${escapeBinary(b)}`);
        } else this.send('F-1,2');
        return;
      }
      default: this.send('');
    }
  }

  private monitor(cmd: string): void {
    const t = this.target;
    const [name, ...rest] = cmd.trim().split(/\s+/);
    const arg = rest.join(' ');
    let text: string;
    try {
      switch (name) {
        case 'pagewalk': case 'translate': {
          const addr = arg.startsWith('$') ? this.regByName(arg.slice(1)) : Number(arg);
          if (!Number.isFinite(addr)) throw new Error(`bad address "${arg}"`);
          text = pagewalkText(t, addr);
          break;
        }
        case 'tlb': text = tlbText(t); break;
        case 'maps': text = t.maps ? (t.maps() ?? '').replace(/\n$/, '') : 'no memory areas (no kernel)'; break;
        case 'tasks': text = tasksText(t); break;
        case 'frames': {
          const at = /^at\s+(\S+)$/.exec(arg);
          const v = Number(at ? at[1] : arg);
          if (arg !== '' && !Number.isFinite(v)) throw new Error(`bad address "${arg}"`);
          text = arg === '' ? framesText(t) : at ? frameAtText(t, v) : frameText(t, v);
          break;
        }
        case 'stats': text = statsText(t); break;
        case 'record':
          if (arg === 'stop') { this.engine.recorder = null; text = 'Recording stopped.'; }
          else { this.engine.recorder = new Recorder(t); text = `Recording: reverse-stepi and reverse-continue now work (last ${this.engine.recorder.insnMax} instructions).`; }
          this.engine.syncHooks();
          break;
        case 'help': case undefined: case '':
          text = 'monitor commands: pagewalk ADDR|$reg, tlb, maps, tasks, frames [PHYS | at ADDR], stats, record [stop]';
          break;
        default: text = `unknown monitor command "${name}" (try monitor help)`;
      }
    } catch (e) {
      text = `error: ${(e as Error).message}`;
    }
    this.send('O' + textToHex(text + '\n'));
    this.send('OK');
  }

  private regByName(name: string): number {
    // gdb passes monitor arguments through unexpanded, so its aliases $pc, $sp, $fp arrive here.
    const alias: Record<string, string> = { pc: 'eip', sp: 'esp', fp: 'ebp' };
    const i = GDB_REGS.findIndex((r) => r.name === (alias[name] ?? name));
    if (i < 0) return NaN;
    const hex = regHex(this.target.cpu, i);
    let v = 0;
    for (let k = hex.length - 2; k >= 0; k -= 2) v = v * 256 + parseInt(hex.substr(k, 2), 16);
    return v;
  }
}
