// Hostile input, the pure parts (issue #14 item 15): StatefulSet shapes that crashed or
// overwhelmed the run, YAML alias bombs, a --sentinel-path that climbs out of its mount,
// a results.json crafted to stop `ordinal report`, and the history page's cost in check IDs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { UsageError } from '../../../lib/errors.ts';
import { runResultProblem } from '../../../lib/report/history-write.ts';
import type { HistoryRun } from '../../../lib/report/history-grid.ts';
import { renderHistory } from '../../../lib/report/history.ts';
import type { CheckStatus } from '../../../lib/checks/api.ts';
import { statefulSetProblem, workloadFromStatefulSet } from '../../../lib/workloads/derive.ts';
import { MAX_YAML_NODES, parseManifest, withinNodes } from '../../../lib/workloads/manifest.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** A StatefulSet as a user's file holds it; `spec` fields replaced or removed (undefined). */
function sts(spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db-hl',
      replicas: 3,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' } }],
      ...spec,
    },
  };
}

describe('bad input: a StatefulSet the run cannot take is one line, never a crash', () => {
  it('accepts a sound one', () => {
    expect(statefulSetProblem(sts())).to.equal(undefined);
    expect(statefulSetProblem(sts({ replicas: undefined }))).to.equal(undefined);
  });

  it('names what is wrong: template, containers, mounts, replicas, ordinals', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ template: undefined }, 'StatefulSet db has no spec.template.spec'],
      [{ template: { spec: { containers: [] } } }, 'StatefulSet db has no containers'],
      [{ template: { spec: { containers: [{ image: 'x' }] } } }, 'StatefulSet db has a container without a name'],
      [
        { template: { spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'data' }] }] } } },
        'StatefulSet db: container c has a volume mount without a name or mountPath',
      ],
      [{ replicas: -5 }, 'StatefulSet db has spec.replicas -5: a run takes an integer from 1 to 100'],
      [{ replicas: 1_000_000_000 }, 'StatefulSet db has spec.replicas 1000000000: a run takes an integer from 1 to 100'],
      [{ replicas: 2.5 }, 'StatefulSet db has spec.replicas 2.5: a run takes an integer from 1 to 100'],
      [{ replicas: '3' }, 'StatefulSet db has spec.replicas "3": a run takes an integer from 1 to 100'],
      [{ replicas: 0 }, 'StatefulSet db is scaled to 0 replicas: a run needs 1 to 100 pods to disrupt'],
      [{ ordinals: { start: -1 } }, 'StatefulSet db has spec.ordinals.start -1: a run takes an integer from 0 to 1000000'],
      [{ volumeClaimTemplates: 'data' }, 'StatefulSet db has spec.volumeClaimTemplates that is not a list of claims'],
      [{ serviceName: undefined }, 'StatefulSet db has no spec.serviceName: its pods have no stable DNS names to check'],
    ];
    for (const [spec, why] of cases) expect(statefulSetProblem(sts(spec)), JSON.stringify(spec)).to.equal(why);
    expect(statefulSetProblem({ metadata: {} })).to.equal('the StatefulSet has no metadata.name');
  });

  it('--target scaled to 0 is refused naming the target, before a workload is built', () => {
    const zero = sts({ replicas: 0 }) as unknown as IStatefulSet;
    expect(() => workloadFromStatefulSet(zero, { kind: 'target', namespace: 'shop', service: undefined, sentinel: 'on' })).to.throw(
      UsageError,
      /^--target shop\/db: StatefulSet db is scaled to 0 replicas/,
    );
  });

  it('--manifest with no template, or replicas -5 or 1000000000: refused naming the file', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: db-hl}\n';
    const file = (spec: Record<string, unknown>): string => `${svc}---\n${JSON.stringify(sts(spec))}\n`;
    expect(() => parseManifest(file({ template: undefined }), 'db.yaml')).to.throw(
      UsageError,
      '--manifest db.yaml: StatefulSet db has no spec.template.spec',
    );
    expect(() => parseManifest(file({ replicas: -5 }), 'db.yaml')).to.throw(
      UsageError,
      '--manifest db.yaml: StatefulSet db has spec.replicas -5',
    );
    expect(() => parseManifest(file({ replicas: 1e9 }), 'db.yaml')).to.throw(
      UsageError,
      '--manifest db.yaml: StatefulSet db has spec.replicas 1000000000',
    );
    expect(parseManifest(file({}), 'db.yaml').statefulSet.metadata.name).to.equal('db');
  });
});

describe('bad input: YAML aliases are capped', () => {
  const fixture = readFileSync(path.join(FIXTURES, 'byo/httpd-two-claims.yaml'), 'utf8');
  /** A ConfigMap whose data is `levels` of ten aliases each to the level below: 10^levels values. */
  const bomb = (levels: number): string => {
    const rows = ['  l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= levels; i++)
      rows.push(
        `  l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${rows.join('\n')}\n---\n${fixture}`;
  };

  it('an alias bomb (10^9 values from 90 aliases) is refused at once, naming the document', () => {
    // Before the fix this expanded inside client-node's typed copy: minutes and gigabytes.
    expect(() => parseManifest(bomb(8), 'lol.yaml')).to.throw(
      UsageError,
      `--manifest lol.yaml: document 1 expands to more than ${MAX_YAML_NODES} YAML values (aliases?)`,
    );
  });

  it('more than 100 aliases in one document are refused by the parser', () => {
    const many = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  a: &a x\n${Array.from({ length: 101 }, (_, i) => `  k${i}: *a`).join('\n')}\n---\n${fixture}`;
    expect(() => parseManifest(many, 'm.yaml')).to.throw(
      UsageError,
      /^--manifest m\.yaml: document 1 is not valid YAML: .*maxAliases \(100\)/,
    );
  });

  it('a few shared blocks, as real manifests use them, still load', () => {
    expect(parseManifest(bomb(1), 'ok.yaml').objects.map((o) => o.kind)).to.deep.equal([
      'ConfigMap',
      'ConfigMap',
      'Service',
      'StatefulSet',
    ]);
  });

  it('withinNodes counts the expanded tree, stops at the cap, and ends on a cycle', () => {
    const leaf = [1, 2, 3];
    expect(withinNodes({ a: leaf, b: leaf }, 9)).to.equal(true); // root, a, b, and 3 leaves twice
    expect(withinNodes({ a: leaf, b: leaf }, 8)).to.equal(false);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(withinNodes(cycle, 1000)).to.equal(false);
    expect(withinNodes(Array(200_000).fill(0), MAX_YAML_NODES), 'a long flat list is refused without a deep stack').to.equal(false);
  });
});

describe('bad input: --sentinel-path must stay inside a claim mount', () => {
  const w = (sentinelPath: string) =>
    workloadFromStatefulSet(sts() as unknown as IStatefulSet, {
      kind: 'manifest',
      namespace: 'n',
      service: undefined,
      sentinel: 'on',
      sentinelPath,
    });

  it('/data/../etc is /etc, outside /data: refused, saying what it resolved to', () => {
    expect(() => w('/data/../etc')).to.throw(
      UsageError,
      '--sentinel-path /data/../etc (that is /etc): not inside the mount of any volume claim template (data)',
    );
    expect(() => w('/data/..')).to.throw(UsageError, '(that is /)');
    expect(() => w('/database')).to.throw(UsageError, '--sentinel-path /database: not inside the mount');
  });

  it('a path that stays inside is used as the kernel resolves it', () => {
    expect(w('/data/./a/../b/').dataPath).to.equal('/data/b');
    expect(w('/data/').dataPath).to.equal('/data');
  });
});

describe('bad input: ordinal report and the history page', () => {
  const sample = JSON.parse(readFileSync(path.join(FIXTURES, 'results-sample.json'), 'utf8')) as Record<string, unknown>;

  it('a results.json whose error message is not a string is not a RunResult (it would stop the page)', () => {
    expect(runResultProblem({ ...sample, error: { message: { toString: null } } })).to.equal(
      'error is not a message string (with an optional detail string)',
    );
    expect(runResultProblem({ ...sample, error: { message: 'x', detail: 5 } })).to.equal(
      'error is not a message string (with an optional detail string)',
    );
    expect(runResultProblem({ ...sample, error: 'boom' })).to.equal('error is not a message string (with an optional detail string)');
    expect(runResultProblem({ ...sample, error: { message: 'api gone', detail: 'd' } })).to.equal(undefined);
  });

  /**
   * Two runs of `n` checks each whose id and status are getters counting every read: a
   * page that scans all checks once per column or per cell reads them n² times.
   */
  function countedReads(n: number): number {
    let reads = 0;
    const run = (runId: string): HistoryRun => ({
      dir: runId,
      runId,
      startedAt: '2026-03-01T02:00:00.000Z',
      durationMs: 1,
      verdict: 'FAILED',
      seed: 1,
      replay: 'r',
      cluster: { context: 'c', server: 's', version: 'v' },
      workload: { kind: 'web', statefulSet: 'web', replicas: 3 },
      rounds: 1,
      ready: { killed: 0, recovered: 0 },
      checks: Array.from({ length: n }, (_, i) => {
        const id = `ID-${i}`;
        const status: CheckStatus = i % 3 === 0 ? 'failed' : 'passed';
        return {
          get id() {
            reads++;
            return id;
          },
          get status() {
            reads++;
            return status;
          },
          message: 'm',
        };
      }),
    });
    const html = renderHistory([run('a'), run('b')]);
    expect(html).to.include(`data-id="ID-${n - 1}"`);
    return reads;
  }

  it('reads each check a bounded number of times, however many check IDs there are (linear, not quadratic)', () => {
    const small = countedReads(500);
    const large = countedReads(2000);
    // 4x the checks: a linear page reads 4x as often; the per-column scans it replaced read 16x.
    expect(large / small, `${small} reads for 500 IDs, ${large} for 2000`).to.be.at.most(4.5);
    // A fixed number of reads per check and cell (about 14 today), not one per other check.
    expect(large, 'reads per check').to.be.at.most(2 * 2000 * 20);
  });
});
