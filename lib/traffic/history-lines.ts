// A history client's output (lib/traffic/history-client.ts for etcd, pg-client.ts for
// PostgreSQL): history events and `#` lines on stdout, batched into one write per tick
// (the difference at 1000 lines/s), timed in monotonic ns since the client started.
import type { HistoryEvent } from '../history/events.ts';

export class HistoryLines {
  private readonly t0 = process.hrtime.bigint();
  private buffer = '';
  private readonly write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.write = write;
  }

  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  emit(line: string): void {
    this.buffer += `${line}\n`;
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
}
