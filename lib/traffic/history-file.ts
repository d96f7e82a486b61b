// The history client's file transport. The client appends its lines to a file on a pod
// volume; the harness reads it by exec from a byte offset, a window at a time
// (READER_SCRIPT, run by the image's node in the pod's reader container), and after
// any exec that ends or breaks it asks again from the end of the last complete line it
// holds (OffsetLines). The file, unlike the container log stream, is not cut when a
// kubelet restarts or a node is faulted, and not rotated at 10 MiB, so no line is lost
// or read twice while the pod lives.
import { openSync, writeSync } from 'node:fs';

/** Appends each text to `file` at once (no buffering in the process: a crash loses only what was never written). */
export function fileWriter(file: string): (text: string) => void {
  const fd = openSync(file, 'a');
  return (text) => {
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
  };
}

/**
 * Run as `node -e READER_SCRIPT <file> <offset> <windowMs>`: writes the file's bytes from
 * `offset` to stdout, following it as it grows, for `windowMs`, then exits 0 once stdout
 * drained. A file not there yet is waited for; a file shorter than `offset` (truncated,
 * or another file) exits 3 saying so, as no resumed read can be right after that.
 * CommonJS and self-contained: it runs in the image's plain node, nothing imported.
 */
export const READER_SCRIPT = `
const fs = require('fs');
const [file, from, windowMs] = process.argv.slice(1);
let pos = Number(from);
const end = Date.now() + Number(windowMs);
const buf = Buffer.alloc(1 << 20);
let fd;
const tick = () => {
  if (fd === undefined) {
    try { fd = fs.openSync(file, 'r'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
  }
  if (fd !== undefined) {
    const size = fs.fstatSync(fd).size;
    if (size < pos) {
      process.stderr.write(file + ' has ' + size + ' bytes, fewer than the offset ' + pos + '\\n');
      process.exitCode = 3;
      return;
    }
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0; ) {
      pos += n;
      if (!process.stdout.write(Buffer.from(buf.subarray(0, n)))) return void process.stdout.once('drain', tick);
    }
  }
  if (Date.now() < end) setTimeout(tick, 100);
};
tick();
`;

/**
 * Splits a file's bytes, read from `offset` on, into lines. `offset` is always the end of
 * the last complete line, so a read resumed there after a failure (`resume`, dropping the
 * partial line) neither loses nor repeats one. Bytes, not characters: a chunk may end
 * inside a UTF-8 sequence, and the offset counts the file's bytes.
 */
export class OffsetLines {
  readonly lines: string[] = [];
  offset = 0;
  private partial: Buffer[] = [];

  /** Forgets the partial line: the next bytes pushed are the file's from `offset`. */
  resume(): void {
    this.partial = [];
  }

  /** The bytes of the partial line held (not yet counted in `offset`). */
  pending(): number {
    return this.partial.reduce((n, b) => n + b.length, 0);
  }

  push(chunk: Buffer): string[] {
    const added: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const bytes = this.partial.length === 0 ? chunk.subarray(start, nl) : Buffer.concat([...this.partial, chunk.subarray(start, nl)]);
      this.partial = [];
      this.offset += bytes.length + 1;
      const line = bytes.toString('utf8');
      this.lines.push(line);
      added.push(line);
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.push(Buffer.from(chunk.subarray(start)));
    return added;
  }
}
