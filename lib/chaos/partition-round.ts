// One `partition` round (lib/chaos/disruptions/partition.ts), in whatever shape the plan
// drew (lib/chaos/partition-shape.ts):
//
//  1. from inside every pod the shape involves, every other pod accepts a connection
//     (else a cut proves nothing);
//  2. one fault request per pod that takes rules, naming its peers by pod name and asking
//     the rules to follow the pod's identity; the agent of each pod's node applies it;
//  3. confirmed pair by pair (lib/chaos/partition-matrix.ts): cut pairs time out, uncut
//     pairs and the API server connect; a one-way cut also at the packet level;
//  4. hold (seeded); a pod of the shape recreated meanwhile is cut again by the agent
//     (a new UID and IP), and the harness confirms the shape again before going on;
//  5. heal; confirmed: every pair connects again.
// Anything unconfirmed makes the round an error, never a pass.
import { ObservationError, describeError } from '../errors.ts';
import type { DisruptionContext, DisruptionTarget } from './disruption.ts';
import { FAULT_REQUEST_NAME, type FaultStatus } from '../agent/request.ts';
import type { FaultRequest } from './fault-request.ts';
import { cutPairs, podsInvolved, type ShapePlan, shapeAt, shapePlan } from './partition-shape.ts';
import { confirmOneWay, confirmShape, type Member, members } from './partition-probe.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';
import type { ExecFn } from '../probes/exec.ts';
import { type LeaderWatch, watchLeader } from './partition-leader.ts';
import { ordinals, podName } from '../names.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Answers "not cut" from the same pods, every probe run, after which a cut is not confirmed. */
const CUT_ANSWERS = 3;

export async function partitionRound(ctx: DisruptionContext, target: DisruptionTarget): Promise<void> {
  const { FaultRequest } = await import('./fault-request.ts');
  const what = `partition of ${target.pod} (round ${ctx.round})`;
  let m = await members(ctx);
  // The shape is drawn over every ordinal, not the pods up right now, so a replay draws the same one.
  const sts = ordinals(ctx.workload.info).map((i) => podName(ctx.workload.info, i));
  const client = [...m.values()].find((x) => x.client)?.name;
  const plan = shapePlan(shapeAt(ctx.params.shape ?? 0), target.pod, sts, ctx.params.pick ?? 0, client);
  if (plan.fallback) ctx.log(`${what}: ${plan.fallback}`);
  m = await until(ctx, what, 'before the cut, every pair of the shape to connect', async () => {
    const now = await members(ctx);
    return { value: now, problem: await confirmShape(ctx, plan, now, 'open') };
  });
  const leader = await leaderWatch(ctx, plan, target.pod, sts);
  const requests = plan.requests.map(
    (_, i) => new FaultRequest(ctx.cluster, ctx.namespace, i === 0 ? FAULT_REQUEST_NAME : `${FAULT_REQUEST_NAME}-${i}`, ctx.log),
  );
  const t0 = Date.now();
  let healAsked = false;
  try {
    for (const [i, r] of plan.requests.entries())
      await requests[i]?.create({
        fault: 'partition',
        pod: r.pod,
        podUid: m.get(r.pod)?.uid ?? '',
        peers: [],
        peerPods: r.both,
        inFromPods: r.inFrom,
        follow: true,
      });
    const applied = await allApplied(ctx, requests, what, () => true);
    leader?.start(Math.min(...applied.map((s) => s.appliedAt ?? t0)));
    // Asked again until the budget is spent, with the pods as they are now: in a burst, a
    // pod of the shape may be on a node another kill stopped (no exec until it is back)
    // and then be replaced, its rules following it to a new UID and IP.
    const seen = applied.map((s) => s.seen).join('; ');
    let answers = 0;
    m = await until(
      ctx,
      what,
      `the cut confirmed from inside the pods (applied by the agent: ${seen})`,
      async () => {
        const r = await cutAgain(ctx, plan, requests, what);
        // The same pods, each probe run, saying "not cut" again and again: the cut does not hold, and asking on would not change that.
        answers = r.problem !== undefined && r.settled ? answers + 1 : 0;
        if (answers < CUT_ANSWERS) return r;
        return { ...r, final: `${what}: applied by the agent (${seen}) but not confirmed from inside the pods: ${r.problem}` };
      },
      TIMEOUTS.partitionConfirm,
    );
    const confirmMs = Date.now() - t0;
    const ips = cutPairs(plan).map((p) => m.get(p.b)?.ip ?? p.b);
    ctx.recorder.mark({
      marker: 'partition',
      round: ctx.round,
      pod: target.pod,
      uid: target.uid,
      peers: [...new Set(ips)],
      node: applied[0]?.node ?? '',
      confirmMs,
      shape: plan.shape,
      cut: plan.describe,
    });
    ctx.log(`round ${ctx.round}: partition (${plan.shape}) ${plan.describe}: confirmed in ${confirmMs} ms, pair by pair`);
    if (ctx.params.hold === undefined) throw new Error(`${what}: the plan drew no hold`);
    const holdMs = ctx.params.hold * 1000;
    await hold(ctx, plan, requests, m, holdMs, what);
    const h0 = Date.now();
    healAsked = true;
    const leaderRecord = await leader?.finish();
    for (const r of requests) await r.heal();
    for (const r of requests) await r.waitFor(['healed'], Math.min(TIMEOUTS.faultAgentActs, timeLeft(ctx.deadline)), `${what}: the heal`);
    // As long as the cut's: a pod of the shape on a node stopped in the same burst is back only with its replacement.
    await until(
      ctx,
      what,
      'after the heal, every pair of the shape to connect again',
      async () => ({ value: true, problem: await confirmShape(ctx, plan, await members(ctx), 'open') }),
      TIMEOUTS.partitionConfirm,
    );
    const healConfirmMs = Date.now() - h0;
    ctx.recorder.mark({
      marker: 'partition-healed',
      round: ctx.round,
      pod: target.pod,
      uid: target.uid,
      healConfirmMs,
      ...(leaderRecord ? { leader: leaderRecord } : {}),
    });
    ctx.log(`round ${ctx.round}: partition (${plan.shape}) healed after ${holdMs / 1000}s: confirmed in ${healConfirmMs} ms`);
  } finally {
    await leader?.finish();
    // On every path: heal (unless asked already), then take the requests away; the agent heals on either.
    for (const r of requests) {
      if (!healAsked)
        await r
          .heal()
          .catch((err: unknown) => ctx.log(`${what}: asking the agent to heal failed (it heals at the expiry): ${describeError(err)}`));
      await r.remove();
    }
  }
}

/**
 * On etcd: the leader before the cut (moved to the target first for isolate-leader) and
 * the watch that times the election a cut leader causes. Only isolate-leader needs it to
 * work; otherwise a leader that cannot be read costs the figure, not the round.
 */
async function leaderWatch(ctx: DisruptionContext, plan: ShapePlan, target: string, pods: string[]): Promise<LeaderWatch | undefined> {
  const etcd = ctx.workload.etcd;
  const move = ctx.params.leader === 1;
  if (!etcd) {
    if (move) throw new ObservationError(`partition of ${target}: isolate-leader needs the etcd sample (--workload etcd)`);
    return undefined;
  }
  const { execIn } = await import('../probes/exec.ts');
  const exec: ExecFn = (pod, container, command) =>
    execIn(ctx.cluster, ctx.namespace, pod, container, command, TIMEOUTS.partitionLeaderAsk);
  const clock = { now: Date.now, pause: sleep };
  const o = { target, pods, plan, move, budgetMs: TIMEOUTS.partitionLeaderMove };
  try {
    const w = await watchLeader(exec, { container: ctx.workload.container, port: etcd.clientPort }, o, clock, TIMEOUTS.partitionLeaderPoll);
    return w;
  } catch (err) {
    if (move) throw err;
    ctx.log(
      `partition of ${target} (round ${ctx.round}): etcd's leader not read before the cut, so no election is timed: ${describeError(err)}`,
    );
    return undefined;
  }
}

/** Waits until every request is applied and `ok` says its status is the one wanted; an error on a refusal or heal. */
async function allApplied(
  ctx: DisruptionContext,
  requests: readonly FaultRequest[],
  what: string,
  ok: (s: FaultStatus, i: number) => boolean,
): Promise<FaultStatus[]> {
  const out: FaultStatus[] = [];
  for (const [i, r] of requests.entries()) {
    const until = Date.now() + Math.min(TIMEOUTS.partitionPeersOpen, timeLeft(ctx.deadline));
    for (;;) {
      const s = await r.waitFor(['applied', 'refused', 'healed'], Math.max(1000, until - Date.now()), what);
      if (s.phase !== 'applied') throw new ObservationError(`${what}: the agent on node ${s.node} ${s.phase} it: ${s.seen}`);
      if (ok(s, i)) {
        out.push(s);
        break;
      }
      if (Date.now() >= until) throw new ObservationError(`${what}: request ${r.name} not applied as wanted; last: ${s.seen}`);
      await sleep(TIMEOUTS.partitionProbePause);
    }
  }
  return out;
}

/**
 * Holds the cut for `holdMs`, checking every second that each request is still applied.
 * A pod of the shape recreated meanwhile (a new UID) is followed: once the agent reports
 * the request applied to the replacement, the shape is confirmed again, pair by pair.
 */
async function hold(
  ctx: DisruptionContext,
  plan: ShapePlan,
  requests: readonly FaultRequest[],
  first: ReadonlyMap<string, Member>,
  holdMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + holdMs;
  const uids = new Map([...first].filter(([n]) => podsInvolved(plan).includes(n)).map(([n, x]) => [n, x.uid]));
  // Past the end too while a pod is still to be followed: a replacement is confirmed cut before any heal.
  for (;;) {
    await sleep(Math.max(0, Math.min(TIMEOUTS.partitionHoldCheck, end - Date.now())));
    for (const r of requests) {
      const s = await r.status().catch(() => undefined);
      if (s?.phase === 'healed' || s?.phase === 'refused')
        throw new ObservationError(
          `${what}: the partition ended before its ${holdMs / 1000}s hold: ${s.phase} (${s.healedBecause ?? s.seen})`,
        );
    }
    const moved = [...uids].filter(([n, uid]) => ctx.recorder.pods.get(n)?.uid !== uid).map(([n]) => n);
    if (moved.length === 0 && Date.now() >= end) return;
    if (moved.length === 0) continue;
    const t0 = Date.now();
    ctx.log(`${what}: ${moved.join(', ')} recreated during the hold: waiting for the agent to cut the replacement`);
    const now = await until(ctx, what, `the shape cut again around the replacement of ${moved.join(', ')}`, async () => {
      const m = await members(ctx);
      const fresh = moved.every((n) => m.get(n) && m.get(n)?.uid !== uids.get(n));
      if (!fresh) return { value: m, problem: `${moved.join(', ')} not back with a new UID yet` };
      return cutAgain(ctx, plan, requests, what, m);
    });
    for (const n of moved) {
      const uid = now.get(n)?.uid ?? '';
      uids.set(n, uid);
      ctx.recorder.mark({ marker: 'partition-followed', round: ctx.round, pod: n, uid, confirmMs: Date.now() - t0 });
      ctx.log(`round ${ctx.round}: the replacement of ${n} (uid ${uid}) is partitioned again: confirmed in ${Date.now() - t0} ms`);
    }
  }
}

/**
 * The shape confirmed cut among the pods as they are now (`m`, else read here), once each
 * request is applied to the live pod it names: the agent moves a request to a
 * replacement, and the pods' IPs change with it.
 */
async function cutAgain(
  ctx: DisruptionContext,
  plan: ShapePlan,
  requests: readonly FaultRequest[],
  what: string,
  seen?: ReadonlyMap<string, Member>,
): Promise<{ value: Map<string, Member>; problem: string | undefined; settled: boolean }> {
  const m = new Map(seen ?? (await members(ctx)));
  // The live UID, not m's: another pod of the shape replaced meanwhile (the target itself,
  // seen in CI) moves the agent's request to that pod's replacement, and a comparison with
  // m held the wait to its end on a UID already gone.
  await allApplied(ctx, requests, what, (s, i) => s.podUid === ctx.recorder.pods.get(plan.requests[i]?.pod ?? '')?.uid);
  const again = await members(ctx);
  const changed = [...m].filter(([n, x]) => again.get(n)?.uid !== x.uid).map(([n]) => n);
  if (changed.length > 0) return { value: again, problem: `${changed.join(', ')} replaced again meanwhile`, settled: false };
  const missing = podsInvolved(plan).filter((n) => !m.has(n));
  if (missing.length > 0) return { value: m, problem: `${missing.join(', ')} not running with an IP`, settled: false };
  return { value: m, problem: (await confirmShape(ctx, plan, m, 'cut')) ?? (await confirmOneWay(ctx, plan, m)), settled: true };
}

/** Asks `f` until it reports no problem (its value then), up to `budgetMs`; an error with the last problem after. */
async function until<T>(
  ctx: DisruptionContext,
  what: string,
  waitingFor: string,
  f: () => Promise<{ value: T; problem: string | undefined; final?: string }>,
  budgetMs: number = TIMEOUTS.partitionPeersOpen,
): Promise<T> {
  const start = Date.now();
  const end = start + Math.min(budgetMs, timeLeft(ctx.deadline));
  let said = start;
  for (;;) {
    let problem: string;
    let final: string | undefined;
    try {
      const r = await f();
      if (r.problem === undefined) return r.value;
      problem = r.problem;
      final = r.final;
    } catch (err) {
      if (!(err instanceof ObservationError)) throw err;
      problem = err.message;
    }
    // Outside the try: an answer that ends the wait is not a probe that could not run.
    if (final !== undefined) throw new ObservationError(final);
    if (Date.now() >= end)
      throw new ObservationError(`${what}: waited ${Math.round((Date.now() - start) / 1000)}s for ${waitingFor}; last seen: ${problem}`);
    if (Date.now() - said >= TIMEOUTS.waitProgressEvery) {
      said = Date.now();
      ctx.log(`${what}: waiting for ${waitingFor}: ${problem}`);
    }
    await sleep(TIMEOUTS.partitionProbePause);
  }
}
