// A failing sub-history of STS-LINEARIZABLE as an inline SVG: one row per process, each
// operation a bar from its invocation to its completion (an unknown outcome runs open to
// the right edge), the operation no linearization places in the failure colour. On the
// run's axis the disruptions that overlap the window are drawn with it: a band per
// disrupted pod from its kill until it was Ready again, its node's down interval, and
// the kill instant, so a reader sees which read went stale during which disruption.
import type { FigureOp, SubHistoryFigure } from '../checks/api.ts';
import type { RoundResult } from '../model.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration } from './format.ts';
import { LABEL_W, RIGHT_W, W } from './svg-lane.ts';

const ROW_H = 24;
const BAR_H = 10;
const TOP = 8;
const AXIS_H = 34;

/** A disruption on the figure's axis: the pod out of service, its node down, the kill instant. */
export interface DisruptionSpan {
  pod: string;
  action: string;
  round: number;
  killMs: number;
  /** Ready again (absent: not within its round; the band runs to the round's end). */
  readyMs?: number;
  endMs: number;
  nodeDown?: { node: string; fromMs: number; toMs?: number };
}

/** Every disruption of the run, in run ms. */
export function disruptionSpans(rounds: readonly RoundResult[]): DisruptionSpan[] {
  return rounds.flatMap((round) =>
    round.recoveries
      .filter((r) => r.expect !== 'refused')
      .map((r) => ({
        pod: r.pod,
        action: r.action,
        round: round.plan.round,
        killMs: r.killedAt,
        ...(r.readyMs === undefined ? {} : { readyMs: r.killedAt + r.readyMs }),
        endMs: r.readyMs === undefined ? Math.max(round.endedAt, r.killedAt) : r.killedAt + r.readyMs,
        ...(r.nodeDown
          ? {
              nodeDown: {
                node: r.nodeDown.node,
                fromMs: r.killedAt + r.nodeDown.downMs,
                ...(r.nodeDown.upMs === undefined ? {} : { toMs: r.killedAt + r.nodeDown.upMs }),
              },
            }
          : {}),
      })),
  );
}

/** A tick step giving 4–10 ticks, in ms, from 0.1 ms up. */
function tickStep(span: number): number {
  for (let step = 0.1; ; step *= 10) for (const m of [1, 2, 5]) if (span / (step * m) <= 10) return step * m;
}

const short = (o: FigureOp): string => {
  if (o.f === 'cas') {
    const [from, to] = o.value as readonly unknown[];
    return `cas ${JSON.stringify(from)}→${JSON.stringify(to)}`;
  }
  return `${o.f === 'read' ? 'r' : 'w'} ${JSON.stringify(o.value)}`;
};

const ROLE_WORDS: Record<NonNullable<FigureOp['role']>, string> = {
  failing: 'cannot be placed',
  writer: 'set the value that was current',
  source: 'wrote the value read',
};

/** The figure's window (ms on its axis) and the disruptions that overlap it. */
function windowOf(fig: SubHistoryFigure, rounds: readonly RoundResult[]): { lo: number; hi: number; spans: DisruptionSpan[] } {
  // The failing operation and the answered ones around it set the window. A write that set a
  // value seconds earlier, or an info operation pending since long ago, would shrink them
  // to slivers: one within twice the window's span before it widens it, one further off is
  // drawn clipped at the left edge, its label saying how far back it began.
  const core = fig.ops.filter((o) => o.role === 'failing' || (o.role === undefined && o.retMs !== undefined));
  const ends = core.flatMap((o) => [o.callMs, o.retMs ?? o.callMs]);
  const span = Math.max(Math.max(...ends) - Math.min(...ends), 1);
  const near = fig.ops.filter((o) => o.callMs >= Math.min(...ends) - 2 * span);
  const lo0 = Math.min(...near.map((o) => o.callMs));
  const hi0 = Math.max(...near.map((o) => o.retMs ?? o.callMs), ...ends);
  const pad = Math.max((hi0 - lo0) * 0.08, 0.5);
  const lo = lo0 - pad;
  const hi = hi0 + pad;
  return { lo, hi, spans: fig.axis === 'run' ? disruptionSpans(rounds).filter((d) => d.killMs < hi && d.endMs > lo) : [] };
}

export function renderSubHistory(fig: SubHistoryFigure, rounds: readonly RoundResult[]): string {
  const processes = [...new Set(fig.ops.map((o) => o.process))].sort((a, b) => a - b);
  const { lo, hi, spans } = windowOf(fig, rounds);
  const plotW = W - LABEL_W - RIGHT_W;
  const x = (ms: number): number => LABEL_W + ((Math.min(Math.max(ms, lo), hi) - lo) / (hi - lo)) * plotW;
  const rows = spans.length + processes.length;
  const axisY = TOP + rows * ROW_H;
  const step = tickStep(hi - lo);
  const digits = Math.max(0, Math.min(4, -Math.floor(Math.log10(step / 1000))));
  const grid: string[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
    const gx = x(t).toFixed(1);
    grid.push(
      `<line class="grid" x1="${gx}" x2="${gx}" y1="${TOP}" y2="${axisY}"/><line class="tick" x1="${gx}" x2="${gx}" y1="${axisY}" y2="${axisY + 5}"/>` +
        `<text class="tick-label" x="${gx}" y="${axisY + 17}" text-anchor="middle">${(t / 1000).toFixed(digits)}</text>`,
    );
  }
  const label = `Key ${fig.key}: ${fig.ops.length} operations of ${processes.length} processes${spans.length > 0 ? `, ${spans.length} disruptions` : ''}`;
  return [
    `<svg class="timeline subhistory" viewBox="0 0 ${W} ${axisY + AXIS_H}" width="100%" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    ...spans.map((d, i) => disruptionRow(d, TOP + i * ROW_H, x, axisY)),
    ...processes.map((p, i) => processRow(p, fig, TOP + (spans.length + i) * ROW_H, x, lo, hi)),
    `<line class="axis" x1="${LABEL_W}" x2="${LABEL_W + plotW}" y1="${axisY}" y2="${axisY}"/>`,
    `<text class="axis-title" x="${LABEL_W + plotW}" y="${axisY + 31}" text-anchor="end">${fig.axis === 'run' ? 'seconds since the run started' : 'seconds into the history (not tied to the run clock)'}</text>`,
    '</svg>',
  ].join('\n');
}

function disruptionRow(d: DisruptionSpan, y: number, x: (ms: number) => number, axisY: number): string {
  const from = x(d.killMs);
  const to = x(d.endMs);
  const tip = `round ${d.round}: ${d.pod} ${d.action} at t+${(d.killMs / 1000).toFixed(3)} s, ${d.readyMs === undefined ? 'not Ready again within its round' : `Ready after ${formatDuration(d.readyMs - d.killMs)}`}`;
  const parts = [
    `<g class="disruption" data-pod="${escapeHtml(d.pod)}"><rect class="disruption-span" x="${from.toFixed(1)}" y="${y}" width="${Math.max(to - from, 1.5).toFixed(1)}" height="${axisY - y}"/>`,
    `<rect class="seg-terminating" x="${from.toFixed(1)}" y="${y + (ROW_H - BAR_H) / 2}" width="${Math.max(to - from, 1.5).toFixed(1)}" height="${BAR_H}"/>`,
  ];
  if (d.nodeDown) {
    const nd = x(d.nodeDown.fromMs);
    const nu = x(d.nodeDown.toMs ?? d.endMs);
    parts.push(
      `<rect class="node-down" x="${nd.toFixed(1)}" y="${y + 1}" width="${Math.max(nu - nd, 1.5).toFixed(1)}" height="${ROW_H - 2}"><title>${escapeHtml(`node ${d.nodeDown.node} down`)}</title></rect>`,
    );
  }
  if (x(d.killMs) > LABEL_W)
    parts.push(`<g class="kill"><line x1="${from.toFixed(1)}" x2="${from.toFixed(1)}" y1="${y}" y2="${axisY}"/></g>`);
  parts.push(
    `<text class="lane-label" x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${escapeHtml(`${d.pod} ${d.action}`)}</text>`,
    `<title>${escapeHtml(tip)}</title></g>`,
  );
  return parts.join('');
}

function processRow(p: number, fig: SubHistoryFigure, y: number, x: (ms: number) => number, lo: number, hi: number): string {
  const cy = y + (ROW_H - BAR_H) / 2;
  const bars = fig.ops
    .filter((o) => o.process === p)
    .map((o) => {
      const from = x(o.callMs);
      const to = x(o.retMs ?? hi);
      const role = o.role ? ` ${o.role}` : '';
      const t = (ms: number): string => (fig.axis === 'run' ? `t+${(ms / 1000).toFixed(3)} s` : `${(ms / 1000).toFixed(3)} s`);
      const tip = `process ${p}: ${short(o)}${o.pod ? ` via ${o.pod}` : ''}, ${t(o.callMs)} → ${o.retMs === undefined ? 'no answer (outcome unknown)' : t(o.retMs)}${o.role ? ` — ${ROLE_WORDS[o.role]}` : ''}`;
      const early = o.callMs < lo ? ` (sent ${formatDuration(lo - o.callMs)} before this window)` : '';
      return (
        `<g class="op op-${o.type}${role}${early ? ' clipped' : ''}" data-process="${p}"><rect x="${from.toFixed(1)}" y="${cy}" width="${Math.max(to - from, 2).toFixed(1)}" height="${BAR_H}" rx="2"/>` +
        `<text class="op-label" x="${(from + 2).toFixed(1)}" y="${cy - 2}">${escapeHtml(short(o))}${o.pod ? ` · ${escapeHtml(o.pod)}` : ''}${early ? ` ← ${escapeHtml(early.slice(2, -1))}` : ''}</text><title>${escapeHtml(tip)}</title></g>`
      );
    });
  return `<text class="lane-label" x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end">process ${p}</text>${bars.join('')}`;
}

/** The legend of what this figure draws: the disruption swatches only when it draws disruptions. */
export function renderSubHistoryLegend(omitted: number, spans: readonly DisruptionSpan[]): string {
  const items = [
    '<span class="legend-item"><span class="swatch swatch-op-failing"></span>cannot be placed</span>',
    '<span class="legend-item"><span class="swatch swatch-op-writer"></span>set the value that was current</span>',
    '<span class="legend-item"><span class="swatch swatch-op-source"></span>wrote the value read</span>',
    '<span class="legend-item"><span class="swatch swatch-op"></span>concurrent</span>',
    '<span class="legend-item"><span class="swatch swatch-op-info"></span>outcome unknown (no answer)</span>',
  ];
  if (spans.length > 0)
    items.push('<span class="legend-item"><span class="swatch swatch-terminating"></span>pod disrupted, not Ready again yet</span>');
  if (spans.some((d) => d.nodeDown))
    items.push('<span class="legend-item"><span class="swatch swatch-node-down"></span>its node down</span>');
  if (omitted > 0) items.push(`<span class="legend-item">${omitted} more concurrent operations not drawn</span>`);
  return `<div class="legend">${items.join('')}</div>`;
}

/** The figure under a failing STS-LINEARIZABLE card: a caption saying what overlaps, the SVG, its legend. */
export function subHistoryFigure(fig: SubHistoryFigure, rounds: readonly RoundResult[]): string {
  const failing = fig.ops.find((o) => o.role === 'failing');
  const caption =
    fig.axis === 'history'
      ? 'The run did not tie the client&#39;s clock to its own: the operations are drawn on their own axis, without the disruptions.'
      : failing
        ? during(failing, disruptionSpans(rounds))
        : '';
  return `<figure class="subhistory" data-key="${escapeHtml(fig.key)}"><figcaption>Failing sub-history of key <span class="mono">${escapeHtml(fig.key)}</span>: one row per process, each operation from invocation to completion. ${caption}</figcaption>
${renderSubHistory(fig, rounds)}
${renderSubHistoryLegend(fig.omitted, windowOf(fig, rounds).spans)}</figure>`;
}

/** Which disruptions were under way while the failing operation ran, or the last one before it. */
function during(o: FigureOp, spans: readonly DisruptionSpan[]): string {
  const end = o.retMs ?? o.callMs;
  const under = spans.filter((d) => d.killMs <= end && d.endMs >= o.callMs);
  if (under.length > 0)
    return `It ran while ${under.map((d) => `<span class="mono">${escapeHtml(d.pod)}</span> was out (${escapeHtml(d.action)}, round ${d.round})`).join(' and ')}.`;
  const before = spans.filter((d) => d.endMs < o.callMs).sort((a, b) => b.endMs - a.endMs)[0];
  if (!before) return 'No disruption had happened before it.';
  return `No disruption was under way; the last one before it: <span class="mono">${escapeHtml(before.pod)}</span> ${escapeHtml(before.action)} (round ${before.round}), Ready again ${escapeHtml(formatDuration(o.callMs - before.endMs))} before it.`;
}
