// The PostgreSQL replication probe on psql's real output (recorded from the sample on the
// local cluster: db-1 and db-2 streaming from db-0, then db-0 answering with its senders),
// and the probe loop with a scripted exec and clock: it settles, gives up at its bound,
// stops at a promoted replica, and never turns exec trouble into anything but unobserved.
import { expect } from 'chai';
import { ObservationError } from '../../../lib/errors.ts';
import type { ExecFn, ExecResult } from '../../../lib/probes/exec.ts';
import { parseServerState, probeReplication, readServerState, writeMarker } from '../../../lib/probes/postgres.ts';
import { lsnDiff, parseLsn, primaryNames, reconnects, replicaSettled, streamsFrom } from '../../../lib/probes/postgres-records.ts';

const NS = 'ordinal-20261206-183407-2d44';
const HOST = `db-0.db.${NS}.svc.cluster.local`;
const NAMES = primaryNames('db-0', 'db', NS, 'cluster.local');
const replicaOut = (slot: string, lsn = '0/50235F0', status = 'streaming', host = HOST): string =>
  `S|t|${lsn}|1|1796582111807|${status},${host},5432,${slot},1\n`;
const PRIMARY_OUT =
  'S|f|0/50235F0|1|1796582270270|\nW|db-2|streaming|0/50235F0||1796582273038\nW|db-1|streaming|0/50235F0|3|1796582273069\n';
const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });

describe('postgres probe: LSNs and names', function () {
  it('parses LSNs as 64-bit positions (high/low hex halves) and compares them', function () {
    expect(parseLsn('0/50235F0')).to.equal(0x50235f0n);
    expect(parseLsn('1/0')).to.equal(1n << 32n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).to.equal((1n << 64n) - 1n);
    expect(parseLsn('')).to.equal(undefined);
    expect(parseLsn('0x5')).to.equal(undefined);
    expect(parseLsn(undefined)).to.equal(undefined);
    expect(lsnDiff('1/0', '0/FFFFFFFF')).to.equal(1n);
    expect(lsnDiff('0/10', '0/20')).to.equal(-16n);
    expect(lsnDiff('0/10', 'garbage')).to.equal(undefined);
  });

  it("accepts the primary's stable name short or qualified, and nothing else", function () {
    expect(NAMES).to.deep.equal(['db-0.db', `db-0.db.${NS}`, `db-0.db.${NS}.svc`, HOST]);
    const s = (host: string, status = 'streaming') => parseServerState('db-1', replicaOut('replica_1', '0/1', status, host));
    expect(streamsFrom(s(HOST), NAMES)).to.equal(true);
    expect(streamsFrom(s('db-0.db'), NAMES)).to.equal(true);
    expect(streamsFrom(s(`${HOST}.`), NAMES), 'a trailing dot is the same name').to.equal(true);
    expect(streamsFrom(s('DB-0.DB'), NAMES), 'DNS names are case-insensitive').to.equal(true);
    expect(streamsFrom(s('10.244.1.10'), NAMES), 'an IP is not the stable name').to.equal(false);
    expect(streamsFrom(s(`db-2.db.${NS}.svc.cluster.local`), NAMES)).to.equal(false);
    expect(streamsFrom(s(HOST, 'waiting'), NAMES), 'not streaming').to.equal(false);
  });
});

describe('postgres probe: parsing psql', function () {
  it('reads a streaming replica: in recovery, replay LSN, timeline, receiver with host, port and slot', function () {
    const s = parseServerState('db-1', replicaOut('replica_1'));
    expect(s).to.deep.equal({
      pod: 'db-1',
      inRecovery: true,
      lsn: '0/50235F0',
      timeline: 1,
      startedAtMs: 1796582111807,
      receiver: { status: 'streaming', senderHost: HOST, senderPort: 5432, slot: 'replica_1', receivedTli: 1 },
    });
  });

  it('reads the primary with its WAL senders (replay_lag when the primary reports one)', function () {
    const s = parseServerState('db-0', PRIMARY_OUT);
    expect(s.inRecovery).to.equal(false);
    expect(s.receiver).to.equal(undefined);
    expect(s.senders).to.deep.equal([
      { application: 'db-2', state: 'streaming', replayLsn: '0/50235F0', backendStartMs: 1796582273038 },
      { application: 'db-1', state: 'streaming', replayLsn: '0/50235F0', replayLagMs: 3, backendStartMs: 1796582273069 },
    ]);
  });

  it('a standby without a WAL receiver has none; garbage is refused, not guessed', function () {
    expect(parseServerState('db-1', 'S|t|0/50235F0|1|1796582111807|\n').receiver).to.equal(undefined);
    expect(() => parseServerState('db-1', '')).to.throw(/no server line/);
    expect(() => parseServerState('db-1', 'S|maybe|0/1|1|1|\n')).to.throw(/pg_is_in_recovery/);
  });

  it('exec trouble and psql errors leave a server unobserved, never a state', async function () {
    const thrown: ExecFn = async () => {
      throw new ObservationError('exec in pod db-1: connection refused');
    };
    const refused: ExecFn = async () => ({ stdout: '', stderr: 'psql: error: connection refused', exitCode: 2 });
    const garbage: ExecFn = async () => ok('hello');
    for (const [exec, why] of [
      [thrown, /connection refused/],
      [refused, /psql exited 2: psql: error: connection refused/],
      [garbage, /no server line/],
    ] as const) {
      const s = await readServerState(exec, 'db-1', 'db');
      expect(s.unobserved).to.equal(true);
      expect(s.error).to.match(why);
      expect(s.inRecovery).to.equal(undefined);
    }
  });

  it('the marker write returns the LSN after its commit, or why not', async function () {
    let cmd: string[] = [];
    const exec: ExecFn = async (_p, _c, command) => {
      cmd = command;
      return ok('0/5023720\n');
    };
    expect(await writeMarker(exec, 'db-0', 'db', "round 1's")).to.deep.equal({ lsn: '0/5023720' });
    expect(cmd.join(' ')).to.include("values ('round 1''s')");
    const failing: ExecFn = async () => ({ stdout: '', stderr: 'ERROR: cannot execute INSERT in a read-only transaction', exitCode: 1 });
    expect(await writeMarker(failing, 'db-0', 'db', 'x')).to.deep.equal({
      error: 'marker write on db-0: psql exited 1: ERROR: cannot execute INSERT in a read-only transaction',
    });
  });
});

/** A scripted cluster: each pod's answer by the number of the observation, and a clock that moves 100 ms per exec. */
function scripted(answers: Record<string, (n: number) => string>) {
  let clock = 0;
  let n = 0;
  const exec: ExecFn = async (pod, _c, command) => {
    clock += 100;
    if (command.some((c) => c.startsWith('insert'))) return ok('0/6000000\n');
    if (pod === 'db-0') n++;
    return ok((answers[pod] ?? (() => ''))(n));
  };
  const pause = async (ms: number): Promise<void> => {
    clock += ms;
  };
  return { exec, now: () => clock, pause };
}

const io = (s: ReturnType<typeof scripted>, boundMs = 30_000) => ({
  exec: s.exec,
  container: 'db',
  primary: 'db-0',
  replicas: ['db-1', 'db-2'],
  names: NAMES,
  now: s.now,
  pause: s.pause,
  boundMs,
});
const PRIMARY_AT_6 = (lag = 2) =>
  `S|f|0/6000000|1|1796582270270|\nW|db-1|streaming|0/6000000|${lag}|1796582273069\nW|db-2|streaming|0/6000000||1796582273038\n`;

describe('postgres probe: the probe loop', function () {
  it('observes until both replicas replayed the marker; catch-up per replica and the primary replay_lag', async function () {
    // db-2 is behind for its first two reads.
    const s = scripted({
      'db-1': () => replicaOut('replica_1', '0/6000000'),
      'db-2': (n) => replicaOut('replica_2', n < 2 ? '0/5000000' : '0/6000000'),
      'db-0': () => PRIMARY_AT_6(),
    });
    const p = await probeReplication(io(s), 'round 1');
    expect(p.targetLsn).to.equal('0/6000000');
    expect(p.observations).to.equal(3);
    expect(p.caughtUpMs['db-1']).to.equal(100);
    expect(p.caughtUpMs['db-2']).to.be.greaterThan(p.caughtUpMs['db-1'] ?? 0);
    expect(p.replayLagMs).to.deep.equal({ 'db-1': 2 });
    expect(p.error).to.equal(undefined);
    expect(p.reconnectMs).to.equal(undefined);
  });

  it('reads the primary again when its state came back empty (soak seed 5002: exit 0, no output), within the bound', async function () {
    const s = scripted({
      'db-1': () => replicaOut('replica_1', '0/6000000'),
      'db-2': () => replicaOut('replica_2', '0/6000000'),
      'db-0': (n) => (n === 1 ? '' : PRIMARY_AT_6()),
    });
    const p = await probeReplication(io(s), 'round 1');
    expect(p.observations).to.equal(2);
    expect(p.final?.primary.unobserved).to.equal(undefined);
    expect(p.final?.primary.senders).to.have.length(2);
    // Never readable: the last observation keeps it unobserved at the bound (the check's error).
    const never = scripted({ 'db-1': () => replicaOut('replica_1', '0/6000000'), 'db-2': () => replicaOut('replica_2', '0/6000000') });
    const q = await probeReplication(io(never, 2_000), 'round 1');
    expect(q.final?.primary).to.include({ unobserved: true });
    expect(q.observations).to.be.greaterThan(1);
  });

  it('gives up at the bound with the last observation: a replica that never catches up has no catch-up time', async function () {
    const s = scripted({
      'db-1': () => replicaOut('replica_1', '0/6000000'),
      'db-2': () => replicaOut('replica_2', '0/5000000'),
      'db-0': () => PRIMARY_AT_6(),
    });
    const p = await probeReplication(io(s, 3_000), 'round 1');
    expect(Object.keys(p.caughtUpMs)).to.deep.equal(['db-1']);
    expect(p.final?.replicas[1]?.lsn).to.equal('0/5000000');
    expect(s.now()).to.be.within(3_000, 4_500);
  });

  it('stops at once when a replica left recovery (a promoted server never goes back)', async function () {
    const s = scripted({
      'db-1': () => 'S|f|0/6000100|2|1796582111807|\n',
      'db-2': () => replicaOut('replica_2', '0/5000000'),
      'db-0': () => PRIMARY_AT_6(),
    });
    const p = await probeReplication(io(s), 'after');
    expect(p.observations).to.equal(1);
    expect(p.final?.replicas[0]?.inRecovery).to.equal(false);
  });

  it('a replica streaming from another host never counts as caught up', async function () {
    const r = parseServerState('db-1', replicaOut('replica_1', '0/6000000', 'streaming', '10.244.1.10'));
    expect(replicaSettled(r, NAMES, '0/6000000')).to.equal(false);
    expect(replicaSettled({ ...r, receiver: { ...r.receiver!, senderHost: HOST } }, NAMES, '0/6000000')).to.equal(true);
    expect(replicaSettled({ ...r, receiver: { ...r.receiver!, senderHost: HOST } }, NAMES, '0/6000001')).to.equal(false);
  });

  it('a marker that cannot be written ends the probe after one observation, with the reason', async function () {
    const exec: ExecFn = async (pod, _c, command) =>
      command.some((c) => c.startsWith('insert'))
        ? { stdout: '', stderr: 'FATAL: the database system is shutting down', exitCode: 2 }
        : ok(pod === 'db-0' ? PRIMARY_AT_6() : replicaOut('replica_1'));
    const p = await probeReplication({ ...io(scripted({})), exec }, 'baseline');
    expect(p.error).to.match(/marker write on db-0: psql exited 2: FATAL: the database system is shutting down/);
    expect(p.observations).to.equal(1);
    expect(p.targetLsn).to.equal(undefined);
  });

  it("reconnect times: the primary's restart to each replica's sender start, only when the primary restarted", async function () {
    const s = scripted({
      'db-1': () => replicaOut('replica_1', '0/6000000'),
      'db-2': () => replicaOut('replica_2', '0/6000000'),
      'db-0': () => PRIMARY_AT_6(),
    });
    const p = await probeReplication(io(s), 'round 1', 1796582000000);
    expect(p.reconnectMs).to.deep.equal({ 'db-1': 2799, 'db-2': 2768 });
    const o = p.final!;
    expect(reconnects(1796582270270, o), 'same postmaster start: no restart').to.equal(undefined);
    expect(reconnects(undefined, o), 'no earlier start known').to.equal(undefined);
  });
});
