// `ordinal check-history <file>` through the real entry point (bin/ordinal.js in a child):
// exit 0 linearizable, 1 not (with the failing sub-history), 2 bad input or unknown.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../../bench/history-gen.ts';
import { describeFailing } from '../../../lib/cli/check-history.ts';
import { formatHistory } from '../../../lib/history/jsonl.ts';
import { pair } from '../../../lib/history/pair.ts';
import { history, r, w } from '../helpers/history-builder.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin', 'ordinal.js');

function ordinal(...args: string[]): { code: number | null; stdout: string[]; stderr: string[] } {
  const res = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, stdout: res.stdout.split('\n').filter(Boolean), stderr: res.stderr.split('\n').filter(Boolean) };
}

describe('cli: ordinal check-history', function () {
  this.timeout(60_000);
  let dir = '';
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-check-history-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a bank history is judged for the bank invariant: exit 0 when it holds, 1 naming the drifted read, 2 without a setup', () => {
    const setup = { p: 9, f: 'write' as const, value: { 0: 5, 1: 5 }, call: 0, ret: 1, key: 'accounts', pod: 'db-0' };
    const transfer = { p: 0, f: 'transfer' as const, value: [0, 1, 2], call: 2, ret: 3, key: 'accounts', pod: 'db-0' };
    const read = (b: Record<string, number>) => ({ p: 1, f: 'read' as const, value: b, call: 4, ret: 5, key: 'accounts', pod: 'db-1' });
    const ok = ordinal('check-history', file('bank.jsonl', formatHistory(history(setup, transfer, read({ 0: 3, 1: 7 })))));
    expect(ok.code, ok.stdout.join('\n')).to.equal(0);
    expect(ok.stdout[0]).to.match(/: bank invariant holds: all 1 reads saw total 10 over 2 accounts/);
    const bad = ordinal('check-history', file('drift.jsonl', formatHistory(history(setup, transfer, read({ 0: 3, 1: 14 })))));
    expect(bad.code).to.equal(1);
    expect(bad.stdout[0]).to.match(/: bank invariant BROKEN: 1 of 1 reads .*first pod db-1 read 0:3 1:14: total 17, expected 10 \(\+7\)/);
    const none = ordinal('check-history', file('nosetup.jsonl', formatHistory(history(transfer, read({ 0: 3, 1: 7 })))));
    expect(none.code).to.equal(2);
    expect(none.stdout[0]).to.match(/could not judge: .*no setup write/);
  });

  it('a linearizable history: exit 0 and one line', () => {
    const p = file('ok.jsonl', formatHistory(history(w(0, 1, 0, 10), r(1, 1, 20, 30))));
    const res = ordinal('check-history', p);
    expect(res.code).to.equal(0);
    expect(res.stdout).to.deep.equal([`${p}: linearizable (2 operations, 1 key, 2 search steps)`]);
    expect(res.stderr).to.deep.equal([]);
  });

  it('a stale read: exit 1 naming the read, its pod, the value the register held and the concurrent write', () => {
    const events = history(w(0, 1, 0, 10_000_000), w(1, 2, 20_000_000, 30_000_000), w(3, 3, 35_000_000, 60_000_000), {
      ...r(2, 1, 40_000_000, 50_000_000),
      pod: 'etcd-2',
    });
    const p = file('stale.jsonl', formatHistory(events));
    const res = ordinal('check-history', p);
    expect(res.code).to.equal(1);
    expect(res.stdout[0]).to.equal(`${p}: NOT linearizable (4 operations, 1 key, 13 search steps)`);
    expect(res.stdout[1]).to.equal('key "x": no linearization places read 1, process 2, pod etcd-2, [40.000, 50.000] ms, lines 6–7');
    expect(res.stdout[2]).to.equal('  the register held 3 there, in the longest orders the search found');
    expect(res.stdout.slice(3)).to.deep.equal([
      '  3 written by write 3, process 3, [35.000, 60.000] ms, lines 5–8',
      '  concurrent with it (1):',
      '    write 3, process 3, [35.000, 60.000] ms, lines 5–8',
    ]);
  });

  it('--json prints the verdict as JSON', () => {
    const p = file('never.jsonl', formatHistory(history(r(0, 9, 0, 10))));
    const res = ordinal('check-history', '--json', p);
    expect(res.code).to.equal(1);
    const out = JSON.parse(res.stdout.join('\n')) as { valid: boolean; failing: { key: string; op: { value: number } } };
    expect([out.valid, out.failing.key, out.failing.op.value]).to.deep.equal([false, 'x', 9]);
  });

  it('a bad line: exit 2 with one error line naming the file and the line', () => {
    const p = file('bad.jsonl', `${formatHistory(history(w(0, 1, 0, 10)))}{"process":0,"type":"ok"}\n`);
    const res = ordinal('check-history', p);
    expect(res.code).to.equal(2);
    expect(res.stderr).to.deep.equal([`ordinal: error: ${p}: history line 3: f must be read, write, cas, add or transfer, got undefined`]);
  });

  it('a missing file, no file, two files, a bad flag value: exit 2 with one error line', () => {
    expect(ordinal('check-history', path.join(dir, 'nope.jsonl')).stderr).to.deep.equal([
      `ordinal: error: cannot read history ${path.join(dir, 'nope.jsonl')}: ENOENT`,
    ]);
    for (const args of [[], ['a', 'b'], ['--max-steps', '0', 'a'], ['--frobnicate', 'a']]) {
      const res = ordinal('check-history', ...args);
      expect(res.code, args.join(' ')).to.equal(2);
      expect(res.stderr, args.join(' ')).to.have.length(1);
    }
  });

  it('a search that runs out of budget: exit 2, never 0, with the reason', () => {
    const p = file('big.jsonl', formatHistory(generate({ seed: 4, operations: 3000, processes: 8, keys: 1 }).events));
    expect(ordinal('check-history', p).code).to.equal(0);
    const res = ordinal('check-history', '--max-steps', '100', p);
    expect(res.code).to.equal(2);
    expect(res.stderr).to.deep.equal([
      `ordinal: error: ${p}: could not judge linearizability: key "k0": step budget exhausted after 101 steps on 2738 operations; raise --max-steps or --max-ms`,
    ]);
  });

  it('prints the first 20 concurrent operations and counts the rest', () => {
    // Built by hand: a search over 25 mutually concurrent operations would be exponential.
    const ops = pair(history(...Array.from({ length: 25 }, (_, k) => w(k, k + 1, 0, 100)), r(30, 999, 50, 60)));
    const lines = describeFailing({ key: 'x', op: ops[25]!, concurrent: ops.slice(0, 25), values: [25] }, 0);
    expect(lines[2]).to.equal('  concurrent with it (25):');
    expect(lines.join('\n')).not.to.match(/written by/);
    expect(lines.slice(3)).to.have.length(21);
    expect(lines.at(-1)).to.equal('    … and 5 more (--json lists them all)');
  });

  it('--help: exit 0, lists the exit codes', () => {
    const res = ordinal('check-history', '--help');
    expect(res.code).to.equal(0);
    expect(res.stdout.join('\n')).to.match(/Exit 0: linearizable; 1: not/);
  });
});
