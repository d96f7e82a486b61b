// The measured tables in the docs are what the committed data in bench/results/ renders to
// (bench/figures-docs.ts), and each committed aggregate is what its per-run files merge to.
// No cluster: reads the repository.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { merge } from '../../../bench/figures-data.ts';
import { blockRefs, docFiles, REPO_ROOT, rewriteBlocks } from '../../../bench/figures-docs.ts';
import { runFigures } from '../../../bench/figures-run.ts';
import { RESULTS_ROOT, readSet, resolveRef, stableJson, writeSet } from '../../../bench/figures-store.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

// The sets figures-store writes (their aggregate.json names a workload); bench:postgres's
// sets and the reconnect measurement keep another shape, checked in their own spec.
const isFiguresSet = (date: string, name: string): boolean => {
  const agg = path.join(RESULTS_ROOT, date, name, 'aggregate.json');
  return existsSync(agg) && 'workload' in (JSON.parse(readFileSync(agg, 'utf8')) as object);
};
const committedSets = (): { date: string; name: string }[] =>
  (existsSync(RESULTS_ROOT) ? readdirSync(RESULTS_ROOT) : [])
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .flatMap((date) => readdirSync(path.join(RESULTS_ROOT, date)).map((name) => ({ date, name })))
    .filter(({ date, name }) => isFiguresSet(date, name));

describe('bench figures: the docs are generated from bench/results/', () => {
  it('bench/results/ holds committed sets', () => {
    expect(committedSets()).to.not.be.empty;
  });

  it('docs/measured.md has figure blocks, and each names a committed set', () => {
    const refs = blockRefs(readFileSync(path.join(REPO_ROOT, 'docs', 'measured.md'), 'utf8'));
    expect(refs).to.not.be.empty;
    for (const ref of refs) expect(() => resolveRef(RESULTS_ROOT, ref), ref).to.not.throw();
  });

  for (const file of docFiles()) {
    const text = readFileSync(file, 'utf8');
    if (blockRefs(text).length === 0) continue;
    it(`${path.relative(REPO_ROOT, file)}: every figure block equals what the committed data renders to`, () => {
      // On a mismatch: `npm run bench:figures -- --docs`, then review the diff.
      expect(text).to.equal(rewriteBlocks(text, file, RESULTS_ROOT));
    });
  }

  for (const { date, name } of committedSets()) {
    it(`bench/results/${date}/${name}: aggregate.json is what its per-run files merge to`, () => {
      const set = readSet(RESULTS_ROOT, date, name);
      expect(set.runs).to.not.be.empty;
      expect(set.meta).to.include({ date, name });
      expect(set.figures).to.deep.equal(merge(set.meta.workload, set.runs));
      expect(set.figures.runs).to.equal(set.runs.length);
      // The write table's rows (by disruption, and outside every round) add up to the stated totals, run by run.
      for (const r of set.runs) {
        const sum = { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
        for (const k of Object.values(r.kinds)) for (const c of Object.keys(sum) as (keyof typeof sum)[]) sum[c] += k.writes?.[c] ?? 0;
        expect(sum, r.runId).to.deep.equal(r.writes);
      }
    });
  }
});

describe('bench figures: the store and the blocks', () => {
  const results = (seed: number, failed: boolean): RunResult =>
    ({
      schemaVersion: 1,
      runId: `run-${seed}`,
      tool: { name: 'ordinal', version: '0.1.0' },
      seed,
      startedAt: `2026-01-02T00:00:0${seed}Z`,
      finishedAt: `2026-01-02T00:01:0${seed}Z`,
      cluster: { version: 'v1.34.4', nodes: ['a', 'b', 'c'] },
      workload: { kind: 'etcd', replicas: 3 },
      options: { rounds: 1, timeoutSeconds: 300, chaos: ['delete'] },
      checks: [{ id: 'STS-X', status: failed ? 'failed' : 'passed', message: 'two | pods <at once>' }],
      rounds: [
        {
          plan: { round: 1, pattern: 'burst', kills: [{ pod: 'etcd-0', ordinal: 0, action: 'delete' }] },
          startedAt: 0,
          endedAt: 9000,
          converged: true,
          recoveries: [
            { pod: 'etcd-0', round: 1, action: 'delete', expect: 'replaced', killedAt: 10, recovered: true, readyMs: 1500 + seed },
          ],
        },
      ],
    }) as unknown as RunResult;

  let root = '';
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'figures-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes one file per run and the aggregate; reading them back gives the same figures', () => {
    const data = [{ results: results(1, false) }, { results: results(2, true) }];
    const written = writeSet(root, { name: 'soak-etcd', workload: 'etcd', date: '2026-01-02', command: 'x', machine: 'm' }, data);
    expect(readdirSync(path.join(root, '2026-01-02', 'soak-etcd', 'runs')).sort()).to.deep.equal(['run-1.json', 'run-2.json']);
    const read = readSet(root, '2026-01-02', 'soak-etcd');
    expect(read).to.deep.equal(written);
    expect(read.figures.verdicts).to.deep.equal({ passed: 1, failed: 1, error: 0 });
    expect(read.figures.kinds[0]?.readyMs).to.deep.equal({ n: 2, min: 1501, p50: 1501, p95: 1502, max: 1502 });
    expect(read.runs[1]?.problems).to.deep.equal(['STS-X failed: two | pods <at once>']);
    expect(read.runs[0]?.setup).to.deep.equal({
      tool: '0.1.0',
      kubernetes: 'v1.34.4',
      nodes: 3,
      replicas: 3,
      rounds: 1,
      chaos: ['delete'],
    });
  });

  it('a second write of the same set replaces its runs', () => {
    const meta = { name: 's', workload: 'etcd', date: '2026-01-02', command: 'x', machine: 'm' };
    writeSet(root, meta, [{ results: results(1, false) }, { results: results(2, false) }]);
    writeSet(root, meta, [{ results: results(3, false) }]);
    expect(readSet(root, '2026-01-02', 's').runs.map((r) => r.seed)).to.deep.equal([3]);
  });

  it('refuses a malformed date or name', () => {
    const meta = { name: 's', workload: 'etcd', date: '2026-01-02', command: 'x', machine: 'm' };
    expect(() => writeSet(root, { ...meta, date: '../x' }, [])).to.throw(/YYYY-MM-DD/);
    expect(() => writeSet(root, { ...meta, name: '../x' }, [])).to.throw(/name/);
  });

  it('stableJson keeps arrays of plain values on one line, leaves strings alone and parses back to the same value', () => {
    const v = { a: [1, 2.5, -3, 1e21], b: [], c: ['x', 'saw "[1,2]"'], d: { e: [4], f: {} }, g: [{ h: null }] };
    const s = stableJson(v);
    expect(s).to.include('"a": [1, 2.5, -3, 1e+21]');
    expect(s).to.include('"c": ["x", "saw \\"[1,2]\\""]');
    expect(JSON.parse(s)).to.deep.equal(v);
    const run = runFigures({ results: results(1, false) });
    expect(JSON.parse(stableJson(run))).to.deep.equal(run);
  });

  it('renders a fault summary block over several sets, one row per fault kind, and fails on an unknown set', () => {
    const meta = { workload: 'etcd', command: 'x', machine: 'm', date: '2026-01-02' };
    const withFault = (seed: number, kind: 'loss' | 'bandwidth'): RunResult => ({
      ...results(seed, false),
      faults: [
        {
          kind,
          round: 1,
          pod: 'etcd-0',
          node: 'n',
          peers: [],
          confirmedAtMs: 10,
          confirmMs: 4000 + seed,
          healedAtMs: 20,
          healConfirmMs: 900,
        },
      ],
    });
    writeSet(root, { ...meta, name: 'faults-loss' }, [{ results: withFault(1, 'loss') }, { results: withFault(2, 'loss') }]);
    writeSet(root, { ...meta, name: 'faults-bandwidth' }, [{ results: withFault(3, 'bandwidth') }]);
    const doc = path.join(root, 'docs', 'measured.md');
    const text = 'a\n<!-- fault-figures:faults-loss,2026-01-02/faults-bandwidth -->\nstale\n<!-- /figures -->\nb\n';
    const out = rewriteBlocks(text, doc, root);
    expect(out).to.not.include('stale');
    expect(out).to.include(
      '| faults-loss | 2: 2 / 0 / 0 | loss | 2 (2) | 4001 ms / 4002 ms / 4002 ms (n 2) | 900 ms / 900 ms / 900 ms (n 2) | – | – | 0 of 0 (judged in 0 runs, not reached in 2) |',
    );
    expect(out).to.include('| faults-bandwidth | 1: 1 / 0 / 0 | bandwidth | 1 (1) | 4003 ms / 4003 ms / 4003 ms (n 1) |');
    expect(rewriteBlocks(out, doc, root)).to.equal(out);
    expect(blockRefs(out)).to.deep.equal(['faults-loss', '2026-01-02/faults-bandwidth']);
    expect(() => rewriteBlocks(text.replace('faults-loss', 'faults-x'), doc, root)).to.throw(/no faults-x/);
  });

  it('rewrites a stale block from the newest set of that name, leaves the rest of the text alone, and fails on an unknown set', () => {
    const meta = { name: 'soak-etcd', workload: 'etcd', command: 'npm run bench:soak', machine: 'Measured here.' };
    writeSet(root, { ...meta, date: '2026-01-01' }, [{ results: results(1, false) }]);
    writeSet(root, { ...meta, date: '2026-01-02' }, [{ results: results(2, true) }]);
    const doc = path.join(root, 'docs', 'measured.md');
    const text = 'before\n<!-- figures:soak-etcd -->\n| stale | 1 |\n<!-- /figures -->\nafter\n';
    const out = rewriteBlocks(text, doc, root);
    expect(out.startsWith('before\n<!-- figures:soak-etcd -->\n#### etcd: 1 runs (seeds 2): 0 passed, 1 failed, 0 error\n')).to.equal(true);
    expect(out).to.not.include('stale');
    expect(out).to.include('Measured here.');
    expect(out).to.include('Data: [../2026-01-02/soak-etcd/](../2026-01-02/soak-etcd/)');
    expect(out).to.include('| 2 | `run-2` | failed | STS-X failed: two \\| pods &lt;at once> |');
    expect(out.endsWith('<!-- /figures -->\nafter\n')).to.equal(true);
    expect(rewriteBlocks(out, doc, root), 'rendering again changes nothing').to.equal(out);
    expect(rewriteBlocks(text.replace('soak-etcd', '2026-01-01/soak-etcd'), doc, root)).to.include('(seeds 1)');
    expect(() => rewriteBlocks(text.replace('soak-etcd', 'soak-web'), doc, root)).to.throw(/no soak-web/);
  });
});
