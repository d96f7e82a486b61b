// The report's Faults section: every fault the node agent held (results.json `faults`,
// any kind) with its confirmation times, and the traffic's availability per fault kind
// (traffic.availability.byFault). Figures, not checks; absent when the run held no fault.
import { faultPods, type FaultSpan } from '../model.ts';
import type { FaultAvailability } from '../traffic/records.ts';
import { escapeHtml as h } from './escape.ts';
import { formatDuration, formatRunTime } from './format.ts';

/** A disk-full confirmed by the agent's write, its container being down (results.json `confirmedBy`). */
const byAgent = (by: 'agent' | undefined): string =>
  by ? ' <span class="sub" title="the container could not be entered; the agent wrote on the same filesystem">by the agent</span>' : '';

const pct = (f: number | undefined): string => (f === undefined ? 'n/a' : `${(f * 100).toFixed(1)}%`);

export function faultsSection(faults: readonly FaultSpan[], byFault: readonly FaultAvailability[] | undefined): string {
  if (faults.length === 0) return '';
  const rows = faults.map(
    (f) =>
      `<tr data-kind="${h(f.kind)}"><td class="mono">${h(f.kind)}</td><td>${h(f.round)}</td><td class="mono">${h(faultPods(f).join(', '))}</td><td>${h(f.node ?? '')}</td>` +
      `<td class="t">${h(formatRunTime(f.confirmedAtMs))}</td><td>${h(formatDuration(f.confirmMs))}${byAgent(f.confirmedBy)}</td>` +
      `<td>${f.healedAtMs === undefined ? '<b class="bad">never confirmed</b>' : h(formatDuration(f.healedAtMs - f.confirmedAtMs))}</td>` +
      `<td>${h(formatDuration(f.healConfirmMs))}${byAgent(f.healConfirmedBy)}</td></tr>`,
  );
  return `<section id="faults"><h2>Faults (${faults.length})</h2>
<div class="sub">Applied by the node agent and confirmed from inside the target; held from the confirmation to the confirmed heal (the band on the round's timeline).</div>
<table id="fault-list"><thead><tr><th>Kind</th><th>Round</th><th>Pods</th><th>Node</th><th>Confirmed at</th><th>Time to confirm</th><th>Held (to heal confirmed)</th><th>Time to confirm the heal</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
${availabilityTable(byFault ?? [])}
</section>`;
}

function availabilityTable(byFault: readonly FaultAvailability[]): string {
  if (byFault.length === 0) return '<p class="sub">No traffic ran while a fault was held: no availability per fault kind.</p>';
  const rows = byFault.map(
    (k) =>
      `<tr data-kind="${h(k.kind)}"><td class="mono">${h(k.kind)}</td><td>${h(k.faults)}</td>` +
      `<td>${h(k.all.acked)}/${h(k.all.sent)} (${h(pct(k.all.fraction))})</td><td>${h(k.targets.acked)}/${h(k.targets.sent)} (${h(pct(k.targets.fraction))})</td>` +
      `<td>${h(formatDuration(k.longestUnavailableMs.p50))}</td><td>${h(formatDuration(k.longestUnavailableMs.p95))}</td><td>${h(formatDuration(k.longestUnavailableMs.max))}</td></tr>`,
  );
  return `<table id="availability-by-fault"><thead><tr><th>Fault kind</th><th>Faults</th><th>Writes acknowledged (all pods)</th><th>Writes acknowledged (the faulted pods)</th>
<th title="per fault, the longest time any pod acknowledged nothing during it">Longest unavailable p50</th><th>p95</th><th>max</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}
