// How many random cases a differential test runs, from an environment variable: a positive
// integer, or the default when unset. 0 (or anything else) is refused, since a loop over no
// cases would pass without checking anything.
export function caseCountEnv(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: the case count must be a positive integer (0 would make the differential tests pass without comparing anything)`);
  return n;
}
