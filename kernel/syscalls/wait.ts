// wait4, waitpid and waitid (kernel/exit.c do_wait): which children a pid argument selects
// (one pid, the caller's process group, a group, any), zombies reaped with their status,
// WUNTRACED/WCONTINUED reports of job-control stops, WNOHANG, and sleeping on the process's
// child-exit queue when nothing is ready yet. Children of every thread of the caller count.
import { ECHILD, EINVAL, ESRCH } from '../errno.js';
import { clearUser, copyToUser, putUser32 } from '../mm/uaccess.js';
import { groupInstructions, rusageBytes } from '../proc/cputime.js';
import { releaseTask } from '../proc/exit.js';
import { NS_PER_INSN } from '../proc/sched.js';
import type { Task } from '../proc/task.js';
import { CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SIGCHLD } from '../signal/signal.js';
import type { SyscallContext } from './types.js';

const WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000;
const __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000 | 0;
const P_ALL = 0, P_PID = 1, P_PGID = 2;

type Selector = { kind: 'all' } | { kind: 'pid'; pid: number } | { kind: 'pgid'; pgid: number };

interface Report {
  child: Task;
  /** The wait status word. */
  status: number;
  /** waitid's si_code and si_status. */
  code: number;
  siStatus: number;
  reap: boolean;
}

function selects(sel: Selector, t: Task): boolean {
  if (sel.kind === 'all') return true;
  if (sel.kind === 'pid') return t.pid === sel.pid;
  return t.pgid === sel.pgid;
}

/** The first child with something to report under options, or whether any child matched. */
function findReport(me: Task, sel: Selector, options: number): Report | 'none' | 'wait' {
  let any = false;
  for (const parent of me.group.threads) {
    for (const ch of parent.children) {
      if (!selects(sel, ch)) continue;
      any = true;
      const g = ch.group;
      const alive = g.threads.some((x) => !x.exited);
      if (ch.state === 'zombie' && !alive && options & WEXITED) {
        const code = ch.exitCode;
        const sig = code & 0x7f;
        return {
          child: ch, status: code, code: sig === 0 ? CLD_EXITED : code & 0x80 ? CLD_DUMPED : CLD_KILLED,
          siStatus: sig === 0 ? (code >> 8) & 0xff : sig, reap: (options & WNOWAIT) === 0,
        };
      }
      if (options & WUNTRACED && g.notifyStopped && g.stopSignal !== 0) {
        if (!(options & WNOWAIT)) g.notifyStopped = false;
        return { child: ch, status: (g.stopSignal << 8) | 0x7f, code: CLD_STOPPED, siStatus: g.stopSignal, reap: false };
      }
      if (options & WCONTINUED && g.notifyContinued) {
        if (!(options & WNOWAIT)) g.notifyContinued = false;
        return { child: ch, status: 0xffff, code: CLD_CONTINUED, siStatus: SIGCHLD + 1, reap: false };
      }
    }
  }
  return any ? 'wait' : 'none';
}

/** Takes a reaped child off the parent's list and frees it (release_task). */
function reap(c: SyscallContext, r: Report): void {
  const ch = r.child;
  const p = ch.parent;
  if (p !== null) p.children.splice(p.children.indexOf(ch), 1);
  ch.parent = null;
  // The child's threads and its own reaped children count as the parent's children's time.
  const g = c.task.group;
  g.childInstructions += groupInstructions(ch.group) + ch.group.childInstructions;
  g.childMaxrssKb = Math.max(g.childMaxrssKb, ch.group.maxrssKb, ch.group.childMaxrssKb);
  releaseTask(c.sched, ch);
}

function doWait(c: SyscallContext, sel: Selector, options: number): Report | number {
  const r = findReport(c.task, sel, options);
  if (r === 'none') return -ECHILD;
  if (r === 'wait') {
    if (options & WNOHANG) return 0;
    return c.block([c.task.group.childWait], -1n);
  }
  if (r.reap) reap(c, r);
  return r;
}

/** The reported child's rusage: its own time and its reaped children's (RUSAGE_BOTH). */
function childRusage(ch: Task): Uint8Array {
  const g = ch.group;
  return rusageBytes(BigInt(groupInstructions(g) + g.childInstructions) * NS_PER_INSN, Math.max(g.maxrssKb, g.childMaxrssKb));
}

function selectorFor(c: SyscallContext, pid: number): Selector {
  if (pid === -1) return { kind: 'all' };
  if (pid > 0) return { kind: 'pid', pid };
  return { kind: 'pgid', pgid: pid === 0 ? c.task.pgid : -pid };
}

export function sysWait4(c: SyscallContext, pid: number, statusPtr: number, options: number, rusage: number): number {
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (pid === -0x80000000) return -ESRCH;
  const r = doWait(c, selectorFor(c, pid), options | WEXITED);
  if (typeof r === 'number') return r;
  if (statusPtr !== 0) putUser32(c.mm, statusPtr, r.status);
  if (rusage !== 0) copyToUser(c.mm, rusage, childRusage(r.child));
  return r.child.pid;
}

export function sysWaitpid(c: SyscallContext, pid: number, statusPtr: number, options: number): number {
  return sysWait4(c, pid, statusPtr, options, 0);
}

export function sysWaitid(c: SyscallContext, idtype: number, id: number, infop: number, options: number, rusage: number): number {
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  let sel: Selector;
  if (idtype === P_ALL) sel = { kind: 'all' };
  else if (idtype === P_PID) {
    if (id <= 0) return -EINVAL;
    sel = { kind: 'pid', pid: id };
  } else if (idtype === P_PGID) {
    if (id < 0) return -EINVAL;
    sel = { kind: 'pgid', pgid: id === 0 ? c.task.pgid : id };
  } else return -EINVAL;
  const r = doWait(c, sel, options);
  if (typeof r === 'number') {
    if (r === 0 && infop !== 0) clearUser(c.mm, infop, 128);
    return r;
  }
  if (infop !== 0) {
    const b = new Uint8Array(128);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, SIGCHLD, true);
    dv.setInt32(8, r.code, true);
    dv.setInt32(12, r.child.pid, true);
    dv.setInt32(16, r.child.cred.uid, true);
    dv.setInt32(20, r.siStatus, true);
    copyToUser(c.mm, infop, b);
  }
  if (rusage !== 0) copyToUser(c.mm, rusage, childRusage(r.child));
  return 0;
}
