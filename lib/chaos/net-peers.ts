// The peers a loss or bandwidth fault is aimed at and measured against, and the exec that
// runs a measurement inside a pod: the same rules a partition follows
// (lib/chaos/disruptions/partition.ts): a peer is another pod of the StatefulSet, not on its
// way out, with an IP and the workload container's first port; a measurement changes
// nothing, so an exec that could not run, or hung, is tried again until its budget is spent.
import { ObservationError, describeError } from '../errors.ts';
import { ordinalOf } from '../timeline/queries.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';
import type { DisruptionContext } from './disruption.ts';
import { openProblem, parseAttempts, probeScript } from './partition-confirm.ts';
import type { Target } from './net-confirm.ts';

export interface Peer extends Target {
  name: string;
}

/** The other pods of the StatefulSet with their IPs and probe ports. */
export async function peersOf(ctx: DisruptionContext, pod: string, what: string): Promise<Peer[]> {
  const sts = ctx.workload.info.statefulSet;
  const list = await ctx.cluster.core.listNamespacedPod({ namespace: ctx.namespace });
  const peers: Peer[] = [];
  for (const p of list.items) {
    const name = p.metadata?.name ?? '';
    if (name === pod || ordinalOf(sts, name) === undefined || p.metadata?.deletionTimestamp) continue;
    const ip = p.status?.podIP;
    const port = p.spec?.containers.find((c) => c.name === ctx.workload.container)?.ports?.[0]?.containerPort;
    if (!ip || port === undefined)
      throw new ObservationError(`${what}: peer ${name} has ${ip ? 'no container port to measure with' : 'no pod IP yet'}`);
    peers.push({ name, ip, port: String(port) });
  }
  if (peers.length === 0) throw new ObservationError(`${what}: the StatefulSet ${sts} has no other running pod to measure against`);
  return peers;
}

/** Runs `script` with sh in the pod's workload container; its stdout. Retries an exec that could not run. */
export async function measureIn(ctx: DisruptionContext, pod: string, script: string, what: string): Promise<string> {
  const { execIn } = await import('../probes/exec.ts');
  const until = Date.now() + Math.min(TIMEOUTS.netFaultMeasure, timeLeft(ctx.deadline));
  for (let tries = 1; ; tries++) {
    const t0 = Date.now();
    try {
      const budget = Math.min(TIMEOUTS.netFaultMeasureTry, Math.max(TIMEOUTS.partitionProbePause, until - t0));
      const r = await execIn(ctx.cluster, ctx.namespace, pod, ctx.workload.container, ['sh', '-c', script], budget);
      return r.stdout;
    } catch (err) {
      if (Date.now() + TIMEOUTS.partitionProbePause >= until)
        throw new ObservationError(
          `${what}: the measurement in ${pod} (sh through exec) could not run (${tries} tries): ${describeError(err)}`,
        );
      await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
    }
  }
}

/**
 * The peers, once each accepts a connection from the pod: a fault is measured only
 * against peers that were reachable before it. Asked again until partitionPeersOpen.
 */
export async function openPeers(ctx: DisruptionContext, pod: string, what: string): Promise<Peer[]> {
  const until = Date.now() + Math.min(TIMEOUTS.partitionPeersOpen, timeLeft(ctx.deadline));
  let said = Date.now();
  for (;;) {
    let problem: string;
    try {
      const peers = await peersOf(ctx, pod, what);
      const out = await measureIn(ctx, pod, probeScript(peers), what);
      const closed = openProblem(
        parseAttempts(out),
        peers.map((p) => p.ip),
      );
      // A burst round deletes other pods at the same moment: a peer whose deletion began
      // while it was probed is no peer to measure a fault against.
      const left = closed ? [] : await stillThere(ctx, pod, peers);
      if (!closed && left.length === peers.length) return peers;
      problem = closed ?? `${leftNames(peers, left)} began leaving while probed`;
    } catch (err) {
      if (!(err instanceof ObservationError)) throw err;
      problem = err.message;
    }
    if (Date.now() >= until)
      throw new ObservationError(
        `${what}: before the fault, not every peer accepted a connection from ${pod}, so it could not be measured: ${problem}`,
      );
    if (Date.now() - said >= TIMEOUTS.waitProgressEvery) {
      said = Date.now();
      ctx.log(`${what}: waiting for every peer to accept a connection before the fault: ${problem}`);
    }
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
}

/** The names of `before` that are not in `after`, for messages. */
export const leftNames = (before: readonly Peer[], after: readonly Peer[]): string =>
  before
    .filter((p) => !after.some((a) => a.ip === p.ip))
    .map((p) => p.name)
    .join(', ');

/** The peers that still have the address they had when the fault went in. */
export async function stillThere(ctx: DisruptionContext, pod: string, peers: readonly Peer[]): Promise<Peer[]> {
  const list = await ctx.cluster.core.listNamespacedPod({ namespace: ctx.namespace });
  const live = new Set(list.items.filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.name !== pod).map((p) => p.status?.podIP));
  return peers.filter((p) => live.has(p.ip));
}
