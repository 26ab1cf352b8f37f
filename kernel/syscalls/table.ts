// The i386 system call table as data: number, name (from syscall_32.tbl), handler and how
// strace prints each argument. One row drives both dispatch and tracing. Numbers without a
// row answer -ENOSYS.
import * as exec from './exec.js';
import * as fork from './fork.js';
import * as futex from './futex.js';
import * as pipe from './pipe.js';
import * as poll from './poll.js';
import * as wait from './wait.js';
import * as frame from '../signal/frame.js';
import * as fio from './fileio.js';
import * as fsn from './fsnames.js';
import * as flk from './flock.js';
import * as mem from './memory.js';
import * as nm from './namei.js';
import * as proc from './process.js';
import * as sig from './signals.js';
import * as time from './time.js';
import * as tls from './tls.js';
import * as ldt from './ldt.js';
import { syscallName } from './names.js';
import type { ArgFormat, SyscallHandler, SyscallRow } from './types.js';

type Def = [nr: number, handler: SyscallHandler, args: readonly ArgFormat[], ret?: 'hex' | 'none'];

const DEFS: Def[] = [
  // process lifetime and identity
  [1, proc.sysExit, ['int'], 'none'],
  [252, proc.sysExitGroup, ['int'], 'none'],
  [2, fork.sysFork, []],
  [190, fork.sysVfork, []],
  [120, fork.sysClone, ['cloneflags', 'ptr', 'ptr', 'ptr', 'ptr']],
  [435, fork.sysClone3, ['ptr', 'size']],
  [114, wait.sysWait4, ['int', 'ptr', 'hex', 'ptr']],
  [7, wait.sysWaitpid, ['int', 'ptr', 'hex']],
  [284, wait.sysWaitid, ['int', 'int', 'ptr', 'hex', 'ptr']],
  [11, exec.sysExecve, ['epath', 'argv', 'envp']],
  [20, proc.sysGetpid, []],
  [224, proc.sysGettid, []],
  [64, proc.sysGetppid, []],
  [65, proc.sysGetpgrp, []],
  [132, proc.sysGetpgid, ['int']],
  [147, proc.sysGetsid, ['int']],
  [57, proc.sysSetpgid, ['int', 'int']],
  [66, proc.sysSetsid, []],
  [24, proc.sysGetuid16, []],
  [49, proc.sysGeteuid16, []],
  [47, proc.sysGetgid16, []],
  [50, proc.sysGetegid16, []],
  [199, proc.sysGetuid, []],
  [201, proc.sysGeteuid, []],
  [200, proc.sysGetgid, []],
  [202, proc.sysGetegid, []],
  [209, proc.sysGetresuid32, ['ptr', 'ptr', 'ptr']],
  [211, proc.sysGetresgid32, ['ptr', 'ptr', 'ptr']],
  [80, proc.sysGetgroups, ['int', 'ptr']],
  [205, proc.sysGetgroups, ['int', 'ptr']],
  [213, proc.sysSetid, ['int']],
  [214, proc.sysSetid, ['int']],
  [258, proc.sysSetTidAddress, ['ptr']],
  [311, proc.sysSetRobustList, ['ptr', 'size']],
  [312, proc.sysGetRobustList, ['int', 'ptr', 'ptr']],
  [386, proc.sysRseq, ['ptr', 'hex', 'hex', 'hex']],
  [122, proc.sysUname, ['utsname']],
  [60, proc.sysUmask, ['octal']],
  [136, proc.sysPersonality, ['hex']],
  [172, proc.sysPrctl, ['int', 'hex', 'hex', 'hex', 'hex']],
  [340, proc.sysPrlimit64, ['int', 'rlimit', 'rlim64', 'orlim64']],
  [191, proc.sysUgetrlimit, ['rlimit', 'orlim']],
  [76, proc.sysOldGetrlimit, ['rlimit', 'orlim']],
  [75, proc.sysSetrlimit, ['rlimit', 'ptr']],
  [242, proc.sysSchedGetaffinity, ['int', 'size', 'ptr']],
  [241, mem.sysNoop, ['int', 'size', 'ptr']],
  [155, proc.sysSchedGetparam, ['int', 'ptr']],
  [157, mem.sysNoop, ['int']],
  [158, proc.sysSchedYield, []],
  [318, proc.sysGetcpu, ['ptr', 'ptr', 'ptr']],
  [116, proc.sysSysinfo, ['ptr']],
  [77, proc.sysGetrusage, ['int', 'ptr']],
  [43, proc.sysTimes, ['ptr']],
  [240, futex.sysFutex, ['ptr', 'futexop', 'int', 'ptr', 'ptr', 'int']],
  [422, futex.sysFutexTime64, ['ptr', 'futexop', 'int', 'ptr', 'ptr', 'int']],
  [355, proc.sysGetrandom, ['obuf', 'size', 'grndflags']],
  // TLS
  [243, tls.sysSetThreadArea, ['userdesc']],
  [123, ldt.sysModifyLdt, ['int', 'ptr', 'size']],
  [244, tls.sysGetThreadArea, ['ptr']],
  // memory
  [45, mem.sysBrk, ['ptr'], 'hex'],
  [192, mem.sysMmap2, ['ptr', 'size', 'prot', 'mapflags', 'fd', 'pgoff'], 'hex'],
  [90, mem.sysOldMmap, ['ptr'], 'hex'],
  [91, mem.sysMunmap, ['ptr', 'size']],
  [125, mem.sysMprotect, ['ptr', 'size', 'prot']],
  [219, mem.sysMadvise, ['ptr', 'size', 'madvice']],
  [163, mem.sysMremap, ['ptr', 'size', 'size', 'mremapflags', 'ptr'], 'hex'],
  [144, mem.sysMsync, ['ptr', 'size', 'hex']],
  [150, mem.sysMlock, ['ptr', 'size']],
  [151, mem.sysMunlock, ['ptr', 'size']],
  [152, mem.sysMlockall, ['hex']],
  [153, mem.sysMunlockall, []],
  [376, mem.sysMlock2, ['ptr', 'size', 'hex']],
  [218, mem.sysMincore, ['ptr', 'size', 'ptr']],
  // files
  [3, fio.sysRead, ['fd', 'obuf', 'size']],
  [4, fio.sysWrite, ['fd', 'buf', 'size']],
  [145, fio.sysReadv, ['fd', 'oiovec', 'int']],
  [146, fio.sysWritev, ['fd', 'iovec', 'int']],
  [180, fio.sysPread64, ['fd', 'obuf', 'size', 'uint', 'uint']],
  [181, fio.sysPwrite64, ['fd', 'buf', 'size', 'uint', 'uint']],
  [5, fio.sysOpen, ['path', 'oflags', 'omode']],
  [295, fio.sysOpenat, ['dirfd', 'path', 'oflags', 'omode']],
  [8, fio.sysCreat, ['path', 'octal']],
  [6, fio.sysClose, ['fd']],
  [19, fio.sysLseek, ['fd', 'int', 'whence']],
  [140, fio.sysLlseek, ['fd', 'llhi', 'omitted', 'oloff', 'whence']],
  [41, fio.sysDup, ['fd']],
  [63, fio.sysDup2, ['fd', 'fd']],
  [330, fio.sysDup3, ['fd', 'fd', 'oflags']],
  [55, fio.sysFcntl64, ['fd', 'fcntl', 'hex']],
  [221, fio.sysFcntl64, ['fd', 'fcntl', 'hex']],
  [54, fio.sysIoctl, ['fd', 'ioctl', 'ptr']],
  [220, fio.sysGetdents64, ['fd', 'ptr', 'size']],
  [93, fio.sysFtruncate, ['fd', 'int']],
  [194, fio.sysFtruncate64, ['fd', 'uint', 'uint']],
  [118, fio.sysFsync, ['fd']],
  [148, fio.sysFdatasync, ['fd']],
  [94, fio.sysFchmod, ['fd', 'octal']],
  [95, fio.sysFchown16, ['fd', 'int', 'int']],
  [207, fio.sysFchown, ['fd', 'int', 'int']],
  [187, fio.sysSendfile, ['fd', 'fd', 'ptr', 'size']],
  [239, fio.sysSendfile64, ['fd', 'fd', 'ptr', 'size']],
  [143, flk.sysFlock, ['fd', 'int']],
  [36, mem.sysNoop, []],
  [344, mem.sysNoop, ['fd']],
  [250, mem.sysNoop, ['fd', 'uint', 'uint', 'size', 'int']],
  [272, mem.sysNoop, ['fd', 'uint', 'uint', 'uint', 'uint', 'int']],
  [141, fio.sysGetdents, ['fd', 'ptr', 'size']],
  // names and attributes
  [195, nm.sysStat64, ['path', 'stat']],
  [196, nm.sysLstat64, ['path', 'stat']],
  [197, nm.sysFstat64, ['fd', 'stat']],
  [300, nm.sysFstatat64, ['dirfd', 'path', 'stat', 'atflags']],
  [383, nm.sysStatx, ['dirfd', 'path', 'statxflags', 'statxmask', 'statx']],
  [106, nm.sysOldStat, ['path', 'ptr']],
  [107, nm.sysOldLstat, ['path', 'ptr']],
  [108, nm.sysOldFstat, ['fd', 'ptr']],
  [33, nm.sysAccess, ['path', 'accessmode']],
  [307, nm.sysFaccessat, ['dirfd', 'path', 'accessmode']],
  [439, nm.sysFaccessat2, ['dirfd', 'path', 'accessmode', 'atflags']],
  [85, nm.sysReadlink, ['path', 'ostr', 'size']],
  [305, nm.sysReadlinkat, ['dirfd', 'path', 'ostr', 'size']],
  [183, nm.sysGetcwd, ['path', 'size']],
  [12, nm.sysChdir, ['path']],
  [133, nm.sysFchdir, ['fd']],
  [39, fsn.sysMkdir, ['path', 'octal']],
  [296, fsn.sysMkdirat, ['dirfd', 'path', 'octal']],
  [40, fsn.sysRmdir, ['path']],
  [10, fsn.sysUnlink, ['path']],
  [301, fsn.sysUnlinkat, ['dirfd', 'path', 'atflags']],
  [38, fsn.sysRename, ['path', 'path']],
  [302, fsn.sysRenameat, ['dirfd', 'path', 'dirfd', 'path']],
  [353, fsn.sysRenameat2, ['dirfd', 'path', 'dirfd', 'path', 'hex']],
  [9, fsn.sysLink, ['path', 'path']],
  [303, fsn.sysLinkat, ['dirfd', 'path', 'dirfd', 'path', 'atflags']],
  [83, fsn.sysSymlink, ['path', 'path']],
  [304, fsn.sysSymlinkat, ['path', 'dirfd', 'path']],
  [15, fsn.sysChmod, ['path', 'octal']],
  [306, fsn.sysFchmodat, ['dirfd', 'path', 'octal']],
  [452, fsn.sysFchmodat2, ['dirfd', 'path', 'octal', 'atflags']],
  [182, fsn.sysChown16, ['path', 'int', 'int']],
  [16, fsn.sysLchown16, ['path', 'int', 'int']],
  [212, fsn.sysChown, ['path', 'int', 'int']],
  [198, fsn.sysLchown, ['path', 'int', 'int']],
  [298, fsn.sysFchownat, ['dirfd', 'path', 'int', 'int', 'atflags']],
  [320, fsn.sysUtimensat, ['dirfd', 'path', 'ptr', 'atflags']],
  [412, fsn.sysUtimensatTime64, ['dirfd', 'path', 'ptr', 'atflags']],
  [299, fsn.sysFutimesat, ['dirfd', 'path', 'ptr']],
  [271, fsn.sysUtimes, ['path', 'ptr']],
  [30, fsn.sysUtime, ['path', 'ptr']],
  [92, fsn.sysTruncate, ['path', 'int']],
  [193, fsn.sysTruncate64, ['path', 'uint', 'uint']],
  [268, fsn.sysStatfs64, ['path', 'size', 'ptr']],
  [269, fsn.sysFstatfs64, ['fd', 'size', 'ptr']],
  [99, fsn.sysStatfs, ['path', 'ptr']],
  [100, fsn.sysFstatfs, ['fd', 'ptr']],
  // signals
  [174, sig.sysRtSigaction, ['signal', 'ptr', 'ptr', 'size']],
  [67, sig.sysSigaction, ['signal', 'ptr', 'ptr']],
  [48, sig.sysSignal, ['signal', 'ptr'], 'hex'],
  [175, sig.sysRtSigprocmask, ['sighow', 'sigset', 'osigset', 'size']],
  [126, sig.sysSigprocmask, ['sighow', 'ptr', 'ptr']],
  [176, sig.sysRtSigpending, ['osigset', 'size']],
  [186, sig.sysSigaltstack, ['ptr', 'ptr']],
  [37, sig.sysKill, ['int', 'signal']],
  [238, sig.sysTkill, ['int', 'signal']],
  [270, sig.sysTgkill, ['int', 'int', 'signal']],
  [178, sig.sysRtSigqueueinfo, ['int', 'signal', 'ptr']],
  [335, sig.sysRtTgsigqueueinfo, ['int', 'int', 'signal', 'ptr']],
  [179, sig.sysRtSigsuspend, ['sigset', 'size']],
  [72, sig.sysSigsuspend, ['int', 'int', 'hex']],
  [177, sig.sysRtSigtimedwait, ['sigset', 'ptr', 'timespec', 'size']],
  [421, sig.sysRtSigtimedwaitTime64, ['sigset', 'ptr', 'timespec64', 'size']],
  [119, frame.sysSigreturn, [], 'none'],
  [173, frame.sysRtSigreturn, [], 'none'],
  [29, time.sysPause, []],
  [27, time.sysAlarm, ['uint']],
  [104, time.sysSetitimer, ['int', 'ptr', 'ptr']],
  [105, time.sysGetitimer, ['int', 'ptr']],
  [42, pipe.sysPipe, ['ptr']],
  [168, poll.sysPoll, ['ptr', 'uint', 'int']],
  [309, poll.sysPpoll, ['ptr', 'uint', 'timespec', 'sigset', 'size']],
  [414, poll.sysPpollTime64, ['ptr', 'uint', 'timespec64', 'sigset', 'size']],
  [142, poll.sysNewselect, ['int', 'ptr', 'ptr', 'ptr', 'ptr']],
  [82, poll.sysOldSelect, ['ptr']],
  [308, poll.sysPselect6, ['int', 'ptr', 'ptr', 'ptr', 'timespec', 'ptr']],
  [413, poll.sysPselect6Time64, ['int', 'ptr', 'ptr', 'ptr', 'timespec64', 'ptr']],
  [331, pipe.sysPipe2, ['ptr', 'oflags']],
  // time
  [265, time.sysClockGettime, ['clock', 'otimespec']],
  [403, time.sysClockGettime64, ['clock', 'otimespec64']],
  [266, time.sysClockGetres, ['clock', 'otimespec']],
  [406, time.sysClockGetres64, ['clock', 'otimespec64']],
  [78, time.sysGettimeofday, ['ptr', 'ptr']],
  [13, time.sysTime, ['ptr']],
  [162, time.sysNanosleep, ['timespec', 'ptr']],
  [267, time.sysClockNanosleep, ['clock', 'int', 'timespec', 'ptr']],
  [407, time.sysClockNanosleep64, ['clock', 'int', 'timespec64', 'ptr']],
];

function buildTable(): Array<SyscallRow | undefined> {
  const table: Array<SyscallRow | undefined> = [];
  for (const [nr, handler, args, ret] of DEFS) {
    if (table[nr] !== undefined) throw new Error(`syscall ${nr} defined twice`);
    table[nr] = { nr, name: syscallName(nr), handler, args, ret };
  }
  return table;
}

/** Rows indexed by system call number. */
export const SYSCALL_TABLE: ReadonlyArray<SyscallRow | undefined> = buildTable();

/** Numbers of the implemented system calls, ascending. */
export function implementedSyscalls(): number[] {
  return SYSCALL_TABLE.flatMap((r, nr) => (r ? [nr] : []));
}
