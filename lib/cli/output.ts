// Progress lines: elapsed time first, plain text (no colour or cursor tricks unless
// stdout is a terminal), so CI logs read the same as a local run.
const t0 = performance.now();
const tty = process.stdout.isTTY === true;

export function logLine(line: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
  for (const l of line.split('\n')) process.stdout.write(`[${s}s] ${l}\n`);
}

export function verdictLine(text: string, ok: boolean): string {
  if (!tty) return text;
  return ok ? `\x1b[1;32m${text}\x1b[0m` : `\x1b[1;31m${text}\x1b[0m`;
}

export function errorLine(message: string): void {
  process.stderr.write(`ordinal: error: ${message}\n`);
}

/** Something the user should know that does not change the outcome (e.g. a run the history left out). */
export function warnLine(message: string): void {
  process.stderr.write(`ordinal: warning: ${message}\n`);
}
