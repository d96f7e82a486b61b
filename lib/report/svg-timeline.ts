// One round as an inline SVG: a lane per ordinal, each killed pod's life drawn as
// terminating → gone → pending → running → ready from its PodRecovery milestones; a pod
// restarted in place as restarting → running → ready; a refused kill as its marker alone.
// Each generation's node is in its bars' titles and under the lane's note; a replacement
// on another node than the killed pod gets a move mark, and a node-fault's down interval
// is a band behind the lane.
// Writes that went unacknowledged (traffic during chaos) are a strip along the lane's foot.
import type { UnavailableInterval } from '../traffic/records.ts';
import type { PodRecovery, RoundResult, WorkloadInfo } from '../model.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration } from './format.ts';
import { movedNode } from './stats.ts';
import { ordinals, podName } from '../names.ts';
import { ordinalOf } from '../timeline/queries.ts';

export const PHASES = ['terminating', 'gone', 'pending', 'restarting', 'running', 'ready'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  terminating: 'terminating (old pod)',
  gone: 'no pod object',
  pending: 'pending',
  restarting: 'container restarting (same pod)',
  running: 'running, not ready',
  ready: 'ready',
};

/** ms since the round started. */
export interface Segment {
  phase: Phase;
  from: number;
  to: number;
}

/**
 * Phases between the milestones the recorder saw. A missing milestone simply merges
 * into its neighbour; times are clamped so out-of-order clocks cannot draw backwards.
 */
export function laneSegments(r: PodRecovery, roundStart: number, roundEnd: number): Segment[] {
  const kill = r.killedAt - roundStart;
  if (r.expect === 'refused') return [];
  const starts: [Phase, number | undefined][] = r.expect === 'restarted-in-place'
    ? [['restarting', 0], ['running', r.restartedMs], ['ready', r.readyMs]]
    : [['terminating', 0], ['gone', r.deletedMs], ['pending', r.recreatedMs], ['running', r.runningMs], ['ready', r.readyMs]];
  const known = starts.filter((s): s is [Phase, number] => typeof s[1] === 'number' && Number.isFinite(s[1]));
  const end = Math.max(roundEnd - roundStart, kill);
  const segments: Segment[] = [];
  let floor = kill;
  known.forEach(([phase, offset], i) => {
    const from = Math.max(floor, kill + offset);
    const next = known[i + 1];
    const to = Math.max(from, next ? kill + next[1] : end);
    segments.push({ phase, from, to });
    floor = from;
  });
  return segments;
}

interface Lane {
  ordinal: number | undefined;
  pod: string;
  killed: boolean;
  recovery?: PodRecovery;
}

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

const W = 960;
const LABEL_W = 130;
const RIGHT_W = 150;
const LANE_H = 30;
const BAR_H = 16;
const AXIS_H = 34;
const TOP = 8;

/** `unavailable`: the traffic intervals in which a pod acknowledged no write (run ms), drawn under its lane. */
export function renderTimeline(round: RoundResult, workload: WorkloadInfo, unavailable: readonly UnavailableInterval[] = []): string {
  const lanes = lanesFor(round, workload);
  const laneData = lanes.map((lane) => ({
    lane,
    segments: lane.recovery ? laneSegments(lane.recovery, round.startedAt, round.endedAt) : [],
  }));
  const lastEdge = Math.max(0, round.endedAt - round.startedAt, ...laneData.flatMap((l) => l.segments.map((s) => s.to)));
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

  const laneSvg = laneData.map(({ lane, segments }, i) =>
    renderLane(lane, segments, TOP + i * LANE_H, x, round.startedAt) + refusedWrites(lane.pod, unavailable, TOP + i * LANE_H, x, round, domain));
  const label = `Round ${round.plan.round} timeline: ${lanes.length} lanes, one per ordinal`;
  return [
    `<svg class="timeline" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    ...updateSpans(round, x, domain, axisY),
    ...laneSvg,
    `<line class="axis" x1="${LABEL_W}" x2="${LABEL_W + plotW}" y1="${axisY}" y2="${axisY}"/>`,
    `<text class="axis-title" x="${LABEL_W + plotW}" y="${axisY + 31}" text-anchor="end">seconds since round start</text>`,
    '</svg>',
  ].join('\n');
}

function renderLane(
  lane: Lane,
  segments: Segment[],
  y: number,
  x: (ms: number) => number,
  roundStart: number,
): string {
  const mid = y + LANE_H / 2;
  const barY = mid - BAR_H / 2;
  const parts: string[] = [
    `<g class="lane" data-ordinal="${lane.ordinal ?? ''}" data-pod="${escapeHtml(lane.pod)}">`,
    `<text class="lane-label" x="${LABEL_W - 10}" y="${mid}" text-anchor="end" dominant-baseline="central">` +
      `${escapeHtml(shorten(lane.pod))}<title>${escapeHtml(lane.pod)}</title></text>`,
  ];
  const r = lane.recovery;
  if (!r) {
    parts.push(
      `<line class="idle" x1="${x(0)}" x2="${W - RIGHT_W}" y1="${mid}" y2="${mid}"/>`,
      lane.killed
        ? `<text class="lane-note bad" x="${W - RIGHT_W + 10}" y="${mid}" dominant-baseline="central">killed, no recovery data</text>`
        : `<text class="lane-note muted" x="${W - RIGHT_W + 10}" y="${mid}" dominant-baseline="central">not killed</text>`,
      '</g>',
    );
    return parts.join('');
  }
  const down = r.nodeDown;
  if (down) {
    const dx = x(r.killedAt - roundStart + down.downMs);
    const ux = down.upMs === undefined ? W - RIGHT_W : x(r.killedAt - roundStart + down.upMs);
    const until = down.upMs === undefined ? 'not back within the round' : `back ${formatDuration(down.upMs)} after the kill`;
    parts.push(
      `<rect class="node-down" x="${dx.toFixed(1)}" y="${y + 1}" width="${Math.max(ux - dx, 1.5).toFixed(1)}" height="${LANE_H - 2}">` +
        `<title>${escapeHtml(`node ${down.node} down from ${formatDuration(down.downMs)} after the kill, ${until}`)}</title></rect>`,
    );
  }
  for (const s of segments) {
    const sx = x(s.from);
    const w = Math.max(x(s.to) - sx, 1.5);
    const node = nodeOfPhase(r, s.phase);
    const tip = `${lane.pod}: ${PHASE_LABELS[s.phase]} from ${formatDuration(s.from)} to ${formatDuration(s.to)}${node ? ` on node ${node}` : ''}`;
    const shape =
      s.phase === 'gone'
        ? `<rect class="seg seg-gone" x="${sx.toFixed(1)}" y="${(mid - 2).toFixed(1)}" width="${w.toFixed(1)}" height="4">`
        : `<rect class="seg seg-${s.phase}" x="${sx.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2">`;
    parts.push(`${shape}<title>${escapeHtml(tip)}</title></rect>`);
  }
  const kx = x(r.killedAt - roundStart).toFixed(1);
  parts.push(
    `<g class="kill"><line x1="${kx}" x2="${kx}" y1="${y + 2}" y2="${y + LANE_H - 2}"/>` +
      `<path d="M${kx} ${barY - 1} l-4 -6 h8 z"/><title>${escapeHtml(`${lane.pod} killed (${r.action}${r.expect === 'restarted-in-place' ? ', restarted in place' : ''})`)}</title></g>`,
  );
  if (r.expect === 'refused') {
    parts.push(
      `<line class="idle" x1="${x(0)}" x2="${W - RIGHT_W}" y1="${mid}" y2="${mid}"/>`,
      `<text class="lane-note" x="${W - RIGHT_W + 10}" y="${mid}" dominant-baseline="central">${r.recovered ? 'refused, pod kept' : '<tspan class="bad">refused, pod went</tspan>'}</text>`,
      '</g>',
    );
    return parts.join('');
  }
  const nodes = r.fromNode || r.toNode;
  // With nodes known the note moves up to make room for them on a second line.
  const noteY = nodes ? mid - 6 : mid;
  const note =
    r.recovered && r.readyMs !== undefined
      ? `<text class="lane-note" x="${W - RIGHT_W + 10}" y="${noteY}" dominant-baseline="central">ready after ${escapeHtml(formatDuration(r.readyMs))}</text>`
      : `<text class="lane-note bad" x="${W - RIGHT_W + 10}" y="${noteY}" dominant-baseline="central">not ready</text>`;
  parts.push(note);
  if (nodes) {
    // The column fits one node name: a move shows where to, its title both nodes.
    const label = movedNode(r) ? `→ ${shorten(r.toNode ?? '')}` : shorten(r.toNode ?? r.fromNode ?? '');
    const title = movedNode(r) ? `the killed pod ran on ${r.fromNode}; its replacement on ${r.toNode}` : `on node ${r.toNode ?? r.fromNode}`;
    parts.push(`<text class="lane-node${movedNode(r) ? ' moved' : ''}" x="${W - RIGHT_W + 10}" y="${mid + 8}" dominant-baseline="central">${escapeHtml(label)}<title>${escapeHtml(title)}</title></text>`);
  }
  const start = segments.find((s) => s.phase === 'pending' || s.phase === 'running' || s.phase === 'ready');
  if (movedNode(r) && start) {
    const mx = x(start.from).toFixed(1);
    parts.push(
      `<g class="move"><path d="M${mx} ${y + 1} l5 5 l-5 5 l-5 -5 z"/>` +
        `<title>${escapeHtml(`${lane.pod} moved: replacement on node ${r.toNode}, the killed pod was on ${r.fromNode}`)}</title></g>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

/** The node a phase's pod was on: the killed pod until it is gone, then its replacement. */
function nodeOfPhase(r: PodRecovery, phase: Phase): string | undefined {
  return phase === 'terminating' || phase === 'gone' ? r.fromNode : r.toNode;
}

// A thin strip along the lane's foot, clipped to the round's axis: writes to this pod
// went unacknowledged there (traffic during chaos), next to the kill that caused it.
function refusedWrites(pod: string, all: readonly UnavailableInterval[], y: number, x: (ms: number) => number, round: RoundResult, domain: number): string {
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
    const tip = `update ${u.step} step: ${formatDuration(Math.max(0, u.startMs - round.startedAt))} to ${u.endMs === undefined ? 'the round\'s end, never complete' : `${formatDuration(u.endMs - round.startedAt)}${u.converged ? '' : ', not converged'}`}`;
    return `<g class="update" data-step="${u.step}"><rect class="update-span" x="${from.toFixed(1)}" y="${TOP}" width="${w}" height="${axisY - TOP}"/>` +
      `<rect class="update-bar" x="${from.toFixed(1)}" y="1" width="${w}" height="4"/><title>${escapeHtml(tip)}</title></g>`;
  });
}

function seconds(ms: number, step: number): string {
  return `${Number((ms / 1000).toFixed(step < 1000 ? 2 : 0))} s`;
}

// The label column fits about 16 monospace characters; the ordinal suffix is the part
// that must stay readable, so long names lose their middle.
function shorten(pod: string): string {
  const chars = [...pod];
  return chars.length <= 16 ? pod : `${chars.slice(0, 6).join('')}…${chars.slice(-9).join('')}`;
}

export function renderLegend(): string {
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
  return `<div class="legend">${items.join('')}</div>`;
}
