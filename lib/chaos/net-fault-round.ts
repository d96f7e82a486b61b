// One round of a `loss` or `bandwidth` fault, as a partition's goes
// (lib/chaos/disruptions/partition.ts), with the measurement left to the kind:
//
//  1. from inside the pod, every peer accepts a connection (else a fault proves nothing);
//  2. the fault request goes out; the agent on the pod's node applies it and says so;
//  3. confirmed by a measurement from inside the pod; unconfirmed, the round is an error
//     that says what was tried, never a pass;
//  4. hold (seeded), the request's expiry renewed meanwhile (a harness that dies loses
//     its fault at the expiry);
//  5. heal; confirmed by the opposite measurement.
//
// On every exit the request is asked to heal and removed; the agent heals on either.
import { ObservationError, describeError } from '../errors.ts';
import type { NetFaultKind } from '../model.ts';
import { FAULT_REQUEST_NAME, type FaultStatus } from '../agent/request.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';
import type { DisruptionContext, DisruptionTarget } from './disruption.ts';
import { leftNames, openPeers, type Peer, stillThere } from './net-peers.ts';
import { agentTurn } from './agent-turn.ts';

export interface Measured {
  /** Why the measurement does not show what was wanted; undefined when it does. */
  problem?: string;
  /** Figures for the marker and results.json (e.g. failedPercent, measuredKbit). */
  figures: Record<string, number>;
  /** One line of what was measured, for the log and the error. */
  said: string;
}

export interface NetFaultHow {
  kind: NetFaultKind;
  /** The request's fields beside pod, uid and peers. */
  request: { percent?: number; rateKbit?: number };
  /** Seconds the confirmed fault is held (the seeded `hold`). */
  holdS: number;
  /** Measures the applied fault from inside the pod. */
  confirm(ctx: DisruptionContext, pod: string, peers: readonly Peer[], applied: FaultStatus): Promise<Measured>;
  /** Measures that the fault is gone. `peers`: those still at the address the fault was measured against. */
  confirmHealed(ctx: DisruptionContext, pod: string, peers: readonly Peer[]): Promise<Measured>;
}

/** A measurement that can be spoiled by the machine's load is tried this often before it counts. */
export const HEAL_ATTEMPTS = 5;

// One agent fault at a time (a burst round sends them together): each is measured against
// peers that are not themselves under a fault, and the request has one fixed name.
export function netFaultRound(ctx: DisruptionContext, target: DisruptionTarget, how: NetFaultHow): Promise<void> {
  return agentTurn(() => held(ctx, target, how));
}

async function held(ctx: DisruptionContext, target: DisruptionTarget, how: NetFaultHow): Promise<void> {
  const { FaultRequest } = await import('./fault-request.ts');
  const { pod, uid } = target;
  const what = `${how.kind} on ${pod} (round ${ctx.round})`;
  const peers = await openPeers(ctx, pod, what);
  await nameFree(ctx, what);
  const request = new FaultRequest(ctx.cluster, ctx.namespace, FAULT_REQUEST_NAME, ctx.log);
  const acts = (): number => Math.min(TIMEOUTS.faultAgentActs, timeLeft(ctx.deadline));
  const t0 = Date.now();
  const ips = how.kind === 'bandwidth' ? [] : peers.map((p) => p.ip);
  await request.create({ fault: how.kind, pod, podUid: uid, peers: ips, ...how.request });
  let healAsked = false;
  try {
    const applied = await request.waitFor(['applied', 'refused', 'healed'], acts(), what);
    if (applied.phase !== 'applied')
      throw new ObservationError(`${what}: the agent on node ${applied.node} ${applied.phase} it: ${applied.seen}`);
    let m = await how.confirm(ctx, pod, peers, applied);
    const left = m.problem ? await stillThere(ctx, pod, peers) : peers;
    if (m.problem && left.length < peers.length) {
      // A peer deleted meanwhile (a burst round's other kill) refuses or drops for its own
      // reasons: the measurement counts only against the peers still there, measured again.
      if (left.length === 0)
        throw new ObservationError(
          `${what}: every peer measured against (${leftNames(peers, left)}) left during the measurement, so the ${how.kind} could not be confirmed (measured: ${m.said})`,
        );
      ctx.log(
        `${what}: ${leftNames(peers, left)} left during the measurement; measuring again against ${left.map((p) => p.name).join(', ')}`,
      );
      m = await how.confirm(ctx, pod, left, applied);
    }
    if (m.problem)
      throw new ObservationError(
        `${what}: applied by the agent (${applied.seen}) but not confirmed from inside ${pod}: ${m.problem} (measured: ${m.said})`,
      );
    const confirmMs = Date.now() - t0;
    const params = { ...ctx.params };
    ctx.recorder.mark({
      marker: 'net-fault',
      kind: how.kind,
      round: ctx.round,
      pod,
      uid,
      peers: peers.map((p) => p.ip),
      node: applied.node,
      confirmMs,
      params,
      measured: m.figures,
    });
    ctx.log(`round ${ctx.round}: ${how.kind} on ${pod} confirmed in ${confirmMs} ms: ${m.said}`);
    const hold = how.holdS * 1000;
    await request.hold(hold, what);
    const h0 = Date.now();
    healAsked = true;
    await request.heal();
    const healed = await request.waitFor(['healed'], acts(), `${what}: the heal`);
    const gone = await healedMeasure(ctx, pod, await stillThere(ctx, pod, peers), how);
    if (gone.problem)
      throw new ObservationError(`${what}: healed by the agent (${healed.seen}) but not confirmed from inside ${pod}: ${gone.problem}`);
    const healConfirmMs = Date.now() - h0;
    ctx.recorder.mark({ marker: 'net-fault-healed', kind: how.kind, round: ctx.round, pod, uid, healConfirmMs });
    ctx.log(`round ${ctx.round}: ${how.kind} on ${pod} healed after ${hold / 1000}s (confirmed in ${healConfirmMs} ms: ${gone.said})`);
  } finally {
    if (!healAsked)
      await request
        .heal()
        .catch((err: unknown) => ctx.log(`${what}: asking the agent to heal failed (it heals at the expiry): ${describeError(err)}`));
    await request.remove();
  }
}

/** A heal measurement, tried a few times: a busy machine can spoil one without any fault left. */
async function healedMeasure(ctx: DisruptionContext, pod: string, peers: readonly Peer[], how: NetFaultHow): Promise<Measured> {
  let m: Measured = { problem: 'not measured', figures: {}, said: '' };
  for (let i = 0; i < HEAL_ATTEMPTS; i++) {
    m = await how.confirmHealed(ctx, pod, peers);
    if (!m.problem) return m;
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
  return { ...m, problem: `${m.problem} (${HEAL_ATTEMPTS} measurements)` };
}

/** Waits until no other fault's request holds the one name (a partition in the same burst round). */
async function nameFree(ctx: DisruptionContext, what: string): Promise<void> {
  const until = Date.now() + Math.min(TIMEOUTS.partitionPeersOpen, timeLeft(ctx.deadline));
  while (
    await ctx.cluster.core.readNamespacedConfigMap({ name: FAULT_REQUEST_NAME, namespace: ctx.namespace }).then(
      () => true,
      () => false,
    )
  ) {
    if (Date.now() >= until)
      throw new ObservationError(`${what}: fault request ${ctx.namespace}/${FAULT_REQUEST_NAME} of another fault is still there`);
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
}
