// bench/figures-data.ts: the per-kind figures over many runs, on small synthetic runs
// whose numbers can be checked by hand.
import { expect } from 'chai';
import { OUTSIDE, UNDISRUPTED, aggregate, dist, failureCause, readySpans, type RunData } from '../../../bench/figures-data.ts';
import { renderMarkdown, seedList } from '../../../bench/figures-render.ts';
import type { TrafficSummary, WriteRecord } from '../../../lib/traffic/records.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodRecovery, RoundResult } from '../../../lib/model.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';

const rec = (
  pod: string,
  action: PodRecovery['action'],
  killedAt: number,
  readyMs?: number,
  expect: PodRecovery['expect'] = 'replaced',
): PodRecovery => ({
  pod,
  round: 1,
  action,
  expect,
  killedAt,
  recovered: expect !== 'refused',
  ...(readyMs !== undefined ? { readyMs } : {}),
});

function round(n: number, startedAt: number, endedAt: number, recoveries: PodRecovery[]): RoundResult {
  return {
    plan: {
      round: n,
      pattern: 'burst',
      kills: recoveries.map((r) => ({ pod: r.pod, ordinal: Number(r.pod.split('-')[1]), action: r.action })),
    },
    startedAt,
    endedAt,
    converged: true,
    recoveries: recoveries.map((r) => ({ ...r, round: n })),
  };
}

function traffic(
  intervals: TrafficSummary['availability']['intervals'],
  acked: number,
  startedMs: number,
  stoppedMs: number,
): TrafficSummary {
  return {
    driver: 'web',
    ratePerSecond: 20,
    startedMs,
    stoppedMs,
    counts: { sent: acked + 2, acked, ok: acked, lost: 0, indeterminate: 1, failedWrites: 1, unexpected: 0 },
    lost: [],
    indeterminate: [],
    availability: { overall: { pod: 'all', sent: acked + 2, acked }, perPod: [], perSecond: [], rounds: [], intervals },
  };
}

function run(seed: number, rounds: RoundResult[], t?: TrafficSummary, failed = false): RunResult {
  return {
    schemaVersion: 1,
    runId: `r${seed}`,
    tool: { name: 'ordinal', version: '0' },
    seed,
    replay: '',
    startedAt: `2026-01-01T00:00:0${seed}Z`,
    finishedAt: '',
    durationMs: 0,
    cluster: { server: '', context: '', version: 'v1', nodes: [], storageClass: '', image: '' },
    workload: {
      kind: 'web',
      namespace: 'ns',
      statefulSet: 'web',
      service: 'nginx',
      replicas: 3,
      claimTemplates: [],
      clusterDomain: 'cluster.local',
      portName: 'web',
      podManagementPolicy: 'OrderedReady',
    },
    options: { rounds: rounds.length, timeoutSeconds: 300 },
    checks: [{ id: 'X', guarantee: '', status: failed ? 'failed' : 'passed', message: '', evidence: [], durationMs: 0 }],
    rounds,
    summary: { passed: 1, failed: 0, error: 0, skipped: 0 },
    ...(t ? { traffic: t } : {}),
  };
}

const w = (pod: string, sentMs: number, outcome: WriteRecord['outcome'], detail?: string): WriteRecord => ({
  pod,
  key: `${pod}-${sentMs}`,
  store: pod,
  sentMs,
  outcome,
  ...(detail ? { detail } : {}),
});

describe('bench figures: aggregation over runs', () => {
  it('dist is nearest-rank over observed values, with n and min', () => {
    expect(dist([])).to.deep.equal({ n: 0 });
    expect(dist([5, 1, 3, 2, 4])).to.deep.equal({ n: 5, min: 1, p50: 3, p95: 5, max: 5 });
    expect(dist([1.26, 1.24], 1)).to.deep.equal({ n: 2, min: 1.2, p50: 1.2, p95: 1.3, max: 1.3 });
  });

  const runs: RunData[] = [
    {
      results: run(
        1,
        [round(1, 0, 10_000, [rec('web-0', 'delete', 100, 3000), rec('web-1', 'evict', 100, undefined, 'refused')])],
        traffic([{ pod: 'web-0', fromMs: 200, toMs: 4200, round: 1, action: 'delete' }], 100, 0, 10_000),
      ),
    },
    {
      results: run(
        2,
        [round(1, 0, 50_000, [rec('web-2', 'node-fault', 0, 40_000)]), round(2, 50_000, 60_000, [rec('web-0', 'delete', 50_000, 1000)])],
        traffic(
          [
            { pod: 'web-2', fromMs: 17_000, toMs: 44_000, round: 1, action: 'node-fault' },
            { pod: 'web-1', fromMs: 20_000, toMs: 21_000, round: 1 },
            { pod: 'web-0', fromMs: 50_100, toMs: 52_100, round: 2, action: 'delete', open: true },
          ],
          500,
          0,
          60_000,
        ),
        true,
      ),
    },
  ];

  it('per kind: kill → Ready over every run, refused kills apart, unavailable intervals by the kind their pod got', () => {
    const f = aggregate('web', runs);
    expect(f.runs).to.equal(2);
    expect(f.verdicts).to.deep.equal({ passed: 1, failed: 1, error: 0 });
    const kind = (d: string) => f.kinds.find((k) => k.disruption === d);
    expect(kind('delete')).to.deep.include({ killed: 2, refused: 0, recovered: 2, openIntervals: 1 });
    expect(kind('delete')?.readyMs).to.deep.equal({ n: 2, min: 1000, p50: 1000, p95: 3000, max: 3000 });
    expect(kind('delete')?.unavailableMs).to.deep.equal({ n: 2, min: 2000, p50: 2000, p95: 4000, max: 4000 });
    expect(kind('evict')).to.deep.include({ killed: 0, refused: 1, recovered: 0 });
    expect(kind('evict')?.readyMs.n).to.equal(0);
    expect(kind('node-fault')?.unavailableMs.max).to.equal(27_000);
    expect(kind(UNDISRUPTED)?.unavailableMs).to.deep.include({ n: 1, max: 1000 });
    expect(f.kinds.at(-1)?.disruption, 'undisrupted pods last').to.equal(UNDISRUPTED);
    expect(f.nodeFaultRoundMs).to.deep.equal({ n: 1, min: 50_000, p50: 50_000, p95: 50_000, max: 50_000 });
    // 100 acked over 10 s, 500 over 60 s.
    expect(f.ackedPerSecond).to.deep.equal({ n: 2, min: 8.3, p50: 8.3, p95: 10, max: 10 });
    expect(f.writes).to.deep.equal({ sent: 604, acked: 600, lost: 0, indeterminate: 2, failed: 2 });
    expect(f.offeredPerSecond).to.equal(20);
  });

  it('with the timeline: writes by kind, lost and indeterminate from the read-back, and Ready → first ack with the causes in between', () => {
    const writes = [
      w('web-0', 50, 'acked'),
      w('web-0', 200, 'failed', 'no DNS answer for web-0.nginx'),
      w('web-0', 3200, 'failed', 'Terminated no DNS answer for web-0.nginx'),
      w('web-0', 3900, 'failed', "wget: can't connect to remote host (10.0.0.1): Connection refused"),
      w('web-0', 4200, 'acked'),
      w('web-0', 4400, 'acked'),
      w('web-1', 300, 'acked'),
      w('web-1', 400, 'failed', 'Terminated'),
      w('web-1', 20_000, 'acked'),
    ];
    // web-0-4400 was acked but is missing (lost); web-1-400 failed but landed (indeterminate).
    const readBack = [
      { store: 'web-0', pod: 'web-0', keys: ['web-0-50', 'web-0-4200'] },
      { store: 'web-1', pod: 'web-1', keys: ['web-1-300', 'web-1-400'] },
    ];
    const first = runs[0] as RunData;
    // web-0 as the API showed it: Ready, deleted at 150, the replacement Ready at 3100.
    const pod = (type: 'ADDED' | 'MODIFIED' | 'DELETED', t: number, uid: string, ready: boolean, deleting = false): TimelineEntry => ({
      seq: t,
      t,
      wall: t,
      type,
      kind: 'Pod',
      name: 'web-0',
      resourceVersion: String(t),
      pod: { uid, phase: 'Running', ready, claims: {}, ...(deleting ? { deletionTimestamp: 'x' } : {}) },
    });
    const timeline = [
      pod('ADDED', 0, 'a', true),
      pod('MODIFIED', 150, 'a', true, true),
      pod('DELETED', 160, 'a', false, true),
      pod('ADDED', 2000, 'b', false),
      pod('MODIFIED', 3100, 'b', true),
    ];
    expect(readySpans(timeline).get('web-0')).to.deep.equal([
      [0, 150],
      [3100, Number.POSITIVE_INFINITY],
    ]);
    const input = { timeline, traffic: { writes, readBack } } as unknown as CheckInput;
    const f = aggregate('web', [{ ...first, input }]);
    const del = f.kinds.find((k) => k.disruption === 'delete');
    expect(del?.writes).to.deep.equal({ sent: 6, acked: 3, lost: 1, indeterminate: 0, failed: 3 });
    // Ready at 100 + 3000 = 3100; the first ack sent after it is at 4200.
    expect(del?.readyToAckMs).to.deep.include({ n: 1, max: 1100 });
    // The interval 200..4200 overlaps Ready from 3100: 1100 ms the pod's state does not explain.
    expect(del?.unavailableWhileReadyMs).to.deep.include({ n: 1, max: 1100 });
    expect(del?.failuresAfterReady).to.deep.equal({ 'DNS: no answer': 1, 'connection refused': 1 });
    // Round 1 lasted 10 s; web-0 was disrupted the whole round: 3 acked / 10 s.
    expect(del?.ackedPerPodSecond).to.equal(0.3);
    const evict = f.kinds.find((k) => k.disruption === 'evict');
    expect(evict?.writes).to.deep.equal({ sent: 2, acked: 1, lost: 0, indeterminate: 1, failed: 0 });
    // web-1's write at 20 s (acked, never read back: lost) falls after the round: outside every round, so the rows add up to all 9 writes.
    expect(f.kinds.find((k) => k.disruption === OUTSIDE)?.writes).to.deep.equal({
      sent: 1,
      acked: 1,
      lost: 1,
      indeterminate: 0,
      failed: 0,
    });
    expect(f.kinds.reduce((n, k) => n + (k.writes?.sent ?? 0), 0)).to.equal(writes.length);
    expect(renderMarkdown(f, '')).to.not.match(/\| outside any round \| 0 \(0\)/);
    expect(evict?.readyToAckMs.n, 'a refused kill has no Ready moment').to.equal(0);
  });

  it('lists seeds, a consecutive run of three or more as a range', () => {
    expect(seedList([3000, 3001, 3002, 3003, 7, 9, 10, 12, 13, 14])).to.equal('3000–3003, 7, 9, 10, 12–14');
    expect(seedList([])).to.equal('');
  });

  it("names failure causes from the drivers' details", () => {
    expect(failureCause('Terminated no DNS answer for web-0')).to.equal('DNS: no answer');
    expect(failureCause('Terminated')).to.equal('timeout');
    expect(failureCause('Error: context deadline exceeded')).to.equal('timeout');
    expect(failureCause("wget: can't connect to remote host (10.244.2.2): No route to host")).to.equal('unreachable');
    expect(
      failureCause(
        '{"level":"warn","msg":"retrying of unary invoker failed","error":"rpc error: code = Unavailable desc = etcdserver: leader changed"}',
      ),
    ).to.equal('etcd: no leader / unavailable');
    expect(failureCause(undefined)).to.equal('no detail');
  });

  it('renders one markdown table per figure family, with the machine line', () => {
    const md = renderMarkdown(aggregate('web', runs), 'Measured on a test machine.');
    expect(md).to.include('## web: 2 runs (seeds 1, 2): 1 passed, 1 failed, 0 error');
    expect(md).to.include('Measured on a test machine.');
    expect(md).to.match(
      /\| delete \| 2 \(0\) \| 2 \| 1000 ms \/ 3000 ms \/ 3000 ms \| 2 \| 2000 ms \/ 4000 ms \/ 4000 ms \| 2 \(1\) \| – \|/,
    );
    expect(md).to.include('| node-fault round, start → end (p50 / p95 / max, n) | 50.0 s / 50.0 s / 50.0 s (n 1) |');
  });
});
