// STS-TOPOLOGY-PRIMARY on the postgres sample, judged from recorded replication probes:
// it passes only when every replica, in every probe, is a standby streaming from db-0's
// stable name and replayed the probe's commit; it fails naming the replica that was
// promoted, diverged, streams from elsewhere or fell behind; it is `error` (never
// `failed`) when a server could not be read.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import { replicaProblem, replicationProbes, spread } from '../../../lib/checks/topology-postgres.ts';
import type { PgServerState, ReplicationProbe } from '../../../lib/probes/postgres-records.ts';
import { primaryNames } from '../../../lib/probes/postgres-records.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const ID = 'STS-TOPOLOGY-PRIMARY';
const base = buildWebInput();
const NS = base.workload.namespace;
const HOST = `db-0.db.${NS}.svc.cluster.local`;
const NAMES = primaryNames('db-0', 'db', NS, 'cluster.local');

const replica = (pod: string, over: Partial<PgServerState> = {}): PgServerState => ({
  pod,
  inRecovery: true,
  timeline: 1,
  lsn: '0/6000000',
  receiver: { status: 'streaming', senderHost: HOST, senderPort: 5432, slot: `replica_${pod.slice(3)}`, receivedTli: 1 },
  ...over,
});
const primary = (over: Partial<PgServerState> = {}): PgServerState => ({
  pod: 'db-0',
  inRecovery: false,
  timeline: 1,
  lsn: '0/6000000',
  startedAtMs: 1_000,
  senders: [],
  ...over,
});

function probe(
  label: string,
  over: Partial<ReplicationProbe> = {},
  replicas = [replica('db-1'), replica('db-2')],
  p = primary(),
): ReplicationProbe {
  return {
    label,
    t: 1_000,
    boundMs: 30_000,
    targetLsn: '0/6000000',
    final: { t: 1_500, primary: p, replicas },
    caughtUpMs: Object.fromEntries(replicas.map((r) => [r.pod, 300])),
    replayLagMs: { 'db-1': 2 },
    observations: 1,
    ...over,
  };
}

function input(probes: { baseline?: ReplicationProbe; rounds?: ReplicationProbe[]; after?: ReplicationProbe }): CheckInput {
  const i: CheckInput = {
    ...base,
    workload: { ...base.workload, kind: 'postgres', statefulSet: 'db', service: 'db', portName: 'postgres' },
    baseline: { ...base.baseline },
    after: { ...base.after },
    replication: probes.rounds ?? [],
  };
  if (probes.baseline) i.baseline.replication = probes.baseline;
  if (probes.after) i.after.replication = probes.after;
  return i;
}
const good = (): CheckInput => input({ baseline: probe('baseline'), rounds: [probe('round 1'), probe('round 2')], after: probe('after') });

describe('STS-TOPOLOGY-PRIMARY on the postgres sample', function () {
  it('passes when every replica streams from the stable name and caught up in every probe, with the timings', function () {
    const r = resultOf(good(), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(
      `2 replicas stream from ${HOST} in every probe (baseline, round 1, round 2, after) and replayed each commit within 30 s`,
    );
    expect(r.evidence.find((e) => e.subject === 'catch-up')?.observed).to.equal('p50 300 ms, p95 300 ms, max 300 ms (8)');
  });

  it('fails naming a promoted replica: not in recovery, a second primary', function () {
    const promoted = replica('db-1', { inRecovery: false, timeline: 2, lsn: '0/6000200', receiver: undefined });
    const r = resultOf(
      input({ baseline: probe('baseline'), rounds: [probe('round 1')], after: probe('after', {}, [promoted, replica('db-2')]) }),
      ID,
    );
    expectFailure(r, 'replica db-1', 'not in recovery', 'second primary beside db-0', 'timeline 2');
    expect(r.message).to.match(/^after: replica db-1 /);
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['replica db-1']);
  });

  it('fails a replica whose timeline is ahead of the primary (diverged), even while in recovery', function () {
    const r = resultOf(
      input({ baseline: probe('baseline'), after: probe('after', {}, [replica('db-1'), replica('db-2', { timeline: 3 })]) }),
      ID,
    );
    expectFailure(r, 'replica db-2', "has diverged: its timeline 3 is ahead of the primary's 1");
  });

  it('fails a replica that replayed past the primary (diverged LSN), with the byte count', function () {
    const r = resultOf(
      input({ baseline: probe('baseline'), after: probe('after', {}, [replica('db-1', { lsn: '0/6000010' }), replica('db-2')]) }),
      ID,
    );
    expectFailure(r, 'replica db-1', 'has diverged: replayed to 0/6000010, 16 bytes ahead');
  });

  it("fails a replica that streams from another host than the primary's stable name (an IP here)", function () {
    const rogue = replica('db-2', { receiver: { status: 'streaming', senderHost: '10.244.1.10', slot: 'replica_2' } });
    const r = resultOf(
      input({ baseline: probe('baseline'), rounds: [probe('round 1', {}, [replica('db-1'), rogue])], after: probe('after') }),
      ID,
    );
    expectFailure(r, 'round 1: replica db-2 streams from 10.244.1.10', `not the primary's stable name ${HOST}`);
  });

  it('fails a replica with no WAL receiver, or one that is not streaming, after the bound', function () {
    const none = resultOf(
      input({ baseline: probe('baseline'), after: probe('after', {}, [replica('db-1', { receiver: undefined }), replica('db-2')]) }),
      ID,
    );
    expectFailure(none, 'replica db-1 has no WAL receiver');
    const waiting = replica('db-1', { receiver: { status: 'waiting', senderHost: HOST, slot: 'replica_1' } });
    const w = resultOf(input({ baseline: probe('baseline'), after: probe('after', {}, [waiting, replica('db-2')]) }), ID);
    expectFailure(w, 'replica db-1 does not stream: its WAL receiver is waiting');
  });

  it("fails a replica that streams but did not replay the probe's commit within the bound", function () {
    const behind = probe('round 1', { caughtUpMs: { 'db-1': 200 } }, [replica('db-1'), replica('db-2', { lsn: '0/5000000' })]);
    const r = resultOf(input({ baseline: probe('baseline'), rounds: [behind], after: probe('after') }), ID);
    expectFailure(r, "round 1: replica db-2 did not replay the primary's commit at 0/6000000 within 30 s (replayed to 0/5000000)");
  });

  it('fails when the primary itself is in recovery', function () {
    const r = resultOf(input({ baseline: probe('baseline'), after: probe('after', {}, undefined, primary({ inRecovery: true })) }), ID);
    expectFailure(r, 'the primary db-0 is in recovery');
  });

  it('is error, not failed, when a replica or the primary could not be read', function () {
    const gone = replica('db-2', { unobserved: true, error: 'exec in pod db-2: connection refused' });
    delete gone.inRecovery;
    const r = resultOf(input({ baseline: probe('baseline'), after: probe('after', {}, [replica('db-1'), gone]) }), ID);
    expect(r.status).to.equal('error');
    expect(r.message).to.include('replica db-2').and.include('connection refused');
    const p = resultOf(
      input({
        baseline: probe('baseline'),
        after: probe('after', {}, undefined, { pod: 'db-0', unobserved: true, error: 'psql exited 2' }),
      }),
      ID,
    );
    expect(p.status).to.equal('error');
    expect(p.message).to.include('primary db-0');
  });

  it('is error when the marker could not be written or a snapshot has no probe', function () {
    const marker = resultOf(
      input({ baseline: probe('baseline'), after: probe('after', { error: 'marker write on db-0: exec failed', targetLsn: undefined }) }),
      ID,
    );
    expect(marker.status).to.equal('error');
    expect(marker.message).to.include('marker write on db-0');
    const missing = resultOf(input({ baseline: probe('baseline') }), ID);
    expect(missing.status).to.equal('error');
    expect(missing.message).to.include('was not recorded at the baseline and after chaos');
  });

  it('a failure outranks an unobserved server: the broken guarantee is reported, the unread one kept as evidence', function () {
    const gone = replica('db-2', { unobserved: true, error: 'exec failed' });
    const r = resultOf(
      input({ baseline: probe('baseline'), after: probe('after', {}, [replica('db-1', { inRecovery: false }), gone]) }),
      ID,
    );
    expectFailure(r, 'replica db-1', 'not in recovery');
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['replica db-1', 'replica db-2']);
  });

  it('judges only the postgres sample this way: other workloads keep the file-copy topology', function () {
    const web = resultOf(base, ID);
    expect(web.status).to.equal('skipped');
  });
});

describe('STS-TOPOLOGY-PRIMARY helpers', function () {
  it('probes come in run order: baseline, rounds, after', function () {
    expect(replicationProbes(good()).map((p) => p.label)).to.deep.equal(['baseline', 'round 1', 'round 2', 'after']);
  });

  it('a healthy replica has no problem; each broken promise its own', function () {
    const p = probe('x');
    expect(replicaProblem(replica('db-1'), primary(), p, NAMES)).to.equal(undefined);
    expect(replicaProblem(replica('db-1', { inRecovery: false }), primary(), p, NAMES)).to.match(/not in recovery/);
    expect(replicaProblem(replica('db-1', { timeline: 2 }), primary(), p, NAMES)).to.match(/timeline 2 is ahead/);
    expect(replicaProblem(replica('db-1', { lsn: '1/0' }), primary(), p, NAMES)).to.match(/ahead of the primary's 0\/6000000/);
    // A replica behind the primary is not diverged: it is judged on catching up.
    expect(replicaProblem(replica('db-1', { lsn: '0/5000000' }), primary(), p, NAMES)).to.equal(undefined);
  });

  it('spread: nearest-rank p50/p95 and the max; nothing but a count when empty', function () {
    expect(spread([])).to.deep.equal({ samples: 0 });
    expect(spread([5, 1, 3, 2, 4])).to.deep.equal({ samples: 5, p50Ms: 3, p95Ms: 5, maxMs: 5 });
    const many = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(spread(many)).to.deep.equal({ samples: 100, p50Ms: 50, p95Ms: 95, maxMs: 100 });
  });
});
