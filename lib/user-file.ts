// Files the user names on the command line (--manifest, --acked, --out, --report-dir) are
// read and written here only, so each one gets the same guards: a regular file (a FIFO
// would block forever, /dev/zero never ends), a size cap counted on the bytes actually
// read (a file may grow after fstat, a /proc file reports 0), and one line naming the
// flag and the path when anything is wrong (UsageError: exit 2).
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError, describeError } from './errors.ts';

/** What a path is, in words, when it is not the regular file or directory asked for. */
export function fileKind(s: Stats): string {
  if (s.isFile()) return 'a regular file';
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'neither a file nor a directory';
}

const mib = (n: number): string => (n < 2 ** 20 ? `${n} bytes` : `${Math.round((n / 2 ** 20) * 10) / 10} MiB`);

/**
 * Reads a regular file of at most `maxBytes` bytes as UTF-8 text. `label` is the flag that
 * named it (`--manifest`): every error is one line `<label> <file>: why`.
 */
export function readUserFile(label: string, file: string, maxBytes: number): string {
  const bad = (why: string): UsageError => new UsageError(`${label} ${file}: ${why}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw bad(`cannot read it: ${describeError(err)}`);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw bad(`${fileKind(s)}, not a regular file`);
    if (s.size > maxBytes) throw bad(`${mib(s.size)}, more than the ${mib(maxBytes)} it may hold`);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(s.size - length, 0) + 1, 2 ** 20));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) throw bad(`grew past ${mib(maxBytes)} while being read`);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, length));
    } catch {
      throw bad('not UTF-8 text');
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw bad(`cannot read it: ${describeError(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to a regular file (created or replaced); a directory, FIFO or device is refused. */
export function writeUserFile(label: string, file: string, text: string): void {
  const bad = (why: string): UsageError => new UsageError(`${label} ${file}: ${why}`);
  const existing = statOf(file);
  if (existing && !existing.isFile()) throw bad(`${fileKind(existing)}, not a regular file`);
  try {
    // O_NONBLOCK: a FIFO put in place since the stat fails (ENXIO) instead of waiting for a reader.
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK, 0o644);
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw bad(`cannot write it: ${describeError(err)}`);
  }
}

/**
 * Creates `dir` if needed and proves it writable by creating and removing a file in it,
 * so a run learns before it starts, not after its verdict, that its reports have nowhere to go.
 */
export function ensureWritableDir(label: string, dir: string): void {
  const bad = (why: string): UsageError => new UsageError(`${label} ${dir === '' ? "''" : dir}: ${why}`);
  if (dir === '') throw bad('empty: name a directory (the default is reports)');
  const existing = statOf(dir);
  if (existing && !existing.isDirectory()) throw bad(`${fileKind(existing)}, not a directory`);
  const probe = path.join(dir, `.ordinal-write-check-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe);
  } catch (err) {
    throw bad(`not writable: ${describeError(err)}`);
  }
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
