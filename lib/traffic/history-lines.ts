// A history client's output (lib/traffic/history-client.ts for etcd, pg-client.ts for
// PostgreSQL): history events and `#` lines, to stdout or to a history file
// (lib/traffic/history-file.ts), batched into one write per tick (the difference at 1000
// lines/s), timed in monotonic ns since the client started.
import type { HistoryEvent } from '../history/events.ts';

/** The client's last line; `lines=<n>` counts every line before it, so a reader can tell a gap. */
export const CLIENT_DONE = '# done';

export class HistoryLines {
  private readonly t0 = process.hrtime.bigint();
  private buffer = '';
  private lines = 0;
  private readonly write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.write = write;
  }

  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  emit(line: string): void {
    this.buffer += `${line}\n`;
    this.lines++;
    if (this.buffer.length === line.length + 1) setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.buffer === '') return;
    this.write(this.buffer);
    this.buffer = '';
  }

  event(e: HistoryEvent): void {
    this.emit(JSON.stringify(e));
  }

  /** The end line, written at once. */
  done(ops: number): void {
    this.emit(`${CLIENT_DONE} ${ops} lines=${this.lines}`);
    this.flush();
  }
}

/**
 * The lines a client says it wrote before its end line, or undefined when the end line
 * does not say (a client from before `lines=`).
 */
export function linesBeforeDone(doneLine: string): number | undefined {
  const m = / lines=(\d+)$/.exec(doneLine);
  return m ? Number(m[1]) : undefined;
}
