// One chaos round: mark, apply each planned disruption, wait until the watch shows each
// took effect, then wait for the StatefulSet to converge. The disruptions themselves
// live in lib/chaos/disruptions/; this file only sequences them.
import type { Cluster } from '../cluster.ts';
import { ClusterError, ObservationError, describeError } from '../errors.ts';
import type { Recorder } from '../recorder.ts';
import { waitConverged } from '../rollout.ts';
import { minReadySecondsOf } from '../timeline/queries.ts';
import { recoveriesForRound } from '../timeline/recovery.ts';
import type { PlannedKill, RoundPlan, RoundResult } from '../types.ts';
import type { Workload } from '../workloads/common.ts';
import type { DisruptionContext, DisruptionTarget } from './disruption.ts';
import { disruption } from './disruptions/index.ts';
import { endsThePod } from '../timeline/kills.ts';

export interface RoundContext {
  cluster: Cluster;
  recorder: Recorder;
  workload: Workload;
  /** The controller revision every pod must run once the round has recovered. */
  revision: string;
  timeoutSeconds: number;
  totalRounds: number;
  log: (line: string) => void;
  /** Called before the kills and after they took effect (fault tests plant faults here). */
  hook: (phase: 'before-kills' | 'after-kills', round: number) => Promise<void>;
  /** --target: refuses a disruption unless the pod is the StatefulSet's own, with that UID (lib/adopt.ts). */
  guard?: (pod: string, uid: string) => Promise<void>;
}

export async function chaosRound(c: RoundContext, p: RoundPlan): Promise<RoundResult> {
  const { recorder, workload } = c;
  await c.hook('before-kills', p.round);
  const start = recorder.mark({ marker: 'round-start', round: p.round, pattern: p.pattern, revision: c.revision });
  const targets = new Map<string, DisruptionTarget>(p.kills.map((k) => {
    const s = recorder.pods.get(k.pod);
    return [k.pod, { pod: k.pod, ordinal: k.ordinal, uid: s?.uid ?? '', restartCount: s?.restartCount ?? 0, ...(s?.node ? { node: s.node } : {}) }];
  }));
  // Sending the disruptions and seeing them take effect share the round's budget, so an
  // API server outage at this moment is ridden out like one during the recovery wait.
  const budgetMs = c.timeoutSeconds * 1000;
  const deadline = Date.now() + budgetMs;
  const ctxOf = (k: PlannedKill): DisruptionContext => ({
    cluster: c.cluster, namespace: workload.info.namespace, workload, recorder, round: p.round, deadline, log: c.log, params: k.params ?? {},
  });
  const refused = new Set<string>();
  const kill = async (k: PlannedKill): Promise<void> => {
    const d = disruption(k.action);
    const target = targets.get(k.pod) as DisruptionTarget;
    await c.guard?.(k.pod, target.uid);
    recorder.mark({
      marker: 'kill', round: p.round, pod: k.pod, uid: target.uid, action: k.action, expect: d.expect, restartCount: target.restartCount,
      ...(k.params ? { params: k.params } : {}),
    });
    const outcome = await d.apply(ctxOf(k), target);
    if (outcome?.refused) {
      refused.add(k.pod);
      recorder.mark({ marker: 'kill-refused', round: p.round, pod: k.pod, uid: target.uid, ...outcome.refused });
      c.log(`round ${p.round}: ${k.action} of ${k.pod} refused (${outcome.refused.status}): ${outcome.refused.reason}`);
    }
  };
  const tookEffect = async (k: PlannedKill): Promise<void> => {
    if (refused.has(k.pod)) return;
    await disruption(k.action).tookEffect(ctxOf(k), targets.get(k.pod) as DisruptionTarget);
  };
  if (p.pattern === 'burst') {
    // All at once, as a node loss would: the ordering checks judge causally (was there
    // a moment when the predecessors were all Ready?), so the race this opens between
    // deletions and the controller's informer is not mistaken for a broken guarantee.
    await Promise.all(p.kills.map(kill));
    await Promise.all(p.kills.map(tookEffect));
  } else {
    // sequential / reverse: the plan lists the kills in sending order.
    for (const k of p.kills) {
      await kill(k);
      await tookEffect(k);
    }
  }
  await c.hook('after-kills', p.round);
  // Only pods meant to end must show a new UID; a pod restarted in place keeps its own.
  const replaced = new Map(
    p.kills.filter((k) => !refused.has(k.pod) && endsThePod(disruption(k.action).expect)).map((k) => [k.pod, targets.get(k.pod)?.uid ?? '']),
  );
  let converged = true;
  let unobserved: string | undefined;
  try {
    await waitConverged(recorder, workload, c.revision, replaced, budgetMs, `round ${p.round} recovery`);
  } catch (err) {
    converged = false;
    if (err instanceof ObservationError) unobserved = describeError(err);
    c.log(`round ${p.round} did not converge: ${describeError(err)}${err instanceof ClusterError && err.detail ? `\n${err.detail}` : ''}`);
  }
  const end = recorder.mark({ marker: 'round-end', round: p.round, converged, ...(unobserved !== undefined ? { unobserved } : {}) });
  const recoveries = recoveriesForRound(recorder.timeline, p, { start: start.t, end: end.t }, minReadySecondsOf(workload.info));
  const times = recoveries
    .map((r) => `${r.pod} ${r.expect === 'refused' ? 'refused' : r.expect === 'unaffected' ? (r.recovered ? 'untouched' : 'disturbed') : r.readyMs === undefined ? 'not recovered' : `${(r.readyMs / 1000).toFixed(1)}s`}`)
    .join(', ');
  c.log(`round ${p.round}/${c.totalRounds} (${p.pattern}): ${p.kills.map((k) => `${k.pod} (${k.action})`).join(', ')}; ready again: ${times}`);
  return { plan: p, startedAt: start.t, endedAt: end.t, converged, recoveries };
}
