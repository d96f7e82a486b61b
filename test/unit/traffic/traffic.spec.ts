// Lost-write accounting and availability over recorded traffic: pure functions, no cluster.
import { expect } from 'chai';
import { writesDurable } from '../../../lib/checks/writes-durable.ts';
import { summarizeTraffic, unavailableIntervals } from '../../../lib/traffic/availability.ts';
import { classifyWrites } from '../../../lib/traffic/classify.ts';
import { ackFields, answeredByMember, parseClientLog } from '../../../lib/traffic/client.ts';
import { etcdDriver, parseMemberList, webDriver } from '../../../lib/traffic/driver.ts';
import type { ExecFn } from '../../../lib/probes/exec.ts';
import type { ReadBack, TrafficRecord, WriteRecord } from '../../../lib/traffic/records.ts';
import type { RoundResult } from '../../../lib/model.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const w = (pod: string, i: number, outcome: WriteRecord['outcome'], sentMs = i * 100): WriteRecord => ({
  pod,
  key: `r-${pod}-${i}`,
  store: pod,
  sentMs,
  outcome,
});
const held = (pod: string, ...i: number[]): ReadBack => ({ store: pod, pod, keys: i.map((n) => `r-${pod}-${n}`) });

function judge(traffic: TrafficRecord) {
  return writesDurable.run({ ...buildWebInput(), traffic });
}

describe('traffic: lost-write accounting', () => {
  it('classifies ok, lost, indeterminate and failed writes per store', () => {
    const writes = [
      w('web-0', 1, 'acked'),
      w('web-0', 2, 'acked'),
      w('web-0', 3, 'failed'),
      w('web-0', 4, 'unknown'),
      w('web-1', 1, 'acked'),
    ];
    const c = classifyWrites(writes, [held('web-0', 1, 3, 99), held('web-1', 1)]);
    expect(c.keys.map((k) => `${k.key}:${k.class}`)).to.deep.equal([
      'r-web-0-1:ok',
      'r-web-0-2:lost',
      'r-web-0-3:indeterminate',
      'r-web-0-4:failed-write',
      'r-web-1-1:ok',
    ]);
    expect(c.counts).to.deep.equal({
      sent: 5,
      acked: 3,
      ok: 2,
      lost: 1,
      indeterminate: 1,
      failedWrites: 1,
      unexpected: 1,
      unknown: 1,
      recovered: 0,
      misrouted: 0,
      staleMembers: 0,
    });
  });

  it('STS-WRITES-DURABLE passes when every acknowledged key is back, reporting the indeterminate ones', () => {
    const o = judge({ driver: 'web', writes: [w('web-0', 1, 'acked'), w('web-0', 2, 'failed')], readBack: [held('web-0', 1, 2)] });
    expect(o.status).to.equal('passed');
    expect(o.message).to.include('1 refused yet present');
  });

  it('STS-WRITES-DURABLE fails naming the pod and its lost keys', () => {
    const o = judge({
      driver: 'web',
      writes: [w('web-0', 1, 'acked'), w('web-2', 1, 'acked'), w('web-2', 2, 'acked')],
      readBack: [held('web-0', 1), held('web-2')],
    });
    expect(o.status).to.equal('failed');
    expect(o.evidence[0]?.subject).to.equal('pod web-2');
    expect(o.evidence[0]?.observed).to.include('r-web-2-1, r-web-2-2');
    expect(o.evidence.some((e) => e.subject === 'pod web-0')).to.equal(false);
  });

  it('a store that could not be read is an error, never a failure', () => {
    const o = judge({
      driver: 'web',
      writes: [w('web-0', 1, 'acked')],
      readBack: [{ store: 'web-0', pod: 'web-0', error: 'exec: connection refused', unobserved: true }],
    });
    expect(o.status).to.equal('error');
    expect(o.evidence[0]?.subject).to.equal('store web-0 (pod web-0)');
  });

  it('is skipped with the reason when traffic was off, and an error when nothing was acknowledged', () => {
    expect(judge({ skip: 'traffic is off (--traffic off)', writes: [], readBack: [] })).to.deep.include({
      status: 'skipped',
      message: 'no traffic ran: traffic is off (--traffic off)',
    });
    expect(judge({ driver: 'web', writes: [w('web-0', 1, 'failed')], readBack: [held('web-0')] }).status).to.equal('error');
    expect(judge({ driver: 'web', error: 'log rotated', writes: [], readBack: [] }).status).to.equal('error');
  });
});

describe('traffic: availability', () => {
  const round = (n: number, startedAt: number, endedAt: number, pod: string): RoundResult => ({
    plan: { round: n, pattern: 'sequential', kills: [{ pod, ordinal: Number(pod.at(-1)), action: 'delete' }] },
    startedAt,
    endedAt,
    converged: true,
    recoveries: [],
  });
  const rounds = [round(1, 0, 1000, 'web-0'), round(2, 1000, 3000, 'web-1')];

  it('an unavailable interval runs from the first refused write to the next acknowledged one, in its round', () => {
    const writes = [
      w('web-0', 1, 'acked', 100),
      w('web-0', 2, 'failed', 200),
      w('web-0', 3, 'failed', 300),
      w('web-0', 4, 'acked', 650),
      w('web-1', 1, 'acked', 1100),
      w('web-1', 2, 'failed', 1200),
    ];
    expect(unavailableIntervals(writes, rounds, 2000)).to.deep.equal([
      { pod: 'web-0', fromMs: 200, toMs: 650, round: 1, action: 'delete' },
      { pod: 'web-1', fromMs: 1200, toMs: 2000, round: 2, action: 'delete', open: true },
    ]);
  });

  it('per second, per pod and overall fractions, and the longest interval per round', () => {
    const writes = [
      w('web-0', 1, 'acked', 100),
      w('web-0', 2, 'failed', 600),
      w('web-0', 3, 'acked', 900),
      w('web-1', 1, 'failed', 1500),
      w('web-1', 2, 'acked', 2700),
    ];
    const s = summarizeTraffic(
      { driver: 'web', startedMs: 0, stoppedMs: 3000, writes, readBack: [held('web-0', 1, 3), held('web-1', 2)] },
      rounds,
    );
    expect(s.availability.perSecond).to.deep.equal([
      { second: 0, sent: 3, acked: 2 },
      { second: 1, sent: 1, acked: 0 },
      { second: 2, sent: 1, acked: 1 },
    ]);
    expect(s.availability.perPod).to.deep.equal([
      { pod: 'web-0', sent: 3, acked: 2, fraction: 2 / 3 },
      { pod: 'web-1', sent: 2, acked: 1, fraction: 0.5 },
    ]);
    expect(s.availability.overall).to.deep.equal({ pod: 'all', sent: 5, acked: 3, fraction: 0.6 });
    expect(s.availability.rounds).to.deep.equal([
      { round: 1, longestUnavailableMs: 300, pod: 'web-0' },
      { round: 2, longestUnavailableMs: 1200, pod: 'web-1' },
    ]);
    expect(s.counts.lost).to.equal(0);
  });

  it('a pod down across rounds counts in each round for the part inside it', () => {
    const writes = [w('web-1', 1, 'acked', 100), w('web-1', 2, 'failed', 600), w('web-1', 3, 'failed', 1500), w('web-1', 4, 'acked', 2500)];
    const s = summarizeTraffic({ driver: 'web', startedMs: 0, stoppedMs: 3500, writes, readBack: [held('web-1', 1, 4)] }, rounds);
    expect(s.availability.intervals).to.deep.equal([{ pod: 'web-1', fromMs: 600, toMs: 2500, round: 1 }]);
    expect(s.availability.rounds).to.deep.equal([
      { round: 1, longestUnavailableMs: 400, pod: 'web-1' },
      { round: 2, longestUnavailableMs: 1500, pod: 'web-1' },
    ]);
  });
});

describe('traffic: the client log', () => {
  it('pairs send and outcome lines by key, with the runtime timestamps as run ms', () => {
    const log = [
      '2026-11-28T10:00:00.000000000Z START run1',
      '2026-11-28T10:00:00.100123456Z S web-0 run1-web-0-1',
      '2026-11-28T10:00:00.150000000Z A web-0 run1-web-0-1',
      '2026-11-28T10:00:00.200000000Z S web-1 run1-web-1-1',
      '2026-11-28T10:00:01.200000000Z F web-1 run1-web-1-1 no DNS answer for web-1.nginx',
      '2026-11-28T10:00:01.300000000Z S web-1 run1-web-1-2',
      '2026-11-28T10:00:01.400000000Z DONE',
    ].join('\n');
    const base = Date.parse('2026-11-28T10:00:00Z');
    const p = parseClientLog(
      log,
      'run1',
      (pod) => pod,
      (wall) => wall - base,
    );
    expect(p.done).to.equal(true);
    expect(p.error).to.equal(undefined);
    expect(p.writes).to.deep.equal([
      { pod: 'web-0', key: 'run1-web-0-1', store: 'web-0', sentMs: 100, outcome: 'acked', doneMs: 150 },
      {
        pod: 'web-1',
        key: 'run1-web-1-1',
        store: 'web-1',
        sentMs: 200,
        outcome: 'failed',
        doneMs: 1200,
        detail: 'no DNS answer for web-1.nginx',
      },
      { pod: 'web-1', key: 'run1-web-1-2', store: 'web-1', sentMs: 1300, outcome: 'unknown' },
    ]);
    expect(
      parseClientLog(
        log.replace(/.*START run1\n/, ''),
        'run1',
        (pod) => pod,
        (x) => x,
      ).error,
    ).to.include('does not begin with START');
  });
});

describe('traffic: drivers', () => {
  const info = buildWebInput().workload;

  it('etcd: one store for the cluster, every member read serializably, again while they disagree', async () => {
    const calls: string[] = [];
    const exec: ExecFn = async (pod, _c, cmd) => {
      calls.push(`${pod}: ${cmd.join(' ')}`);
      // etcd-0 answers late the first time and lags behind the others the second time.
      const n = calls.filter((c) => c.startsWith(`${pod}:`)).length;
      if (pod === 'etcd-0' && n === 1) return { stdout: '', stderr: 'context deadline exceeded', exitCode: 1 };
      if (pod === 'etcd-0' && n === 2) return { stdout: 'run-etcd-0-1\n', stderr: '', exitCode: 0 };
      return { stdout: 'run-etcd-0-1\n\nrun-etcd-2-1\n\n', stderr: '', exitCode: 0 };
    };
    const d = etcdDriver(2379, 0);
    const rb = await d.readBack(exec, info, 'etcd', ['etcd-0', 'etcd-1', 'etcd-2'], 'run');
    expect(rb).to.deep.equal(['etcd-0', 'etcd-1', 'etcd-2'].map((pod) => ({ store: 'etcd', pod, keys: ['run-etcd-0-1', 'run-etcd-2-1'] })));
    expect(calls.filter((c) => c.startsWith('etcd-1:'))).to.have.length(3);
    expect(calls[0]).to.include('get --prefix --keys-only --consistency=s run');
    // A put acknowledged by etcd-0 is found whichever member is read.
    const writes: WriteRecord[] = [
      { pod: 'etcd-0', key: 'run-etcd-0-1', store: d.store('etcd-0'), sentMs: 1, outcome: 'acked' },
      { pod: 'etcd-2', key: 'run-etcd-2-2', store: d.store('etcd-2'), sentMs: 2, outcome: 'acked' },
    ];
    expect(classifyWrites(writes, rb).keys.map((k) => k.class)).to.deep.equal(['ok', 'lost']);
  });

  it('etcd: a member still behind after the last read is stale; an unreadable one leaves its absent keys unjudged', async () => {
    const lag: ExecFn = async (pod) => ({
      stdout: pod === 'etcd-2' ? 'run-etcd-0-1\n' : 'run-etcd-0-1\nrun-etcd-1-1\n',
      stderr: '',
      exitCode: 0,
    });
    const rb = await etcdDriver(2379, 0).readBack(lag, info, 'etcd', ['etcd-0', 'etcd-1', 'etcd-2'], 'run');
    const writes: WriteRecord[] = [{ pod: 'etcd-1', key: 'run-etcd-1-1', store: 'etcd', sentMs: 1, outcome: 'acked' }];
    expect(classifyWrites(writes, rb).set.stale).to.deep.equal([{ store: 'etcd', member: 'etcd-2', missing: ['run-etcd-1-1'] }]);
    const half: ExecFn = async (pod) =>
      pod === 'etcd-2' ? { stdout: '', stderr: 'no leader', exitCode: 1 } : { stdout: 'run-etcd-0-1\n', stderr: '', exitCode: 0 };
    const rb2 = await etcdDriver(2379, 0).readBack(half, info, 'etcd', ['etcd-0', 'etcd-1', 'etcd-2'], 'run');
    const c = classifyWrites(writes, rb2);
    expect(c.counts.lost).to.equal(0);
    expect(c.set.unjudged.map((a) => a.element)).to.deep.equal(['run-etcd-1-1']);
    expect(c.unread.map((r) => r.pod)).to.deep.equal(['etcd-2']);
    const both: WriteRecord[] = [...writes, { pod: 'etcd-0', key: 'run-etcd-0-1', store: 'etcd', sentMs: 1, outcome: 'acked' }];
    expect(judge({ driver: 'etcd', writes: both, readBack: rb2 }).status).to.equal('error');
  });

  it('etcd: member list maps the member IDs in put headers to pods', () => {
    const members = parseMemberList(
      '8e9e05c52164694d, started, etcd-0, http://etcd-0.etcd:2380, http://etcd-0.etcd:2379, false\n0a1b, started, etcd-1, http://x:2380, http://x:2379, false\n',
    );
    expect(members).to.deep.equal({ '8e9e05c52164694d': 'etcd-0', a1b: 'etcd-1' });
    const acked: WriteRecord = {
      pod: 'etcd-1',
      key: 'k',
      store: 'etcd',
      sentMs: 1,
      outcome: 'acked',
      ...ackFields('member=10276657743932975437'),
    };
    expect(answeredByMember([acked], members)[0]?.answeredBy).to.equal('etcd-0');
  });

  it('etcd: no member answering is an unobserved read, and web: a missing key file is an empty store', async () => {
    const down: ExecFn = async () => {
      throw new Error('exec: connection refused');
    };
    const [rb] = await etcdDriver(2379, 0).readBack(down, info, 'etcd', ['etcd-0'], 'run');
    expect(rb).to.deep.include({ store: 'etcd', unobserved: true });
    const none: ExecFn = async () => ({ stdout: '', stderr: '', exitCode: 0 });
    expect(await webDriver('/d').readBack(none, info, 'web', ['web-0'], 'run')).to.deep.equal([{ store: 'web-0', pod: 'web-0', keys: [] }]);
  });
});
