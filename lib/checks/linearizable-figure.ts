// The failing sub-history of STS-LINEARIZABLE as data the report draws: the operation no
// linearization places, what set the value that was current, what wrote the value a stale
// read returned, and the operations concurrent with it, in ms on the run's axis when the
// run tied the client's clock to its own (so the kills and node faults line up).
import type { FailingSubHistory } from '../checkers/linearizable.ts';
import type { Operation } from '../history/events.ts';
import type { HistoryRecord } from '../history/record.ts';
import type { FigureOp, SubHistoryFigure } from './api.ts';

/** A figure stays legible: the failing operation's nearest concurrent ones are kept. */
export const MAX_FIGURE_OPS = 40;

export interface TimeMap {
  readonly axis: SubHistoryFigure['axis'];
  /** History ns → ms on the axis. */
  ms(ns: number): number;
  /** "t+12.345 s" on the run's axis, "12.345 s into the history" on the history's own. */
  describe(ns: number): string;
}

export function timeMap(h: HistoryRecord, ops: readonly Operation[]): TimeMap {
  const c = h.clock;
  if (c !== undefined) {
    const ms = (ns: number): number => c.runMs + (ns - c.ns) / 1e6;
    return { axis: 'run', ms, describe: (ns) => `t+${(ms(ns) / 1000).toFixed(3)} s` };
  }
  const t0 = ops.reduce((t, o) => Math.min(t, o.call), Number.POSITIVE_INFINITY);
  const ms = (ns: number): number => (ns - t0) / 1e6;
  return { axis: 'history', ms, describe: (ns) => `${(ms(ns) / 1000).toFixed(3)} s into the history` };
}

function what(o: Operation): string {
  if (o.f === 'cas') {
    const [from, to] = o.value as readonly unknown[];
    return `cas ${JSON.stringify(from)}→${JSON.stringify(to)}`;
  }
  return `${o.f} ${JSON.stringify(o.value)}`;
}

/** One operation in one line: what, who, where, when. */
export function describeFigureOp(o: Operation, map: TimeMap): string {
  const ret = o.ret === Number.POSITIVE_INFINITY ? 'no answer (info: outcome unknown)' : `answered ${map.describe(o.ret)}`;
  const lines = o.lines[1] === 0 ? `line ${o.lines[0]}` : `lines ${o.lines[0]}–${o.lines[1]}`;
  return `${what(o)} by process ${o.process}${o.pod ? ` via pod ${o.pod}` : ''}, sent ${map.describe(o.call)}, ${ret} (history ${lines})`;
}

function figureOp(o: Operation, map: TimeMap, role?: FigureOp['role']): FigureOp {
  return {
    process: o.process,
    f: o.f,
    value: o.value,
    type: o.type,
    callMs: map.ms(o.call),
    ...(o.ret === Number.POSITIVE_INFINITY ? {} : { retMs: map.ms(o.ret) }),
    ...(o.pod ? { pod: o.pod } : {}),
    ...(role ? { role } : {}),
  };
}

/** `writer`: what set the value that was current; `source`: the write whose value a stale read returned. */
export function figureOf(f: FailingSubHistory, map: TimeMap, marked: { writer?: Operation; source?: Operation }): SubHistoryFigure {
  const roles = new Map<Operation, FigureOp['role']>([[f.op, 'failing']]);
  if (marked.writer) roles.set(marked.writer, 'writer');
  if (marked.source && !roles.has(marked.source)) roles.set(marked.source, 'source');
  const room = Math.max(0, MAX_FIGURE_OPS - roles.size);
  const others = f.concurrent.filter((c) => !roles.has(c)).sort((a, b) => Math.abs(a.call - f.op.call) - Math.abs(b.call - f.op.call));
  const kept = [...roles.keys(), ...others.slice(0, room)].sort((a, b) => a.call - b.call);
  return {
    key: f.key,
    axis: map.axis,
    ops: kept.map((o) => figureOp(o, map, roles.get(o))),
    omitted: Math.max(0, others.length - room),
  };
}
