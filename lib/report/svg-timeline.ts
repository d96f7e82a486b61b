// One round as an inline SVG: a lane per ordinal, each killed pod's life drawn as
// terminating → gone → pending → running → ready from its PodRecovery milestones; a pod
// restarted in place as restarting → running → ready; a refused kill as its marker alone.
// Each generation's node is in its bars' titles and under the lane's note; a replacement
// on another node than the killed pod gets a move mark, and a node-fault's down interval
// is a band behind the lane, as is a fault the node agent held (svg-faults.ts).
// Writes that went unacknowledged (traffic during chaos) are a strip along the lane's foot.
// This file lays out the round (lanes, axis, update bands); svg-lane.ts draws one lane.
import type { UnavailableInterval } from '../traffic/records.ts';
import type { FaultSpan, RoundResult, WorkloadInfo } from '../model.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration } from './format.ts';
import { ordinals, podName } from '../names.ts';
import { ordinalOf } from '../timeline/queries.ts';
import { faultBands } from './svg-faults.ts';
import { LABEL_W, LANE_H, PHASES, PHASE_LABELS, RIGHT_W, W, laneSegments, renderLane, type Lane } from './svg-lane.ts';

// The lanes' phases and drawing are in svg-lane.ts; the report and tests import them from here.
export { PHASES, PHASE_LABELS, laneSegments, type Phase, type Segment } from './svg-lane.ts';

// A corrupt replicas count must not turn the report into a million-lane SVG.
const MAX_IDLE_LANES = 200;

function lanesFor(round: RoundResult, workload: WorkloadInfo): Lane[] {
  const byOrdinal = new Map<number, Lane>();
  for (const i of ordinals({ ...workload, replicas: Math.min(workload.replicas, MAX_IDLE_LANES) })) {
    byOrdinal.set(i, { ordinal: i, pod: podName(workload, i), killed: false });
  }
  for (const k of round.plan.kills) byOrdinal.set(k.ordinal, { ordinal: k.ordinal, pod: k.pod, killed: true });
  const orphans: Lane[] = [];
  for (const r of round.recoveries) {
    const ordinal = round.plan.kills.find((k) => k.pod === r.pod)?.ordinal ?? ordinalOf(workload.statefulSet, r.pod);
    if (ordinal === undefined) orphans.push({ ordinal, pod: r.pod, killed: true, recovery: r });
    else byOrdinal.set(ordinal, { ordinal, pod: r.pod, killed: true, recovery: r });
  }
  return [...[...byOrdinal.values()].sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0)), ...orphans];
}

/** A tick step that gives 4–10 ticks with round numbers. */
function tickStep(domainMs: number): number {
  const steps = [250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  return steps.find((s) => domainMs / s <= 10) ?? Math.ceil(domainMs / 10 / 60_000) * 60_000;
}

const AXIS_H = 34;
const TOP = 8;

/**
 * `unavailable`: the traffic intervals in which a pod acknowledged no write (run ms), drawn under its lane.
 * `faults`: the run's agent faults (results.json `faults`); this round's are bands behind their pods' lanes.
 */
export function renderTimeline(
  round: RoundResult,
  workload: WorkloadInfo,
  unavailable: readonly UnavailableInterval[] = [],
  faults: readonly FaultSpan[] = [],
): string {
  const lanes = lanesFor(round, workload);
  const laneData = lanes.map((lane) => ({
    lane,
    segments: lane.recovery ? laneSegments(lane.recovery, round.startedAt, round.endedAt) : [],
  }));
  const healed = faults.filter((f) => f.round === round.plan.round).map((f) => (f.healedAtMs ?? 0) - round.startedAt);
  const lastEdge = Math.max(0, round.endedAt - round.startedAt, ...laneData.flatMap((l) => l.segments.map((s) => s.to)), ...healed);
  const step = tickStep(Math.max(lastEdge, 1000));
  const domain = Math.max(step, Math.ceil(lastEdge / step) * step);
  const plotW = W - LABEL_W - RIGHT_W;
  const x = (ms: number): number => LABEL_W + (Math.min(Math.max(ms, 0), domain) / domain) * plotW;
  const height = TOP + lanes.length * LANE_H + AXIS_H;
  const axisY = TOP + lanes.length * LANE_H;

  const grid: string[] = [];
  for (let t = 0; t <= domain; t += step) {
    const gx = x(t).toFixed(1);
    grid.push(
      `<line class="grid" x1="${gx}" x2="${gx}" y1="${TOP}" y2="${axisY}"/>` +
        `<line class="tick" x1="${gx}" x2="${gx}" y1="${axisY}" y2="${axisY + 5}"/>` +
        `<text class="tick-label" x="${gx}" y="${axisY + 17}" text-anchor="middle">${seconds(t, step)}</text>`,
    );
  }

  const laneSvg = laneData.map(
    ({ lane, segments }, i) =>
      renderLane(lane, segments, TOP + i * LANE_H, x, round.startedAt) +
      refusedWrites(lane.pod, unavailable, TOP + i * LANE_H, x, round, domain),
  );
  const laneTop = new Map(lanes.map((l, i) => [l.pod, TOP + i * LANE_H]));
  const label = `Round ${round.plan.round} timeline: ${lanes.length} lanes, one per ordinal`;
  return [
    `<svg class="timeline" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    ...updateSpans(round, x, domain, axisY),
    ...faultBands(faults, round, (pod) => laneTop.get(pod), x, domain),
    ...laneSvg,
    `<line class="axis" x1="${LABEL_W}" x2="${LABEL_W + plotW}" y1="${axisY}" y2="${axisY}"/>`,
    `<text class="axis-title" x="${LABEL_W + plotW}" y="${axisY + 31}" text-anchor="end">seconds since round start</text>`,
    '</svg>',
  ].join('\n');
}

// A thin strip along the lane's foot, clipped to the round's axis: writes to this pod
// went unacknowledged there (traffic during chaos), next to the kill that caused it.
function refusedWrites(
  pod: string,
  all: readonly UnavailableInterval[],
  y: number,
  x: (ms: number) => number,
  round: RoundResult,
  domain: number,
): string {
  const base = round.startedAt;
  return all
    .filter((u) => u.pod === pod && u.toMs > base && u.fromMs < base + domain)
    .map((u) => {
      const from = x(u.fromMs - base);
      const w = Math.max(x(u.toMs - base) - from, 1.5);
      const tip = `${pod}: writes unacknowledged for ${formatDuration(u.toMs - u.fromMs)}${u.open ? ' (until traffic stopped)' : ''}`;
      return `<rect class="unavail" x="${from.toFixed(1)}" y="${y + LANE_H - 5}" width="${w.toFixed(1)}" height="3"><title>${escapeHtml(tip)}</title></rect>`;
    })
    .join('');
}

// An update step (lib/update/) as a band behind every lane with a bar above them: the
// controller (or the operator) was replacing pods there while the round's kills went out.
function updateSpans(round: RoundResult, x: (ms: number) => number, domain: number, axisY: number): string[] {
  return (round.updates ?? []).map((u) => {
    const from = x(u.startMs - round.startedAt);
    const to = x(u.endMs === undefined ? domain : u.endMs - round.startedAt);
    const w = Math.max(to - from, 1.5).toFixed(1);
    const tip = `update ${u.step} step: ${formatDuration(Math.max(0, u.startMs - round.startedAt))} to ${u.endMs === undefined ? "the round's end, never complete" : `${formatDuration(u.endMs - round.startedAt)}${u.converged ? '' : ', not converged'}`}`;
    return (
      `<g class="update" data-step="${u.step}"><rect class="update-span" x="${from.toFixed(1)}" y="${TOP}" width="${w}" height="${axisY - TOP}"/>` +
      `<rect class="update-bar" x="${from.toFixed(1)}" y="1" width="${w}" height="4"/><title>${escapeHtml(tip)}</title></g>`
    );
  });
}

function seconds(ms: number, step: number): string {
  return `${Number((ms / 1000).toFixed(step < 1000 ? 2 : 0))} s`;
}

/** `faultKinds`: the kinds of agent fault the run held (the fault band is listed only when there are any). */
export function renderLegend(faultKinds: readonly string[] = []): string {
  const items = PHASES.map(
    (p) => `<span class="legend-item"><span class="swatch swatch-${p}"></span>${escapeHtml(PHASE_LABELS[p])}</span>`,
  );
  items.push(
    '<span class="legend-item"><span class="swatch swatch-kill"></span>kill</span>',
    '<span class="legend-item"><span class="swatch swatch-move"></span>replacement on another node</span>',
    '<span class="legend-item"><span class="swatch swatch-node-down"></span>the pod&#39;s node down</span>',
    '<span class="legend-item"><span class="swatch swatch-unavail"></span>writes unacknowledged</span>',
    '<span class="legend-item"><span class="swatch swatch-update"></span>update step rolling</span>',
  );
  if (faultKinds.length > 0)
    items.push(
      `<span class="legend-item"><span class="swatch swatch-fault"></span>fault held (${escapeHtml(faultKinds.join(', '))}): confirmed to heal confirmed</span>`,
    );
  return `<div class="legend">${items.join('')}</div>`;
}
