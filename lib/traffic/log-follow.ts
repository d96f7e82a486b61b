// Follows a pod's log (the API's follow=true stream, with the runtime's timestamps) and keeps
// every line, reconnecting when the stream ends or stalls before the line that says the
// program is done. A reconnect asks from the last second seen (sinceTime has second
// precision) and skips what it already has, by timestamp and by how many lines carried the
// last timestamp, so no line is kept twice or lost while the container's log is there.
import { Writable } from 'node:stream';
import { Log } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';

/** `2026-12-06T15:20:00.12Z` → `2026-12-06T15:20:00.120000000Z`, so that timestamps compare as strings. */
export function normalizeTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Splits timestamped log text into lines, skipping those at or before (`lastTs`, `atLast` lines with it). */
export class LineCollector {
  readonly lines: string[] = [];
  private partial = '';
  lastTs = '';
  private atLast = 0;
  private skipAtLast = 0;

  /** Called before a reconnect: lines with the last timestamp seen are skipped up to their count. */
  resume(): void {
    this.partial = '';
    this.skipAtLast = this.atLast;
  }

  push(text: string): string[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    const added: string[] = [];
    for (const raw of parts) {
      const sp = raw.indexOf(' ');
      if (sp < 0) continue;
      const ts = normalizeTimestamp(raw.slice(0, sp));
      if (ts < this.lastTs) continue;
      if (ts === this.lastTs) {
        if (this.skipAtLast > 0) {
          this.skipAtLast--;
          continue;
        }
        this.atLast++;
      } else {
        this.lastTs = ts;
        this.atLast = 1;
        this.skipAtLast = 0;
      }
      const line = raw.slice(sp + 1);
      this.lines.push(line);
      added.push(line);
    }
    return added;
  }
}

export interface Follower {
  readonly collector: LineCollector;
  /** How many times the stream was opened again after it ended, stalled or failed. */
  reconnects(): number;
  /** Resolves when a line satisfies `isLast`, or rejects at the deadline naming the last line seen. */
  until(deadline: number): Promise<void>;
  close(): void;
}

export function followLog(cluster: Cluster, ns: string, pod: string, container: string, isLast: (line: string) => boolean): Follower {
  const collector = new LineCollector();
  let finished = false;
  let closed = false;
  let lastData = Date.now();
  let controller: AbortController | undefined;
  let connecting = false;
  // Only the newest stream feeds the collector: an aborted one can still deliver a chunk or
  // end after its replacement started, and two streams into one line buffer garble lines.
  let generation = 0;
  let lastError = '';
  const waiters: (() => void)[] = [];
  const connect = async (): Promise<void> => {
    if (closed || finished || connecting) return;
    connecting = true;
    const mine = ++generation;
    collector.resume();
    const since = collector.lastTs === '' ? {} : { sinceTime: collector.lastTs.replace(/\.\d+Z$/, 'Z') };
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (mine !== generation) return cb();
        lastData = Date.now();
        for (const l of collector.push(chunk.toString('utf8'))) if (isLast(l)) finished = true;
        if (finished) for (const w of waiters.splice(0)) w();
        cb();
      },
    });
    // Aborting the request (close, or a stall) errors the response stream piped in here: expected, and handled by reconnecting.
    sink.on('pipe', (src) => src.on('error', (err: Error) => (lastError = err.message)));
    sink.on('finish', () => {
      if (!finished && !closed && mine === generation) setTimeout(() => void connect(), TIMEOUTS.clientLogReconnect);
    });
    try {
      lastData = Date.now();
      controller = await new Log(cluster.kc).log(ns, pod, container, sink, { follow: true, timestamps: true, ...since });
    } catch (err) {
      lastError = describeError(err);
      if (mine === generation) setTimeout(() => void connect(), TIMEOUTS.clientLogReconnect);
    } finally {
      connecting = false;
    }
  };
  // The client prints a line every few seconds: a stream silent for longer has broken.
  const watchdog = setInterval(() => {
    if (!finished && !closed && Date.now() - lastData > TIMEOUTS.clientLogStall) {
      controller?.abort();
      lastData = Date.now();
      void connect();
    }
  }, TIMEOUTS.waitTick);
  void connect();
  return {
    collector,
    reconnects: () => Math.max(0, generation - 1),
    until(deadline) {
      if (finished) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => {
            const last = collector.lines.at(-1) ?? '(none)';
            reject(
              new Error(
                `pod ${ns}/${pod}: no end line in its log by the deadline; last line: ${last.slice(0, 160)}${lastError ? `; last stream error: ${lastError}` : ''}`,
              ),
            );
          },
          Math.max(0, deadline - Date.now()),
        );
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    close() {
      closed = true;
      clearInterval(watchdog);
      controller?.abort();
    },
  };
}
