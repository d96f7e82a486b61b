// Progress lines: elapsed time first, plain text (no colour or cursor tricks unless
// stdout is a terminal), so CI logs read the same as a local run.
import { redact } from '../redact.ts';
import { forTerminal } from '../report/escape.ts';

const t0 = performance.now();
const tty = process.stdout.isTTY === true;

/**
 * A progress line. Much of it comes from the cluster (Event messages, pod states, error
 * text), so escape sequences and controls are defused before they reach a terminal.
 */
export function logLine(line: string): void {
  logSafeLine(forTerminal(redact(line)));
}

/** For lines already made safe: the console reporter's, whose verdict verdictLine colours. */
export function logSafeLine(line: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
  for (const l of line.split('\n')) process.stdout.write(`[${s}s] ${l}\n`);
}

export function verdictLine(text: string, ok: boolean): string {
  if (!tty) return text;
  return ok ? `\x1b[1;32m${text}\x1b[0m` : `\x1b[1;31m${text}\x1b[0m`;
}

export function errorLine(message: string): void {
  process.stderr.write(`ordinal: error: ${forTerminal(redact(message))}\n`);
}

/** Something the user should know that does not change the outcome (e.g. a run the history left out). */
export function warnLine(message: string): void {
  process.stderr.write(`ordinal: warning: ${forTerminal(redact(message))}\n`);
}
