// The node agent's faults on the round timeline: a band behind the lane of each pod a
// fault was applied to, from its confirmation to its confirmed heal (to the round's end
// when no heal was confirmed), with a bar along the lane's top. Any kind: the band says
// which in its class, data-kind and title, so faults added later are drawn as they come.
import { faultPods, type FaultSpan } from '../model.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration } from './format.ts';
import { LANE_H } from './svg-lane.ts';

type Scale = (ms: number) => number;

/** One band per pod of each fault of the round; `laneY` gives a pod's lane top (undefined: no lane). */
export function faultBands(
  faults: readonly FaultSpan[],
  round: { plan: { round: number }; startedAt: number },
  laneY: (pod: string) => number | undefined,
  x: Scale,
  domain: number,
): string[] {
  const base = round.startedAt;
  return faults
    .filter((f) => f.round === round.plan.round)
    .flatMap((f) =>
      faultPods(f).flatMap((pod) => {
        const y = laneY(pod);
        if (y === undefined) return [];
        const from = x(f.confirmedAtMs - base);
        const to = x(f.healedAtMs === undefined ? domain : f.healedAtMs - base);
        const w = Math.max(to - from, 1.5).toFixed(1);
        const kind = escapeHtml(f.kind);
        return [
          `<g class="fault" data-kind="${kind}" data-pod="${escapeHtml(pod)}">` +
            `<rect class="fault-band" x="${from.toFixed(1)}" y="${y + 1}" width="${w}" height="${LANE_H - 2}"/>` +
            `<rect class="fault-bar" x="${from.toFixed(1)}" y="${y + 1}" width="${w}" height="3"/>` +
            `<title>${escapeHtml(faultTitle(f, pod, base))}</title></g>`,
        ];
      }),
    );
}

/** What the band's tooltip says: the kind, the pod, when it held and how each end was confirmed. */
export function faultTitle(f: FaultSpan, pod: string, roundStart: number): string {
  const at = (ms: number): string => formatDuration(Math.max(0, ms - roundStart));
  const node = f.node ? ` on node ${f.node}` : '';
  const confirmed = `confirmed ${at(f.confirmedAtMs)} into the round${f.confirmMs === undefined ? '' : ` (${formatDuration(f.confirmMs)} after the request)`}`;
  const healed =
    f.healedAtMs === undefined
      ? 'its heal never confirmed within the round'
      : `heal confirmed at ${at(f.healedAtMs)}${f.healConfirmMs === undefined ? '' : ` (${formatDuration(f.healConfirmMs)} after it was asked)`}, held ${formatDuration(f.healedAtMs - f.confirmedAtMs)}`;
  return `${f.kind} of ${pod}${node}: ${confirmed}; ${healed}`;
}
