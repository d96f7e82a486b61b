// bench/figures-faults.ts: per fault kind, confirmation and heal times, the longest time a
// pod acknowledged nothing while a fault was held, and the etcd election after a cut
// leader; on small synthetic runs whose numbers can be checked by hand.
import { expect } from 'chai';
import { merge } from '../../../bench/figures-data.ts';
import { faultRaw } from '../../../bench/figures-faults.ts';
import { durableRuns, renderMarkdown } from '../../../bench/figures-render.ts';
import { runFigures } from '../../../bench/figures-run.ts';
import type { FaultRecord, RunResult } from '../../../lib/run/results-schema.ts';
import type { UnavailableInterval } from '../../../lib/traffic/records.ts';

const partition = (o: Partial<FaultRecord> & { confirmedAtMs: number }): FaultRecord =>
  ({ kind: 'partition', round: 1, pod: 'etcd-1', node: 'n', peers: [], confirmMs: 4000, ...o }) as FaultRecord;

function run(seed: number, faults: FaultRecord[] | undefined, intervals: UnavailableInterval[]): RunResult {
  return {
    schemaVersion: 1,
    runId: `run-${seed}`,
    tool: { name: 'ordinal', version: '0.1.0' },
    seed,
    startedAt: `2026-01-02T00:00:0${seed}Z`,
    finishedAt: `2026-01-02T00:01:0${seed}Z`,
    cluster: { version: 'v1.34.4', nodes: ['a', 'b', 'c'] },
    workload: { kind: 'etcd', replicas: 3 },
    options: { rounds: 1, timeoutSeconds: 300, chaos: ['partition'] },
    checks: [],
    rounds: [],
    ...(faults ? { faults } : {}),
    traffic: {
      startedMs: 1000,
      stoppedMs: 60_000,
      ratePerSecond: 20,
      counts: { sent: 10, acked: 10, lost: 0, indeterminate: 0, failedWrites: 0 },
      availability: { intervals },
    },
  } as unknown as RunResult;
}

describe('bench figures: per fault kind', () => {
  const cutOff = { before: 'etcd-1', cutOff: true };
  const faults = [
    // Held 10 000–20 000: etcd-1's interval covers 8 s of it, etcd-0's 3 s.
    partition({
      confirmedAtMs: 10_000,
      healedAtMs: 20_000,
      healConfirmMs: 2500.4,
      leader: { ...cutOff, moved: true, after: 'etcd-0', electedMs: 1800, resolutionMs: 400 },
    }),
    // Never healed: its window runs to the end of traffic (60 000), where etcd-2's open interval lies.
    partition({
      pod: 'etcd-2',
      confirmedAtMs: 50_000,
      confirmMs: 6100.6,
      leader: { ...cutOff, note: 'no new leader named before the heal' },
    }),
    // A leader the shape left a majority: no election counted.
    partition({
      pod: 'etcd-0',
      confirmedAtMs: 30_000,
      healedAtMs: 31_000,
      healConfirmMs: 900,
      leader: { before: 'etcd-2', cutOff: false },
    }),
    { kind: 'disk-full', round: 1, pod: 'etcd-0', node: 'n', path: '/var/lib/etcd', sizeKiB: 1, confirmedAtMs: 70_000, confirmMs: 3000 },
  ] as FaultRecord[];
  const intervals: UnavailableInterval[] = [
    { pod: 'etcd-1', fromMs: 9_000, toMs: 18_000, round: 1 },
    { pod: 'etcd-0', fromMs: 15_000, toMs: 18_000, round: 1 },
    { pod: 'etcd-2', fromMs: 52_000, toMs: 60_000, round: 1, open: true },
  ];

  it('reduces a run: confirmations, heals, the longest unavailable part of each window, and elections of cut-off leaders', () => {
    const raw = faultRaw(run(1, faults, intervals));
    expect(raw?.partition).to.deep.equal({
      confirmed: 3,
      healed: 2,
      confirmMs: [4000, 6101, 4000],
      healConfirmMs: [2500, 900],
      longestUnavailableMs: [8000, 8000, 0],
      leaderCutOff: 2,
      leaderMoved: 1,
      electionMs: [1800],
      electionResolutionMs: [400],
      noElection: 1,
    });
    // A fault confirmed after traffic stopped measured no availability.
    expect(raw?.['disk-full']).to.include({ confirmed: 1, healed: 0 });
    expect(raw?.['disk-full']?.longestUnavailableMs).to.deep.equal([]);
    expect(faultRaw(run(2, undefined, intervals))).to.equal(undefined);
  });

  it('merges over runs, and renders a fault table only for sets that held faults', () => {
    const a = runFigures({ results: run(1, faults, intervals) });
    const b = runFigures({ results: run(2, faults.slice(0, 1), intervals) });
    const f = merge('etcd', [a, b]);
    const p = f.faults?.find((x) => x.fault === 'partition');
    expect(p).to.include({ confirmed: 4, healed: 3, leaderCutOff: 3, leaderMoved: 2, noElection: 1 });
    expect(p?.electionMs).to.deep.equal({ n: 2, min: 1800, p50: 1800, p95: 1800, max: 1800 });
    expect(p?.longestUnavailableMs).to.deep.equal({ n: 4, min: 0, p50: 8000, p95: 8000, max: 8000 });
    expect(f.faults?.map((x) => x.fault)).to.deep.equal(['disk-full', 'partition']);
    const md = renderMarkdown(f, 'm');
    expect(md).to.include('### Faults held by the node agent');
    expect(md).to.include(
      '| partition | 4 (3) | 4000 ms / 6101 ms / 6101 ms (n 4) | 2500 ms / 2500 ms / 2500 ms (n 3) | 8000 ms / 8000 ms / 8000 ms (n 4) | 3 (2) | 1800 ms / 1800 ms / 1800 ms (n 2) | 400 ms / 400 ms / 400 ms | 1 |',
    );
    const none = merge('etcd', [runFigures({ results: run(3, undefined, intervals) })]);
    expect(none.faults).to.equal(undefined);
    expect(renderMarkdown(none, 'm')).to.not.include('Faults held');
  });

  it('says in how many runs the lost-write count was judged, and why not in the others', () => {
    const counted = { sent: 10, acked: 9, lost: 0, indeterminate: 0, failed: 1 };
    const none = { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
    const r = (writes: typeof counted, problems: string[]) => ({ ...runFigures({ results: run(1, undefined, []) }), writes, problems });
    const runs = [
      r(counted, []),
      r(counted, ['STS-WRITES-DURABLE error: could not read the written keys back from etcd-0']),
      r(counted, ['STS-WRITES-DURABLE failed: 1 acknowledged write lost']),
      r(none, ['run error: loss on etcd-0 (round 1): not confirmed']),
      // No counts, because the client's records could not be used: in error, not unreached.
      r(none, ["STS-WRITES-DURABLE error: the traffic client's records could not be used"]),
    ];
    expect(durableRuns(runs)).to.equal('judged in 1 runs, failed in 1, in error in 2, not reached in 1');
    expect(durableRuns(runs.slice(0, 1))).to.equal('judged in 1 runs, not reached in 0');
  });
});
