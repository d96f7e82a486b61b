// The probes behind a partition's confirmation (lib/chaos/partition-round.ts), run through
// exec inside the workload's pods: busybox nc for connections, busybox ping and
// /proc/net/snmp for the packet-level view of a one-way cut. Judged by partition-matrix.ts.
import { ObservationError, describeError } from '../errors.ts';
import type { DisruptionContext } from './disruption.ts';
import { CONTROL, parseAttempts, probeScript } from './partition-confirm.ts';
import { type Expectation, ECHOES, inEchos, matrixProblem, oneWayProblem, pingScript, SNMP_SCRIPT } from './partition-matrix.ts';
import { isCut, podsInvolved, type ShapePlan } from './partition-shape.ts';
import { ordinalOf } from '../timeline/queries.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';

/** A pod a shape may name: the StatefulSet's, or the traffic client. */
export interface Member {
  name: string;
  uid: string;
  ip: string;
  /** The port a connection probe aims at: the workload's first; the client's listens on nothing (a refusal proves it reached). */
  port: string;
  client: boolean;
}

/** The traffic client's pod (lib/traffic/client.ts CLIENT_POD; not imported: that module loads the Kubernetes client). */
export const CLIENT_POD = 'ordinal-traffic';
/** The discard port, where nothing in the client listens. */
const CLIENT_PORT = '9';

/** The StatefulSet's pods with an IP (not on their way out), and the traffic client if it runs. */
export async function members(ctx: DisruptionContext): Promise<Map<string, Member>> {
  const sts = ctx.workload.info.statefulSet;
  const list = await ctx.cluster.core.listNamespacedPod({ namespace: ctx.namespace });
  const out = new Map<string, Member>();
  for (const p of list.items) {
    const name = p.metadata?.name ?? '';
    const client = name === CLIENT_POD;
    if ((!client && ordinalOf(sts, name) === undefined) || p.metadata?.deletionTimestamp) continue;
    if (client && p.status?.phase !== 'Running') continue;
    const ip = p.status?.podIP;
    const port = client ? CLIENT_PORT : p.spec?.containers.find((c) => c.name === ctx.workload.container)?.ports?.[0]?.containerPort;
    // A pod without an IP yet (recreated in this round's burst) is left out: confirmShape
    // names it as not running, and the waits around it retry until it is back.
    if (!ip) continue;
    if (port === undefined) {
      if (client) continue;
      throw new ObservationError(`partition: pod ${name} has no container port to probe a cut with`);
    }
    out.set(name, { name, uid: p.metadata?.uid ?? '', ip, port: String(port), client });
  }
  return out;
}

/**
 * Why the pods of the shape do not show it (`cut`: cut pairs time out, the rest and the
 * API server connect) or show it healed (`open`: every pair connects), or undefined.
 * Probes from every StatefulSet pod the shape involves, in parallel.
 */
export async function confirmShape(
  ctx: DisruptionContext,
  plan: ShapePlan,
  m: ReadonlyMap<string, Member>,
  want: 'cut' | 'open',
): Promise<string | undefined> {
  const involved = podsInvolved(plan).filter((n) => m.has(n) && !m.get(n)?.client);
  const missing = podsInvolved(plan).filter((n) => !m.has(n));
  if (missing.length > 0) return `${missing.join(', ')} not running with an IP`;
  const problems = await Promise.all(
    involved.map(async (from) => {
      const expected: Expectation[] = [...m.values()]
        .filter((x) => x.name !== from && (!x.client || isCut(plan, from, x.name) || podsInvolved(plan).includes(x.name)))
        .map((x) => ({
          ip: x.ip,
          label: x.name,
          expect: want === 'cut' && isCut(plan, from, x.name) ? 'cut' : x.client ? 'reachable' : 'open',
        }));
      const targets = [...expected.map((e) => ({ ip: e.ip, port: m.get(e.label)?.port ?? '' })), CONTROL];
      const r = await probe(ctx, from, targets);
      const control = r.attempts.find((a) => !expected.some((e) => e.ip === a.ip));
      const all = [...expected, { ip: control?.ip ?? CONTROL.ip, label: 'the API server Service', expect: 'open' as const }];
      return matrixProblem(from, r.attempts, all, r.elapsedMs);
    }),
  );
  const bad = problems.filter((p): p is string => p !== undefined);
  return bad.length > 0 ? bad.join('; ') : undefined;
}

/** For a one-way cut: undefined once echo requests go from the dropping pod to its peer and none come back in. */
export async function confirmOneWay(ctx: DisruptionContext, plan: ShapePlan, m: ReadonlyMap<string, Member>): Promise<string | undefined> {
  for (const r of plan.requests) {
    for (const peer of r.inFrom) {
      const a = m.get(r.pod);
      const b = m.get(peer);
      if (!a || !b) return `${r.pod} or ${peer} not running with an IP`;
      const echos = async (pod: string): Promise<number> => {
        const out = (await run(ctx, pod, SNMP_SCRIPT)).stdout;
        const v = inEchos(out);
        if (v === undefined) throw new ObservationError(`partition: no Icmp InEchos in /proc/net/snmp of ${pod}: ${out.slice(0, 200)}`);
        return v;
      };
      const [a0, b0] = await Promise.all([echos(a.name), echos(b.name)]);
      await Promise.all([run(ctx, a.name, pingScript(b.ip)), run(ctx, b.name, pingScript(a.ip))]);
      const [a1, b1] = await Promise.all([echos(a.name), echos(b.name)]);
      const problem = oneWayProblem(a.name, b.name, { atPeer: b1 - b0, atDropper: a1 - a0 });
      if (problem) return problem;
      ctx.log(
        `partition (one-way): ${ECHOES}/${ECHOES} echo requests from ${a.name} reached ${b.name}, 0 from ${b.name} reached ${a.name}`,
      );
    }
  }
  return undefined;
}

async function run(ctx: DisruptionContext, pod: string, script: string): Promise<{ stdout: string; elapsedMs: number }> {
  const { execIn } = await import('../probes/exec.ts');
  // The probes change nothing, so an exec that could not run (a kubelet restarting, the
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
      return { stdout: r.stdout, elapsedMs: Date.now() - t0 };
    } catch (err) {
      if (Date.now() + TIMEOUTS.partitionProbePause >= until)
        throw new ObservationError(
          `partition: a probe in ${pod} (${script.slice(0, 40)}…) could not run (${tries} tries): ${describeError(err)}`,
        );
      await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
    }
  }
}

async function probe(ctx: DisruptionContext, pod: string, targets: readonly { ip: string; port: string }[]) {
  const r = await run(ctx, pod, probeScript(targets));
  return { attempts: parseAttempts(r.stdout), elapsedMs: r.elapsedMs };
}
