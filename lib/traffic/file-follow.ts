// Follows the history client's file (lib/traffic/history-file.ts) by exec: READER_SCRIPT
// streams the file from the offset of the last complete line held, for a window, and
// is run again when it ends, breaks, or goes silent; chunks of an exec that was replaced
// are dropped, so only one exec feeds the lines at a time. The exec runs in the reader
// container, which shares the file's volume, so the file stays readable after the
// client's container exits (or dies).
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { OffsetLines, READER_SCRIPT } from './history-file.ts';

export interface FileFollower {
  readonly reader: OffsetLines;
  /** How many times a read was started again after one ended, broke or stalled. */
  reopened(): number;
  /** Resolves when a line satisfies `isLast`; rejects at the deadline, or when the file cannot be read on, saying what it saw. */
  until(deadline: number): Promise<void>;
  close(): void;
}

export interface FileSource {
  readonly ns: string;
  readonly pod: string;
  readonly container: string;
  readonly file: string;
}

export function followFile(cluster: Cluster, src: FileSource, isLast: (line: string) => boolean): FileFollower {
  const reader = new OffsetLines();
  const where = `${src.file} in pod ${src.ns}/${src.pod} (container ${src.container})`;
  let finished = false;
  let closed = false;
  let fatal = '';
  let lastError = '';
  let lastData = Date.now();
  let generation = 0;
  let socket: { close(): void } | undefined;
  const waiters: { resolve(): void; reject(err: Error): void }[] = [];
  const settle = (): void => {
    for (const w of waiters.splice(0)) fatal ? w.reject(new Error(fatal)) : w.resolve();
  };
  // Both an exec's status and its socket's close ask for the next read: only the first counts.
  // Unref'd, as is the watchdog: a run that ends on an error without stopping its traffic
  // (teardown does not) must not be kept alive by reads that nobody awaits.
  const again = (mine: number, delayMs: number): void => {
    setTimeout(() => {
      if (mine === generation) void open();
    }, delayMs).unref();
  };
  const open = async (): Promise<void> => {
    if (closed || finished || fatal) return;
    const mine = ++generation;
    socket?.close();
    socket = undefined;
    reader.resume();
    lastData = Date.now();
    const stderr: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (mine === generation && !finished) {
          lastData = Date.now();
          if (reader.push(chunk).some(isLast)) {
            finished = true;
            socket?.close();
            settle();
          }
        }
        cb();
      },
    });
    const err = new Writable({
      write(chunk: Buffer, _enc, cb) {
        stderr.push(Buffer.from(chunk));
        cb();
      },
    });
    const command = ['node', '-e', READER_SCRIPT, src.file, String(reader.offset), String(TIMEOUTS.historyReadWindow)];
    try {
      await cluster.beforeExec?.(src.ns, src.pod);
      const ws = await new k8s.Exec(cluster.kc).exec(src.ns, src.pod, src.container, command, out, err, null, false, (status) => {
        if (mine !== generation || finished) return;
        if (status.status === 'Success') return again(mine, 0);
        const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
        const said = `the reader exited ${code}: ${Buffer.concat(stderr).toString('utf8').trim()}`;
        // 3: the file is shorter than the offset, which no later read can mend; any other exit (killed, out of memory) may pass.
        if (code === '3') {
          fatal = `reading ${where} from byte ${reader.offset}: ${said}`;
          return settle();
        }
        lastError = code === undefined ? (status.message ?? status.reason ?? 'Failure') : said;
        again(mine, TIMEOUTS.clientLogReconnect);
      });
      // Opened after it was replaced (a stall) or closed: nothing reads it.
      if (mine !== generation || closed || finished) ws.close();
      else socket = ws;
      ws.on('close', () => again(mine, TIMEOUTS.clientLogReconnect));
    } catch (e) {
      lastError = describeError(e);
      again(mine, TIMEOUTS.clientLogReconnect);
    }
  };
  // The client writes a line every few seconds: a read silent for longer has broken.
  const watchdog = setInterval(() => {
    if (!finished && !closed && !fatal && Date.now() - lastData > TIMEOUTS.clientLogStall) {
      lastError = `no bytes for ${TIMEOUTS.clientLogStall / 1000} s`;
      void open();
    }
  }, TIMEOUTS.waitTick);
  watchdog.unref();
  void open();
  return {
    reader,
    reopened: () => Math.max(0, generation - 1),
    until(deadline) {
      if (finished) return Promise.resolve();
      if (fatal) return Promise.reject(new Error(fatal));
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => {
            const last = reader.lines.at(-1) ?? '(none)';
            reject(
              new Error(
                `${where}: no end line by the deadline; read ${reader.lines.length} lines (${reader.offset} bytes), read started ${generation} time(s); last line: ${last.slice(0, 160)}${lastError ? `; last read error: ${lastError}` : ''}`,
              ),
            );
          },
          Math.max(0, deadline - Date.now()),
        );
        waiters.push({
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
          reject: (err) => {
            clearTimeout(t);
            reject(err);
          },
        });
      });
    },
    close() {
      closed = true;
      clearInterval(watchdog);
      socket?.close();
    },
  };
}
