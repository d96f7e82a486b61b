// etcd's leader around a partition: who the shape cuts off from a majority, and the timing
// of the election on scripted etcdctl answers (the member list is the recorded fixture;
// the status answers are etcdctl's JSON with the IDs as bare 64-bit numbers, as it prints them).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { awaitNewLeader, electionOf, leaderCutOff, majorityOf, reachable, watchLeader } from '../../../lib/chaos/partition-leader.ts';
import { fixShape, SHAPES, shapePlan } from '../../../lib/chaos/partition-shape.ts';
import type { ExecFn } from '../../../lib/probes/exec.ts';
import { ObservationError } from '../../../lib/errors.ts';
import { planRun } from '../../../lib/run/plan.ts';

const three = ['etcd-0', 'etcd-1', 'etcd-2'];
const five = ['etcd-0', 'etcd-1', 'etcd-2', 'etcd-3', 'etcd-4'];
const ID: Record<string, string> = { 'etcd-0': '15101859335780327642', 'etcd-1': '8645782499530242234', 'etcd-2': '11539305337000706507' };
const memberList = readFileSync(new URL('../../fixtures/etcdctl/member-list.json', import.meta.url), 'utf8');
const status = (pod: string, leader: string): string =>
  `[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"cluster_id":5632939151584063523,"member_id":${ID[pod]},"revision":1,"raft_term":2},"version":"3.6.4","leader":${leader === '' ? 0 : ID[leader]},"raftTerm":2}}]\n`;

/** A fake clock: pause advances it; `now` is read by the code under test. */
function fakeClock(start = 1000) {
  let t = start;
  const advance = (ms: number): void => {
    t += ms;
  };
  return { now: () => t, pause: async (ms: number) => advance(ms), advance };
}

/** Scripted etcdctl: the leader each member names is `leaders()` at the moment of the call; move-leader calls are logged. */
function scripted(leaders: () => Record<string, string>, calls: string[], fail: Set<string> = new Set()): ExecFn {
  return async (pod, _container, cmd) => {
    calls.push(`${pod} ${cmd.slice(4).join(' ')}`);
    if (fail.has(pod)) return { stdout: '', stderr: 'context deadline exceeded', exitCode: 1 };
    if (cmd.includes('member')) return { stdout: memberList, stderr: '', exitCode: 0 };
    if (cmd.includes('move-leader')) return { stdout: 'Leadership transferred', stderr: '', exitCode: 0 };
    return { stdout: status(pod, leaders()[pod] ?? ''), stderr: '', exitCode: 0 };
  };
}

describe('partition and the etcd leader: who is cut off', () => {
  it('isolate and halves with 3 members cut the target off from a majority; the other two still form one', () => {
    for (const shape of ['isolate', 'halves'] as const) {
      const plan = shapePlan(shape, 'etcd-1', three, 7);
      expect(reachable(plan, 'etcd-1', three), shape).to.deep.equal(['etcd-1']);
      expect(leaderCutOff(plan, 'etcd-1', three), shape).to.equal(true);
      expect(leaderCutOff(plan, 'etcd-0', three), shape).to.equal(false);
      expect(majorityOf(plan, 'etcd-1', three), shape).to.deep.equal(['etcd-0', 'etcd-2']);
    }
  });

  it('one-way, bridge and client leave every member of 3 a majority (a one-way drop counts as cut both ways)', () => {
    for (const shape of ['one-way', 'bridge', 'client'] as const) {
      const plan = shapePlan(shape, 'etcd-1', three, 3, 'ordinal-traffic');
      for (const p of three) expect(leaderCutOff(plan, p, three), `${shape} ${p}`).to.equal(false);
    }
    const oneWay = shapePlan('one-way', 'etcd-1', three, 3);
    expect(reachable(oneWay, 'etcd-1', three)).to.have.length(2);
  });

  it('with 5 members halves cuts off both pods of the minority, and the majority is the other three', () => {
    const plan = shapePlan('halves', 'etcd-3', five, 11);
    const [minority = []] = plan.sides;
    expect(minority).to.have.length(2);
    for (const p of minority) expect(leaderCutOff(plan, p, five), p).to.equal(true);
    expect(majorityOf(plan, 'etcd-3', five)).to.deep.equal(five.filter((p) => !minority.includes(p)));
  });
});

describe('partition and the etcd leader: --partition-shape', () => {
  it('fixes the shape of every partition, keeps the other drawn values, and marks isolate-leader', () => {
    const drawn = { hold: 9, shape: 3, pick: 512 };
    expect(fixShape(drawn, 'seeded')).to.deep.equal(drawn);
    expect(fixShape(drawn, 'halves')).to.deep.equal({ hold: 9, shape: SHAPES.indexOf('halves'), pick: 512 });
    expect(fixShape(drawn, 'isolate-leader')).to.deep.equal({ hold: 9, shape: 0, pick: 512, leader: 1 });
  });

  it('the plan applies it to partitions only, and the same seed kills the same pods with the same holds', () => {
    const subject = { kind: 'sample' as const, workload: { info: { statefulSet: 'etcd', replicas: 3, options: {} } } };
    const o = {
      seed: 4000,
      rounds: 3,
      chaos: ['delete' as const, 'partition' as const],
      killPattern: 'mixed' as const,
      image: 'x',
      timeoutSeconds: 300,
      dnsBudgetSeconds: 60,
    };
    // biome-ignore lint/suspicious/noExplicitAny: the subject's options are not read by the planner.
    const seeded = planRun(o, subject as any);
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const fixed = planRun({ ...o, partitionShape: 'isolate-leader' }, subject as any);
    const kills = (p: typeof seeded) => p.rounds.flatMap((r) => r.kills);
    expect(kills(fixed).map((k) => [k.pod, k.action, k.params?.hold])).to.deep.equal(
      kills(seeded).map((k) => [k.pod, k.action, k.params?.hold]),
    );
    const partitions = kills(fixed).filter((k) => k.action === 'partition');
    expect(partitions).to.not.be.empty;
    for (const k of partitions) expect(k.params).to.include({ shape: 0, leader: 1 });
    for (const k of kills(fixed).filter((x) => x.action !== 'partition')) expect(k.params).to.equal(undefined);
  });
});

describe('partition and the etcd leader: the election', () => {
  it('bounds the election by the first answer naming another leader and the latest asking before it answered the old or none', () => {
    const answers = [
      { pod: 'etcd-0', asked: 1000, arrived: 1400, leader: 'etcd-1' },
      { pod: 'etcd-2', asked: 1200, arrived: 1500, leader: '' },
      { pod: 'etcd-0', asked: 1400, arrived: 2100, leader: 'etcd-2' },
      { pod: 'etcd-2', asked: 1600, arrived: 1900, leader: 'etcd-2' },
      // Asked before the first new leader arrived, answered late: the member did not know yet.
      { pod: 'etcd-0', asked: 1800, arrived: 2500, leader: '' },
      // Asked after it: says nothing about when the election was.
      { pod: 'etcd-2', asked: 2000, arrived: 2200, leader: '' },
      { pod: 'etcd-0', asked: 1850, arrived: 3000, error: 'exec timed out' },
    ];
    expect(electionOf(answers, 'etcd-1', 900)).to.deep.equal({ after: 'etcd-2', electedMs: 1000, resolutionMs: 100 });
    // No answer before it: bounded by the cut itself.
    expect(electionOf(answers.slice(3, 4), 'etcd-1', 900)).to.deep.equal({ after: 'etcd-2', electedMs: 1000, resolutionMs: 1000 });
    expect(electionOf(answers.slice(0, 2), 'etcd-1', 900)).to.deep.equal({
      note: 'no new leader named before the heal (2 answers; last: etcd-2: named no leader)',
    });
  });

  it('asks the majority in turn, several at once, until one names a new leader; then waits for the asks still out', async () => {
    const clock = fakeClock(10_000);
    const asked: string[] = [];
    let out = 0;
    let most = 0;
    const r = await awaitNewLeader(
      async (pod) => {
        asked.push(pod);
        most = Math.max(most, ++out);
        const n = asked.length;
        // Each answer takes 3 pauses; the 5th ask is the first to learn of the new leader.
        await clock.pause(0);
        await new Promise((res) => setTimeout(res, 3));
        out--;
        return n >= 5 ? 'etcd-2' : n === 1 ? 'etcd-1' : '';
      },
      ['etcd-0', 'etcd-2'],
      'etcd-1',
      9_900,
      () => false,
      {
        now: clock.now,
        pause: (ms) => {
          clock.advance(ms);
          return new Promise((res) => setTimeout(res, 1));
        },
      },
      200,
      3,
    );
    expect(r.after).to.equal('etcd-2');
    expect(asked.slice(0, 4)).to.deep.equal(['etcd-0', 'etcd-2', 'etcd-0', 'etcd-2']);
    expect(most).to.be.at.most(3);
    expect(out, 'no ask left out').to.equal(0);
    expect(r.electedMs).to.be.greaterThan(0);
    expect(r.resolutionMs).to.be.at.most(r.electedMs as number);
  });

  it('says why when the cut ends before any member names a new leader, failed asks included', async () => {
    const clock = fakeClock();
    let n = 0;
    const r = await awaitNewLeader(
      async () => {
        if (++n === 2) throw new ObservationError('exec in pod etcd-2 did not finish');
        return 'etcd-1';
      },
      ['etcd-0', 'etcd-2'],
      'etcd-1',
      1000,
      () => n >= 3,
      clock,
      200,
    );
    expect(r.note).to.match(/^no new leader named before the heal \(3 answers; last: /);
  });

  it('watchLeader: moves the leadership to the target, confirms it, and times the election among the others', async () => {
    const clock = fakeClock();
    let leaders: Record<string, string> = { 'etcd-0': 'etcd-2', 'etcd-1': 'etcd-2', 'etcd-2': 'etcd-2' };
    const calls: string[] = [];
    const exec = scripted(() => leaders, calls);
    const plan = shapePlan('isolate', 'etcd-1', three, 0);
    const origMove = exec;
    const moving: ExecFn = async (pod, c, cmd) => {
      const r = await origMove(pod, c, cmd);
      if (cmd.includes('move-leader')) leaders = { 'etcd-0': 'etcd-1', 'etcd-1': 'etcd-1', 'etcd-2': 'etcd-1' };
      return r;
    };
    const w = await watchLeader(
      moving,
      { container: 'etcd', port: 2379 },
      { target: 'etcd-1', pods: three, plan, move: true, budgetMs: 5000 },
      clock,
      200,
    );
    // etcdctl takes the member ID in hex; the move is asked of the leader's own member.
    expect(calls).to.include(`etcd-2 move-leader ${BigInt(ID['etcd-1'] as string).toString(16)}`);
    leaders = { 'etcd-0': '', 'etcd-1': 'etcd-1', 'etcd-2': '' };
    w.start(clock.now());
    await clock.pause(0);
    leaders = { 'etcd-0': 'etcd-0', 'etcd-1': 'etcd-1', 'etcd-2': 'etcd-0' };
    const rec = await new Promise<Awaited<ReturnType<typeof w.finish>>>((resolve) => setTimeout(() => resolve(w.finish()), 20));
    expect(rec).to.include({ before: 'etcd-1', moved: true, cutOff: true, after: 'etcd-0' });
    expect(rec.electedMs).to.be.a('number');
  });

  it('watchLeader: a move that does not show within the budget is an ObservationError naming who leads', async () => {
    const clock = fakeClock();
    const exec = scripted(() => ({ 'etcd-0': 'etcd-2', 'etcd-1': 'etcd-2', 'etcd-2': 'etcd-2' }), []);
    const plan = shapePlan('isolate', 'etcd-1', three, 0);
    const o = { target: 'etcd-1', pods: three, plan, move: true, budgetMs: 1000 };
    let err: unknown;
    await watchLeader(exec, { container: 'etcd', port: 2379 }, o, clock, 200).catch((e: unknown) => {
      err = e;
    });
    expect(err).to.be.instanceOf(ObservationError);
    expect((err as Error).message).to.match(/moved etcd's leadership from etcd-2 to etcd-1, but after 1s etcd-1 names etcd-2/);
  });

  it('watchLeader: a shape that leaves the leader a majority times nothing and asks no one after the cut', async () => {
    const clock = fakeClock();
    const calls: string[] = [];
    const exec = scripted(() => ({ 'etcd-0': 'etcd-0', 'etcd-1': 'etcd-0', 'etcd-2': 'etcd-0' }), calls);
    const plan = shapePlan('one-way', 'etcd-1', three, 3);
    const w = await watchLeader(
      exec,
      { container: 'etcd', port: 2379 },
      { target: 'etcd-1', pods: three, plan, move: false, budgetMs: 1000 },
      clock,
      200,
    );
    const before = calls.length;
    w.start(clock.now());
    expect(await w.finish()).to.deep.equal({ before: 'etcd-0', cutOff: false });
    expect(calls).to.have.length(before);
  });

  it('watchLeader: a cut leader whose cut was never applied says so', async () => {
    const exec = scripted(() => ({ 'etcd-0': 'etcd-0', 'etcd-1': 'etcd-0', 'etcd-2': 'etcd-0' }), []);
    const plan = shapePlan('isolate', 'etcd-0', three, 0);
    const o = { target: 'etcd-0', pods: three, plan, move: false, budgetMs: 1000 };
    const w = await watchLeader(exec, { container: 'etcd', port: 2379 }, o, fakeClock(), 200);
    expect(await w.finish()).to.deep.equal({ before: 'etcd-0', cutOff: true, note: 'the cut was never applied' });
  });
});
