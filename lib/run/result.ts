// What a run's result says besides the checks: its header (ids, options, timings), its
// observation (watch gaps, volume behaviour, detection latency) and the verdict counts.
import { latencyStats } from '../observe/canary.ts';
import type { Recorder } from '../observe/recorder.ts';
import { recoveryByDisruption } from '../report/stats.ts';
import type { RunPlan } from './plan.ts';
import type { PlannedUpdate } from '../update/mode.ts';
import { volumeBehaviour } from '../timeline/volumes.ts';
import type { MarkerOf, TimelineEntry } from '../timeline/entries.ts';
import type { ClusterFacts, RoundResult } from '../model.ts';
import type { FaultRecord, RunResult } from './results-schema.ts';
import { toolVersion } from './version.ts';
import type { Workload } from '../workloads/common.ts';

/** Adds what the run learned about its own observation: watch gaps and the canary's detection latency. */
export function observed(result: RunResult, recorder: Recorder, log: (line: string) => void): RunResult {
  const gaps = recorder.timeline.flatMap((e) =>
    e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind !== undefined && e.from !== undefined && e.to !== undefined
      ? [{ kind: e.kind, fromMs: e.from, toMs: e.to, reason: e.reason ?? '' }]
      : [],
  );
  if (gaps.length > 0) result.observationGaps = gaps;
  const faults = faultsOf(recorder.timeline);
  if (faults.length > 0) result.faults = faults;
  const volumes = volumeBehaviour(recorder.timeline);
  if (volumes) result.volumes = volumes;
  if (recorder.canarySamples.length > 0) {
    const d = latencyStats(recorder.canarySamples);
    result.detectionLatency = d;
    log(
      `detection latency (canary, ${d.samples} samples): p50 ${d.p50Ms?.toFixed(2)} ms, p95 ${d.p95Ms?.toFixed(2)} ms, max ${d.maxMs?.toFixed(2)} ms`,
    );
  }
  return result;
}

/** Each confirmed fault (partition, disk-full) with its confirmed heal (same kind, round and pod), in timeline order. */
export function faultsOf(timeline: readonly TimelineEntry[]): FaultRecord[] {
  const out: FaultRecord[] = [];
  for (const e of timeline) {
    if (e.type !== 'MARKER') continue;
    if (e.marker === 'partition') {
      const { round, pod, node, peers, confirmMs, shape, cut } = e;
      out.push({ kind: 'partition', round, pod, node, peers, confirmedAtMs: e.t, confirmMs, ...(shape ? { shape, cut } : {}) });
    } else if (e.marker === 'partition-followed') {
      const open = out.find((f) => f.kind === 'partition' && f.round === e.round && f.healedAtMs === undefined);
      if (open?.kind === 'partition') open.followed = [...(open.followed ?? []), { pod: e.pod, uid: e.uid, confirmMs: e.confirmMs }];
    } else if (e.marker === 'disk-full') {
      const { round, pod, node, path, sizeKiB, confirmMs, by } = e;
      out.push({ kind: 'disk-full', round, pod, node, path, sizeKiB, confirmedAtMs: e.t, confirmMs, ...(by ? { confirmedBy: by } : {}) });
    } else if (e.marker === 'partition-healed' || e.marker === 'disk-full-healed') {
      const kind = e.marker === 'partition-healed' ? 'partition' : 'disk-full';
      const open = out.find((f) => f.kind === kind && f.round === e.round && f.pod === e.pod && f.healedAtMs === undefined);
      const leader = e.marker === 'partition-healed' && e.leader ? { leader: e.leader } : {};
      const by = e.marker === 'disk-full-healed' && e.by ? { healConfirmedBy: e.by } : {};
      if (open) Object.assign(open, { healedAtMs: e.t, healConfirmMs: e.healConfirmMs, ...leader, ...by });
    } else if (e.marker === 'net-fault' || e.marker === 'net-fault-healed') {
      netFault(out, e);
    }
  }
  return out;
}

/** A loss or bandwidth fault's markers, folded into `out` as faultsOf does a partition's. */
function netFault(out: FaultRecord[], e: MarkerOf<'net-fault'> | MarkerOf<'net-fault-healed'>): void {
  if (e.marker === 'net-fault') {
    const { kind, round, pod, node, peers, confirmMs, params, measured } = e;
    out.push({ kind, round, pod, node, peers, confirmedAtMs: e.t, confirmMs, params, measured });
    return;
  }
  const open = out.find((f) => f.kind === e.kind && f.round === e.round && f.pod === e.pod && f.healedAtMs === undefined);
  if (open) Object.assign(open, { healedAtMs: e.t, healConfirmMs: e.healConfirmMs });
}

export function assemble(
  b: { runId: string; started: Date; replay: string; facts: ClusterFacts; workload: Workload; plan: RunPlan },
  checks: RunResult['checks'],
  rounds: RoundResult[],
  timeline: readonly TimelineEntry[],
): RunResult {
  const finished = new Date();
  const count = (s: string): number => checks.filter((c) => c.status === s).length;
  const byKind = recoveryByDisruption(rounds);
  return {
    schemaVersion: 1,
    runId: b.runId,
    tool: { name: 'ordinal', version: toolVersion() },
    seed: b.plan.seed,
    replay: b.replay,
    startedAt: b.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - b.started.getTime(),
    cluster: b.facts,
    workload: b.workload.info,
    options: {
      rounds: b.plan.roundCount,
      timeoutSeconds: b.plan.budget.round / 1000,
      chaos: b.plan.disruptions,
      update: updateOption(b.plan.update, timeline),
    },
    checks,
    rounds,
    ...(byKind.length > 0 ? { recoveryByDisruption: byKind } : {}),
    summary: { passed: count('passed'), failed: count('failed'), error: count('error'), skipped: count('skipped') },
  };
}

type UpdateOption = NonNullable<RunResult['options']['update']>;

/**
 * The update phase as it happened: the plan (--update or the seed), corrected by the
 * timeline when the run changed it (an image update with no known second tag became a
 * template update) or never reached its round (then none, saying so).
 */
export function updateOption(u: PlannedUpdate, timeline: readonly TimelineEntry[]): UpdateOption {
  const { mode: planned, chosenBy, round } = u;
  if (planned === 'none' || round === undefined) return { mode: planned, chosenBy, ...(u.note ? { note: u.note } : {}) };
  const forward = timeline.find(
    (e): e is MarkerOf<'update-start'> => e.type === 'MARKER' && e.marker === 'update-start' && e.step === 'forward',
  );
  if (!forward) {
    return {
      mode: 'none',
      chosenBy,
      note: `${planned} was planned for round ${round}, but the run ended before that round's update began`,
    };
  }
  if (forward.mode !== planned) {
    return {
      mode: forward.mode,
      round,
      chosenBy,
      note: `${planned} was planned, but no second tag is known for the container's image: a ${forward.mode} update instead (--update-image names one)`,
    };
  }
  return { mode: planned, round, chosenBy, ...(u.note ? { note: u.note } : {}) };
}
