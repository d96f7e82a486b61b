// The history client's file transport without a cluster: OffsetLines splitting bytes into
// lines and resuming at the end of the last complete line, READER_SCRIPT run by this
// machine's node on a real file (the same script the pod's node runs), fileWriter, and
// the end line's count that lets the harness tell a gap.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { fileWriter, OffsetLines, READER_SCRIPT } from '../../../lib/traffic/history-file.ts';
import { HistoryLines, linesBeforeDone } from '../../../lib/traffic/history-lines.ts';

/** A seeded PRNG (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs READER_SCRIPT on `file` from `offset` for `windowMs`: its stdout bytes and exit code. */
function readOnce(file: string, offset: number, windowMs: number): { out: Buffer; code: number | null; err: string } {
  const r = spawnSync(process.execPath, ['-e', READER_SCRIPT, file, String(offset), String(windowMs)], { timeout: 20_000 });
  return { out: r.stdout, code: r.status, err: r.stderr.toString('utf8') };
}

describe('history file: OffsetLines', function () {
  it('joins a line split across chunks and counts the bytes of complete lines only', () => {
    const r = new OffsetLines();
    expect(r.push(Buffer.from('{"a":1}\n{"b"'))).to.deep.equal(['{"a":1}']);
    expect(r.offset).to.equal(8);
    expect(r.pending()).to.equal(4);
    expect(r.push(Buffer.from(':2}\n# ops 3\n'))).to.deep.equal(['{"b":2}', '# ops 3']);
    expect(r.offset).to.equal(8 + 8 + 8);
    expect(r.pending()).to.equal(0);
  });

  it('counts bytes, not characters, and decodes a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('é€\nx\n', 'utf8');
    const r = new OffsetLines();
    r.push(bytes.subarray(0, 1));
    r.push(bytes.subarray(1, 4));
    r.push(bytes.subarray(4));
    expect(r.lines).to.deep.equal(['é€', 'x']);
    expect(r.offset).to.equal(bytes.length);
  });

  it('after a broken read, resuming at its offset drops the partial line and loses or repeats nothing', () => {
    const r = new OffsetLines();
    r.push(Buffer.from('one\ntw'));
    r.resume();
    const file = Buffer.from('one\ntwo\nthree\n');
    r.push(file.subarray(r.offset));
    expect(r.lines).to.deep.equal(['one', 'two', 'three']);
  });

  it('random chunks and random broken reads over 200 files: the lines read are exactly the file lines', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = rng(seed);
      const lines = Array.from(
        { length: 1 + Math.floor(rand() * 60) },
        (_, i) => `{"i":${i},"v":"${'ü'.repeat(Math.floor(rand() * 30))}"}`,
      );
      const file = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
      const r = new OffsetLines();
      let reads = 0;
      // Each read starts at the offset and breaks after a random number of bytes, mid-line or not.
      while (r.offset < file.length) {
        assertBelow(++reads, 10_000, seed);
        let pos = r.offset;
        const stopAt = Math.min(file.length, pos + 1 + Math.floor(rand() * 200));
        while (pos < stopAt) {
          const n = Math.min(stopAt - pos, 1 + Math.floor(rand() * 40));
          r.push(file.subarray(pos, pos + n));
          pos += n;
        }
        r.resume();
      }
      expect(r.lines, `seed ${seed}`).to.deep.equal(lines);
      expect(r.offset, `seed ${seed}`).to.equal(file.length);
    }
  });
});

function assertBelow(n: number, most: number, seed: number): void {
  if (n > most) throw new Error(`seed ${seed}: no progress after ${most} reads`);
}

describe('history file: READER_SCRIPT and fileWriter (this machine node, a real file)', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the file from a byte offset and exits 0 at the end of its window', () => {
    const file = path.join(dir, 'h.jsonl');
    writeFileSync(file, 'aa\nbbb\ncc');
    const r = readOnce(file, 3, 300);
    expect(r.code).to.equal(0);
    expect(r.out.toString('utf8')).to.equal('bbb\ncc');
  });

  it('follows the file as it grows, and waits for a file not there yet', async () => {
    const file = path.join(dir, 'later.jsonl');
    const child = spawn(process.execPath, ['-e', READER_SCRIPT, file, '0', '1500']);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(file, 'one\n');
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(file, 'two\n');
    expect(await exited).to.equal(0);
    expect(Buffer.concat(chunks).toString('utf8')).to.equal('one\ntwo\n');
  });

  it('exits 3 naming the sizes when the file is shorter than the offset (truncated: no resumed read can be right)', () => {
    const file = path.join(dir, 'h.jsonl');
    writeFileSync(file, 'aa\nbbb\n');
    truncateSync(file, 2);
    const r = readOnce(file, 7, 300);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/h\.jsonl has 2 bytes, fewer than the offset 7/);
  });

  it('a history written by HistoryLines through fileWriter, read back in windows from each offset, is every line once; the end line counts them', async () => {
    const file = path.join(dir, 'h.jsonl');
    const out = new HistoryLines(fileWriter(file));
    for (let i = 0; i < 5000; i++) out.emit(`{"i":${i}}`);
    out.flush();
    out.emit('# ops 5000');
    out.done(5000);
    const r = new OffsetLines();
    // Each read broken halfway (mid-line) and resumed at the offset, until one short enough to keep whole.
    for (let reads = 0; !r.lines.some((l) => l.startsWith('# done')); reads++) {
      assertBelow(reads, 100, 0);
      const got = readOnce(file, r.offset, 100).out;
      r.push(got.length <= 4096 ? got : got.subarray(0, Math.floor(got.length / 2)));
      r.resume();
    }
    expect(r.lines.length).to.equal(5002);
    expect(r.lines.slice(0, 3)).to.deep.equal(['{"i":0}', '{"i":1}', '{"i":2}']);
    expect(linesBeforeDone(r.lines.at(-1) as string)).to.equal(5001);
    expect(r.offset).to.equal(readFileSync(file).length);
  });
});

describe('history file: the end line', function () {
  it('says how many lines came before it; an end line without the count says nothing', () => {
    let text = '';
    const out = new HistoryLines((t) => {
      text += t;
    });
    out.emit('# start {}');
    out.emit('{"a":1}');
    out.done(1);
    expect(text).to.equal('# start {}\n{"a":1}\n# done 1 lines=2\n');
    expect(linesBeforeDone('# done 1 lines=2')).to.equal(2);
    expect(linesBeforeDone('# done 1')).to.equal(undefined);
  });
});
