// lib/user-file.ts: every file a user names is a regular file under a size cap, and
// every refusal is one line naming the flag and the path. FIFOs are real ones (mkfifo):
// the guard must not block on them, so each call here would hang the suite if it did.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { UsageError } from '../../lib/errors.ts';
import { ensureWritableDir, readUserFile, writeUserFile } from '../../lib/user-file.ts';
import { mkfifo } from './helpers/fifo.ts';

/** The one line a UsageError carries (and that it is one line). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    const m = (err as Error).message;
    expect(m.split('\n'), m).to.have.length(1);
    return m;
  }
  throw new Error('expected a UsageError, got none');
}

describe('user files: read, written and report directories guarded', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-user-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular UTF-8 file under the cap, exactly', () => {
    const f = path.join(dir, 'a.yaml');
    writeFileSync(f, 'kind: x\n€\n');
    expect(readUserFile('--manifest', f, 64)).to.equal('kind: x\n€\n');
    // Exactly at the cap is allowed; one byte over is not.
    writeFileSync(f, 'x'.repeat(64));
    expect(readUserFile('--manifest', f, 64)).to.have.length(64);
    writeFileSync(f, 'x'.repeat(65));
    expect(refusal(() => readUserFile('--manifest', f, 64))).to.equal(`--manifest ${f}: 65 bytes, more than the 64 bytes it may hold`);
  });

  it('counts the bytes read, not the size fstat reports (a /proc file says 0 and yields more)', () => {
    expect(refusal(() => readUserFile('--manifest', '/proc/self/status', 100))).to.equal(
      '--manifest /proc/self/status: grew past 100 bytes while being read',
    );
    expect(readUserFile('--manifest', '/proc/self/status', 1 << 20)).to.match(/^Name:/);
  });

  it('refuses a FIFO, a character device and a directory at once, naming each', () => {
    const fifo = mkfifo(path.join(dir, 'pipe'));
    expect(refusal(() => readUserFile('--acked', fifo, 1024))).to.equal(`--acked ${fifo}: a FIFO, not a regular file`);
    expect(refusal(() => readUserFile('--manifest', '/dev/zero', 1024))).to.equal(
      '--manifest /dev/zero: a character device, not a regular file',
    );
    expect(refusal(() => readUserFile('--manifest', dir, 1024))).to.equal(`--manifest ${dir}: a directory, not a regular file`);
  });

  it('a missing file or one that is not UTF-8 text: one line', () => {
    expect(refusal(() => readUserFile('--manifest', path.join(dir, 'nope'), 1024))).to.match(/^--manifest \S+nope: cannot read it: ENOENT/);
    const bin = path.join(dir, 'bin');
    writeFileSync(bin, Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    expect(refusal(() => readUserFile('--manifest', bin, 1024))).to.equal(`--manifest ${bin}: not UTF-8 text`);
  });

  it('writes a regular file, and refuses a directory or a FIFO without waiting for a reader', () => {
    const out = path.join(dir, 'script.ts');
    writeUserFile('--out', out, 'one');
    writeUserFile('--out', out, 'two');
    expect(readFileSync(out, 'utf8')).to.equal('two');
    expect(refusal(() => writeUserFile('--out', dir, 'x'))).to.equal(`--out ${dir}: a directory, not a regular file`);
    const fifo = mkfifo(path.join(dir, 'pipe'));
    expect(refusal(() => writeUserFile('--out', fifo, 'x'))).to.equal(`--out ${fifo}: a FIFO, not a regular file`);
    expect(refusal(() => writeUserFile('--out', path.join(dir, 'missing', 'x.ts'), 'x'))).to.match(/^--out \S+: cannot write it: ENOENT/);
  });

  it('a report directory: created when missing, proven writable, and nothing left behind', () => {
    const reports = path.join(dir, 'a', 'b');
    ensureWritableDir('--report-dir', reports);
    expect(existsSync(reports)).to.equal(true);
    expect(readdirSync(reports), 'the probe file is removed').to.deep.equal([]);
    ensureWritableDir('--report-dir', reports);
  });

  it("a report directory that is '', a file, under a file, or not writable: one line before the run", () => {
    expect(refusal(() => ensureWritableDir('--report-dir', ''))).to.equal(
      "--report-dir '': empty: name a directory (the default is reports)",
    );
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    expect(refusal(() => ensureWritableDir('--report-dir', file))).to.equal(`--report-dir ${file}: a regular file, not a directory`);
    expect(refusal(() => ensureWritableDir('--report-dir', path.join(file, 'sub')))).to.match(
      /^--report-dir \S+\/f\/sub: not writable: ENOTDIR/,
    );
    // Root passes permission bits, but not /proc, where no file can be created.
    expect(refusal(() => ensureWritableDir('--report-dir', '/proc'))).to.match(/^--report-dir \/proc: not writable: E[A-Z]+/);
  });
});
