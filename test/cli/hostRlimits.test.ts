import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostRlimits, parseStackLimit } from '../../src/cli/hostRlimits.js';
import { RLIM_INFINITY, RLIMIT_STACK } from '../../kernel/proc/task.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max stack size            524288               unlimited            bytes     
Max core file size        0                    unlimited            bytes     
`;

describe('host resource limits', () => {
  it('reads the soft and hard stack limit from /proc/PID/limits text', () => {
    expect(parseStackLimit(LIMITS)).toEqual({ cur: 524288n, max: RLIM_INFINITY });
    expect(parseStackLimit(LIMITS.replace('524288 ', 'unlimited'))).toEqual({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
  });

  it('ignores a missing or malformed row', () => {
    expect(parseStackLimit('Max cpu time unlimited unlimited seconds\n')).toBeNull();
    expect(parseStackLimit('Max stack size  lots  unlimited bytes\n')).toBeNull();
  });

  it('gives the kernel RLIMIT_STACK, or nothing when the file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    writeFileSync(join(dir, 'limits'), LIMITS);
    expect(hostRlimits(join(dir, 'limits'))).toEqual({ [RLIMIT_STACK]: { cur: 524288n, max: RLIM_INFINITY } });
    expect(hostRlimits(join(dir, 'missing'))).toEqual({});
  });
});
