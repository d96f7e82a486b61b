// `partition`: the pod is cut off from its peers (every other pod of the StatefulSet), in
// both directions, for a seeded hold, then healed: a member that cannot reach the others,
// as a switch failure or a bad network policy would leave it. The cut is iptables DROP
// rules inside the pod's own network namespace, applied by the node agent
// (examples/agent.yaml) through a fault request (lib/agent/request.ts), so it works with
// any CNI. What must follow is `unaffected`: the pod keeps its UID, no container restarts,
// and it is Ready again (within --timeout) after the heal. The round:
//
//  1. from inside the pod, every peer accepts a connection (else a cut proves nothing);
//  2. the request goes out; the agent on the pod's node applies it and says so;
//  3. confirmed: a connection to each peer times out, one to the API server's Service
//     still connects; unconfirmed, the round is an error, never a pass;
//  4. hold (seeded); the harness renews the request's expiry meanwhile (if it dies, the
//     agent heals at the expiry);
//  5. heal; confirmed: every peer connects again.
import { ObservationError, describeError } from '../../errors.ts';
import type { Disruption, DisruptionContext, DisruptionTarget } from '../disruption.ts';
import { AGENT_NAME, AGENT_NAMESPACE, FAULT_REQUEST_NAME } from '../../agent/request.ts';
import { CONTROL, cutProblem, openProblem, parseAttempts, probeScript, type Attempt } from '../partition-confirm.ts';
import { ordinalOf } from '../../timeline/queries.ts';
import { TIMEOUTS, timeLeft } from '../../timeouts.ts';

/** Seconds the partition is held once confirmed. */
const PARAMS = { hold: { min: 5, max: 15, unit: 's' } } as const;
/** A healed peer connects again at once; a few attempts ride out a slow exec. */
const REOPEN_ATTEMPTS = 5;

export const NO_AGENT = `partition needs the Ordinal node agent (DaemonSet ${AGENT_NAMESPACE}/${AGENT_NAME}), and none is running: an admin installs it with 'kubectl apply -f examples/agent.yaml' (the local cluster's cluster:up does)`;

let inFlight: Promise<void> = Promise.resolve();

export const partition: Disruption = {
  name: 'partition',
  expect: 'unaffected',
  needs: 'running',
  describe:
    'cuts the pod off from its peers both ways (node agent: iptables DROP in its netns), confirmed from inside; holds (seeded), heals, confirms; the pod must stay and be Ready',
  params: PARAMS,
  async preflight(ctx) {
    const ds = await ctx.cluster.apps.readNamespacedDaemonSet({ name: AGENT_NAME, namespace: AGENT_NAMESPACE }).catch(() => undefined);
    // Not every node's agent: a node another fault has down for a moment still counts; a
    // target whose node has none gets no status, and that round is an error saying so.
    return (ds?.status?.numberReady ?? 0) > 0 ? undefined : NO_AGENT;
  },
  async apply(ctx, target) {
    // One partition at a time (a burst round sends them together): each is confirmed
    // against peers that are not themselves cut at that moment.
    const run = inFlight.catch(() => undefined).then(() => partitionRound(ctx, target));
    inFlight = run;
    await run;
    return undefined;
  },
  // The round's whole fault (confirmed cut, hold, confirmed heal) happened inside apply().
  tookEffect: async () => undefined,
};

interface Peer {
  ip: string;
  port: string;
}

async function partitionRound(ctx: DisruptionContext, target: DisruptionTarget): Promise<void> {
  const { FaultRequest } = await import('../fault-request.ts');
  const { pod, uid } = target;
  const what = `partition of ${pod} (round ${ctx.round})`;
  const peers = await openPeers(ctx, pod, what);
  const ips = peers.map((p) => p.ip);
  const request = new FaultRequest(ctx.cluster, ctx.namespace, FAULT_REQUEST_NAME, ctx.log);
  const t0 = Date.now();
  await request.create({ fault: 'partition', pod, podUid: uid, peers: ips });
  let healAsked = false;
  try {
    const applied = await request.waitFor(
      ['applied', 'refused', 'healed'],
      Math.min(TIMEOUTS.faultAgentActs, timeLeft(ctx.deadline)),
      what,
    );
    if (applied.phase !== 'applied')
      throw new ObservationError(`${what}: the agent on node ${applied.node} ${applied.phase} it: ${applied.seen}`);
    const cut = await probe(ctx, pod, peers, true);
    const problem = cutProblem(cut.attempts, ips, 'the API server Service', cut.elapsedMs);
    if (problem)
      throw new ObservationError(`${what}: applied by the agent (${applied.seen}) but not confirmed from inside ${pod}: ${problem}`);
    const confirmMs = Date.now() - t0;
    ctx.recorder.mark({ marker: 'partition', round: ctx.round, pod, uid, peers: ips, node: applied.node, confirmMs });
    ctx.log(
      `round ${ctx.round}: ${pod} partitioned from ${ips.join(', ')} (confirmed in ${confirmMs} ms: peers time out, the API server connects)`,
    );
    const hold = (ctx.params.hold ?? PARAMS.hold.min) * 1000;
    await new Promise((r) => setTimeout(r, hold));
    const during = await request.status();
    if (during?.phase !== 'applied')
      throw new ObservationError(
        `${what}: the partition ended before its ${hold / 1000}s hold: ${during?.phase ?? 'no status'} (${during?.healedBecause ?? during?.seen ?? ''})`,
      );
    const h0 = Date.now();
    healAsked = true;
    await request.heal();
    const healed = await request.waitFor(['healed'], Math.min(TIMEOUTS.faultAgentActs, timeLeft(ctx.deadline)), `${what}: the heal`);
    // Peers deleted meanwhile (another disruption of the round) have no address to reconnect to.
    const reopened = await reopen(ctx, pod, await stillThere(ctx, pod, peers));
    if (reopened)
      throw new ObservationError(`${what}: healed by the agent (${healed.seen}) but ${pod} still cannot reach its peers: ${reopened}`);
    const healConfirmMs = Date.now() - h0;
    ctx.recorder.mark({ marker: 'partition-healed', round: ctx.round, pod, uid, healConfirmMs });
    ctx.log(`round ${ctx.round}: ${pod} healed after ${hold / 1000}s (confirmed in ${healConfirmMs} ms: every peer connects)`);
  } finally {
    // On every path: heal (unless asked already), then take the request away; the agent heals on either.
    if (!healAsked)
      await request
        .heal()
        .catch((err: unknown) => ctx.log(`${what}: asking the agent to heal failed (it heals at the expiry): ${describeError(err)}`));
    await request.remove();
  }
}

/**
 * The peers, once each accepts a connection from the pod: a cut can be confirmed only
 * against peers that were reachable. While an update rolls or another disruption's pod
 * comes back, a peer may be restarting (no IP yet, connection refused): asked again until
 * TIMEOUTS.partitionPeersOpen, then an error saying what was seen.
 */
async function openPeers(ctx: DisruptionContext, pod: string, what: string): Promise<Peer[]> {
  const until = Date.now() + Math.min(TIMEOUTS.partitionPeersOpen, timeLeft(ctx.deadline));
  let said = Date.now();
  for (;;) {
    let problem: string;
    try {
      const peers = await peersOf(ctx, pod);
      const closed = openProblem(
        (await probe(ctx, pod, peers)).attempts,
        peers.map((p) => p.ip),
      );
      if (!closed) return peers;
      problem = closed;
    } catch (err) {
      if (!(err instanceof ObservationError)) throw err;
      problem = err.message;
    }
    if (Date.now() >= until)
      throw new ObservationError(
        `${what}: before the cut, not every peer accepted a connection from ${pod}, so a cut could not be confirmed: ${problem}`,
      );
    if (Date.now() - said >= TIMEOUTS.waitProgressEvery) {
      said = Date.now();
      ctx.log(`${what}: waiting for every peer to accept a connection before the cut: ${problem}`);
    }
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
}

/** The other pods of the StatefulSet, each with its IP and the workload container's first port. */
async function peersOf(ctx: DisruptionContext, pod: string): Promise<Peer[]> {
  const sts = ctx.workload.info.statefulSet;
  const list = await ctx.cluster.core.listNamespacedPod({ namespace: ctx.namespace });
  const peers: Peer[] = [];
  for (const p of list.items) {
    const name = p.metadata?.name ?? '';
    // A peer on its way out (another disruption of the round) is no peer to confirm a cut against.
    if (name === pod || ordinalOf(sts, name) === undefined || p.metadata?.deletionTimestamp) continue;
    const ip = p.status?.podIP;
    const port = p.spec?.containers.find((c) => c.name === ctx.workload.container)?.ports?.[0]?.containerPort;
    if (!ip || port === undefined)
      throw new ObservationError(
        `partition of ${pod}: peer ${name} has ${ip ? 'no container port to probe the cut with' : 'no pod IP yet'}`,
      );
    peers.push({ ip, port: String(port) });
  }
  if (peers.length === 0) throw new ObservationError(`partition of ${pod}: the StatefulSet ${sts} has no other running pod to cut it from`);
  return peers;
}

/** The peers that still have the address they were cut at. */
async function stillThere(ctx: DisruptionContext, pod: string, peers: readonly Peer[]): Promise<Peer[]> {
  const list = await ctx.cluster.core.listNamespacedPod({ namespace: ctx.namespace });
  const live = new Set(list.items.filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.name !== pod).map((p) => p.status?.podIP));
  return peers.filter((p) => live.has(p.ip));
}

async function probe(
  ctx: DisruptionContext,
  pod: string,
  peers: readonly Peer[],
  withControl = false,
): Promise<{ attempts: Attempt[]; elapsedMs: number }> {
  const { execIn } = await import('../../probes/exec.ts');
  const script = probeScript(withControl ? [...peers, CONTROL] : peers);
  // The probe changes nothing, so an exec that could not run (a kubelet restarting, the
  // API server blinking) is tried again until the budget is spent; an exit status is an answer.
  const until = Date.now() + Math.min(TIMEOUTS.partitionProbe, timeLeft(ctx.deadline));
  for (let tries = 1; ; tries++) {
    const t0 = Date.now();
    try {
      const r = await execIn(
        ctx.cluster,
        ctx.namespace,
        pod,
        ctx.workload.container,
        ['sh', '-c', script],
        Math.max(TIMEOUTS.partitionProbePause, until - t0),
      );
      return { attempts: parseAttempts(r.stdout), elapsedMs: Date.now() - t0 };
    } catch (err) {
      if (Date.now() + TIMEOUTS.partitionProbePause >= until)
        throw new ObservationError(
          `partition of ${pod}: the connection probe (nc through exec) could not run (${tries} tries): ${describeError(err)}`,
        );
      await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
    }
  }
}

/** Undefined once every peer connects again, else what the last of a few attempts saw. */
async function reopen(ctx: DisruptionContext, pod: string, peers: readonly Peer[]): Promise<string | undefined> {
  if (peers.length === 0) return 'no peer is left with the address it was cut at, so the heal cannot be confirmed';
  let problem: string | undefined;
  for (let i = 0; i < REOPEN_ATTEMPTS; i++) {
    problem = openProblem(
      (await probe(ctx, pod, peers)).attempts,
      peers.map((p) => p.ip),
    );
    if (!problem) return undefined;
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
  return problem;
}
