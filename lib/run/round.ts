// One chaos round: mark, apply each planned disruption, wait until the watch shows each
// took effect, then wait for the StatefulSet to converge. The disruptions themselves
// live in lib/chaos/disruptions/; this file only sequences them.
import { ClusterError, ObservationError, describeError } from '../errors.ts';
import { waitConverged, type ExpectedRevision } from './rollout.ts';
import { minReadySecondsOf } from '../timeline/queries.ts';
import { recoveriesForRound } from '../timeline/recovery.ts';
import type { PlannedDisruption, RoundPlan, RoundResult } from '../model.ts';
import type { DisruptionContext, DisruptionTarget } from '../chaos/disruption.ts';
import { disruption } from '../chaos/disruptions/index.ts';
import { endsThePod } from '../timeline/kills.ts';
import { stepSpans } from '../timeline/update.ts';
import type { UpdateStepName } from '../update/mode.ts';
import type { RunContext } from './context.ts';
import { timeLeft } from '../timeouts.ts';

/**
 * What a round needs of the run: its context, with the update phase (--update) in
 * ctx.state.update. The hook is called before the kills, once an update step's revision
 * is named (`update-started`, before this round's kills or the same-round rollback's
 * wait), and after the kills took effect; fault tests plant faults there. The subject's
 * guard (--target) refuses a disruption unless the pod is the StatefulSet's own.
 */
export type RoundContext = Pick<RunContext, 'cluster' | 'recorder' | 'subject' | 'plan' | 'log' | 'hook' | 'timeouts' | 'state'>;

/** round-start's revision fields: the highest ordinal's revision, and the pods that differ from it. */
function revisionFields(r: ExpectedRevision): { revision: string; revisions?: Record<string, string> } {
  if (typeof r === 'string') return { revision: r };
  const pods = Object.keys(r);
  const revision = r[pods.at(-1) ?? ''] ?? '';
  const differ = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== revision));
  return Object.keys(differ).length > 0 ? { revision, revisions: differ } : { revision };
}

export async function chaosRound(c: RoundContext, p: RoundPlan): Promise<RoundResult> {
  const { recorder } = c;
  const workload = c.subject.workload;
  await c.hook('before-kills', p.round);
  const firstEntry = recorder.timeline.length;
  // Sending the disruptions and seeing them take effect share the round's budget, so an
  // API server outage at this moment is ridden out like one during the recovery wait.
  const deadline = Date.now() + c.timeouts.round;
  const steps = c.state.update?.stepsAt(p.round) ?? [];
  // The update goes first, so this round's kills land while it rolls (lib/update/session.ts).
  const step = steps[0];
  if (step) {
    await c.state.update?.begin(step, deadline);
    await c.hook('update-started', p.round);
  }
  const start = recorder.mark({ marker: 'round-start', round: p.round, pattern: p.pattern, ...revisionFields(expectedRevision(c)) });
  const targets = new Map<string, DisruptionTarget>(p.kills.map((k) => [k.pod, targetOf(c, k.pod, k.ordinal)]));
  if (step && c.state.update?.strategy === 'OnDelete') await c.state.update.hold();
  const refused = await sendKills(c, p, step !== undefined, deadline, targets);
  await c.hook('after-kills', p.round);
  // Only pods meant to end must show a new UID; a pod restarted in place keeps its own.
  const replaced = new Map(
    p.kills
      .filter((k) => !refused.has(k.pod) && endsThePod(disruption(k.action).expect))
      .map((k) => [k.pod, targets.get(k.pod)?.uid ?? '']),
  );
  const { converged, unobserved } = await settleRound(c, p, steps, replaced);
  const end = recorder.mark({ marker: 'round-end', round: p.round, converged, ...(unobserved !== undefined ? { unobserved } : {}) });
  const recoveries = recoveriesForRound(recorder.timeline, p, { start: start.t, end: end.t }, minReadySecondsOf(workload.info));
  logRound(c, p, recoveries);
  const updates = steps.length > 0 ? stepSpans(recorder.timeline, firstEntry) : [];
  return { plan: p, startedAt: start.t, endedAt: end.t, converged, recoveries, ...(updates.length > 0 ? { updates } : {}) };
}

/** The revision the round waits for: the update's, per pod while it rolls, else the run's. */
const expectedRevision = (c: RoundContext): ExpectedRevision => c.state.update?.expected ?? c.state.revision ?? '';

/** A pod as the watch last showed it, for a disruption to aim at. */
function targetOf(c: RoundContext, pod: string, ordinal: number): DisruptionTarget {
  const s = c.recorder.pods.get(pod);
  return { pod, ordinal, uid: s?.uid ?? '', restartCount: s?.restartCount ?? 0, ...(s?.node ? { node: s.node } : {}) };
}

/** Sends the round's disruptions in the plan's pattern and waits until each took effect; returns the pods whose kill the API refused. */
async function sendKills(
  c: RoundContext,
  p: RoundPlan,
  updating: boolean,
  deadline: number,
  targets: Map<string, DisruptionTarget>,
): Promise<Set<string>> {
  const { recorder } = c;
  const workload = c.subject.workload;
  const ctxOf = (k: PlannedDisruption): DisruptionContext => ({
    cluster: c.cluster,
    namespace: workload.info.namespace,
    workload,
    recorder,
    round: p.round,
    deadline,
    log: c.log,
    params: k.params ?? {},
  });
  const refused = new Set<string>();
  const kill = async (k: PlannedDisruption): Promise<void> => {
    const d = disruption(k.action);
    // While an update rolls, the controller may have replaced the pod since the round began: aim at the live one.
    if (updating) {
      await c.recorder.livePod(k.pod, d.needs, timeLeft(deadline), `before its ${k.action} (the update may be replacing it)`);
      targets.set(k.pod, targetOf(c, k.pod, k.ordinal));
    }
    const target = targets.get(k.pod) as DisruptionTarget;
    await c.subject.guard?.(k.pod, target.uid);
    recorder.mark({
      marker: 'kill',
      round: p.round,
      pod: k.pod,
      uid: target.uid,
      action: k.action,
      expect: d.expect,
      restartCount: target.restartCount,
      ...(k.params ? { params: k.params } : {}),
    });
    const outcome = await d.apply(ctxOf(k), target);
    if (outcome?.refused) {
      refused.add(k.pod);
      recorder.mark({ marker: 'kill-refused', round: p.round, pod: k.pod, uid: target.uid, ...outcome.refused });
      c.log(`round ${p.round}: ${k.action} of ${k.pod} refused (${outcome.refused.status}): ${outcome.refused.reason}`);
    }
  };
  const tookEffect = async (k: PlannedDisruption): Promise<void> => {
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
  return refused;
}

/**
 * Waits for the StatefulSet to converge (and the update's step to complete), then for a
 * same-round rollback step. A wait that fails ends the round unconverged, not the run.
 */
async function settleRound(
  c: RoundContext,
  p: RoundPlan,
  steps: readonly UpdateStepName[],
  replaced: Map<string, string>,
): Promise<{ converged: boolean; unobserved?: string }> {
  const budgetMs = c.timeouts.round;
  const workload = c.subject.workload;
  let converged = true;
  let unobserved: string | undefined;
  const settle = async (s: UpdateStepName | undefined, killed: Map<string, string>, what: string): Promise<void> => {
    try {
      if (s && c.state.update?.strategy === 'OnDelete') await c.state.update.operatorDeletes(Date.now() + budgetMs);
      await waitConverged(c.recorder, workload, expectedRevision(c), killed, budgetMs, what);
      if (s) c.state.update?.complete(s);
    } catch (err) {
      converged = false;
      if (err instanceof ObservationError) unobserved = describeError(err);
      if (s) c.state.update?.complete(s, err);
      c.log(
        `round ${p.round} did not converge: ${describeError(err)}${err instanceof ClusterError && err.detail ? `\n${err.detail}` : ''}`,
      );
    }
  };
  const step = steps[0];
  await settle(step, replaced, `round ${p.round} recovery${step ? ` and the update's ${step} step` : ''}`);
  // A rollback in the forward step's own round (it was the last): after the forward step completed.
  const second = steps[1];
  if (second && converged) {
    await c.state.update?.begin(second, Date.now() + budgetMs);
    await c.hook('update-started', p.round);
    if (c.state.update?.strategy === 'OnDelete') await c.state.update.hold();
    await settle(second, new Map(), `round ${p.round}: the update's ${second} step`);
  }
  return unobserved !== undefined ? { converged, unobserved } : { converged };
}

function logRound(c: RoundContext, p: RoundPlan, recoveries: RoundResult['recoveries']): void {
  const times = recoveries
    .map(
      (r) =>
        `${r.pod} ${r.expect === 'refused' ? 'refused' : r.expect === 'unaffected' || r.expect === 'stays' ? (r.recovered ? (r.expect === 'stays' ? 'stayed' : 'untouched') : 'disturbed') : r.readyMs === undefined ? 'not recovered' : `${(r.readyMs / 1000).toFixed(1)}s`}`,
    )
    .join(', ');
  c.log(
    `round ${p.round}/${c.plan.roundCount} (${p.pattern}): ${p.kills.map((k) => `${k.pod} (${k.action})`).join(', ')}; ready again: ${times}`,
  );
}
