// One lane of the round timeline (svg-timeline.ts lays out the round): a killed pod's
// life as phase bars from its PodRecovery milestones, the kill mark, a node-fault's down
// band behind the lane, and the notes at its right (ready after, node, moved).
import type { PodRecovery } from '../model.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration } from './format.ts';
import { movedNode } from './stats.ts';

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
  const starts: [Phase, number | undefined][] =
    r.expect === 'restarted-in-place'
      ? [
          ['restarting', 0],
          ['running', r.restartedMs],
          ['ready', r.readyMs],
        ]
      : [
          ['terminating', 0],
          ['gone', r.deletedMs],
          ['pending', r.recreatedMs],
          ['running', r.runningMs],
          ['ready', r.readyMs],
        ];
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

export interface Lane {
  ordinal: number | undefined;
  pod: string;
  killed: boolean;
  recovery?: PodRecovery;
}

export const W = 960;
export const LABEL_W = 130;
export const RIGHT_W = 150;
export const LANE_H = 30;
export const BAR_H = 16;

type Scale = (ms: number) => number;

export function renderLane(lane: Lane, segments: Segment[], y: number, x: Scale, roundStart: number): string {
  const mid = y + LANE_H / 2;
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
  if (r.nodeDown) parts.push(nodeDownBand(r, r.nodeDown, y, x, roundStart));
  parts.push(...phaseBars(lane.pod, r, segments, mid, x));
  const kx = x(r.killedAt - roundStart).toFixed(1);
  parts.push(
    `<g class="kill"><line x1="${kx}" x2="${kx}" y1="${y + 2}" y2="${y + LANE_H - 2}"/>` +
      `<path d="M${kx} ${mid - BAR_H / 2 - 1} l-4 -6 h8 z"/><title>${escapeHtml(`${lane.pod} killed (${r.action}${r.expect === 'restarted-in-place' ? ', restarted in place' : ''})`)}</title></g>`,
  );
  if (r.expect === 'refused') {
    parts.push(
      `<line class="idle" x1="${x(0)}" x2="${W - RIGHT_W}" y1="${mid}" y2="${mid}"/>`,
      `<text class="lane-note" x="${W - RIGHT_W + 10}" y="${mid}" dominant-baseline="central">${r.recovered ? 'refused, pod kept' : '<tspan class="bad">refused, pod went</tspan>'}</text>`,
      '</g>',
    );
    return parts.join('');
  }
  parts.push(...laneNotes(r, mid), ...moveMark(lane.pod, r, segments, y, x), '</g>');
  return parts.join('');
}

/** A node-fault's down interval, as a band behind the lane. */
function nodeDownBand(r: PodRecovery, down: NonNullable<PodRecovery['nodeDown']>, y: number, x: Scale, roundStart: number): string {
  const dx = x(r.killedAt - roundStart + down.downMs);
  const ux = down.upMs === undefined ? W - RIGHT_W : x(r.killedAt - roundStart + down.upMs);
  const until = down.upMs === undefined ? 'not back within the round' : `back ${formatDuration(down.upMs)} after the kill`;
  return (
    `<rect class="node-down" x="${dx.toFixed(1)}" y="${y + 1}" width="${Math.max(ux - dx, 1.5).toFixed(1)}" height="${LANE_H - 2}">` +
    `<title>${escapeHtml(`node ${down.node} down from ${formatDuration(down.downMs)} after the kill, ${until}`)}</title></rect>`
  );
}

/** One bar per phase; `gone` is a thin line, since no pod object exists then. */
function phaseBars(pod: string, r: PodRecovery, segments: Segment[], mid: number, x: Scale): string[] {
  const barY = mid - BAR_H / 2;
  return segments.map((s) => {
    const sx = x(s.from);
    const w = Math.max(x(s.to) - sx, 1.5);
    const node = nodeOfPhase(r, s.phase);
    const tip = `${pod}: ${PHASE_LABELS[s.phase]} from ${formatDuration(s.from)} to ${formatDuration(s.to)}${node ? ` on node ${node}` : ''}`;
    const shape =
      s.phase === 'gone'
        ? `<rect class="seg seg-gone" x="${sx.toFixed(1)}" y="${(mid - 2).toFixed(1)}" width="${w.toFixed(1)}" height="4">`
        : `<rect class="seg seg-${s.phase}" x="${sx.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2">`;
    return `${shape}<title>${escapeHtml(tip)}</title></rect>`;
  });
}

/** The notes at the lane's right: ready after (or not ready) and, when known, the node. */
function laneNotes(r: PodRecovery, mid: number): string[] {
  const nodes = r.fromNode || r.toNode;
  // With nodes known the note moves up to make room for them on a second line.
  const noteY = nodes ? mid - 6 : mid;
  const note =
    r.recovered && r.readyMs !== undefined
      ? `<text class="lane-note" x="${W - RIGHT_W + 10}" y="${noteY}" dominant-baseline="central">ready after ${escapeHtml(formatDuration(r.readyMs))}</text>`
      : `<text class="lane-note bad" x="${W - RIGHT_W + 10}" y="${noteY}" dominant-baseline="central">not ready</text>`;
  if (!nodes) return [note];
  // The column fits one node name: a move shows where to, its title both nodes.
  const label = movedNode(r) ? `→ ${shorten(r.toNode ?? '')}` : shorten(r.toNode ?? r.fromNode ?? '');
  const title = movedNode(r) ? `the killed pod ran on ${r.fromNode}; its replacement on ${r.toNode}` : `on node ${r.toNode ?? r.fromNode}`;
  return [
    note,
    `<text class="lane-node${movedNode(r) ? ' moved' : ''}" x="${W - RIGHT_W + 10}" y="${mid + 8}" dominant-baseline="central">${escapeHtml(label)}<title>${escapeHtml(title)}</title></text>`,
  ];
}

/** A replacement on another node: a mark where its life began. */
function moveMark(pod: string, r: PodRecovery, segments: Segment[], y: number, x: Scale): string[] {
  const start = segments.find((s) => s.phase === 'pending' || s.phase === 'running' || s.phase === 'ready');
  if (!movedNode(r) || !start) return [];
  const mx = x(start.from).toFixed(1);
  return [
    `<g class="move"><path d="M${mx} ${y + 1} l5 5 l-5 5 l-5 -5 z"/>` +
      `<title>${escapeHtml(`${pod} moved: replacement on node ${r.toNode}, the killed pod was on ${r.fromNode}`)}</title></g>`,
  ];
}

/** The node a phase's pod was on: the killed pod until it is gone, then its replacement. */
function nodeOfPhase(r: PodRecovery, phase: Phase): string | undefined {
  return phase === 'terminating' || phase === 'gone' ? r.fromNode : r.toNode;
}

// The label column fits about 16 monospace characters; the ordinal suffix is the part
// that must stay readable, so long names lose their middle.
function shorten(pod: string): string {
  const chars = [...pod];
  return chars.length <= 16 ? pod : `${chars.slice(0, 6).join('')}…${chars.slice(-9).join('')}`;
}
