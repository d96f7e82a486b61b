// The postgres sample's replication panel: the durability setting and, from every probe,
// catch-up, replay lag and reconnect after the primary's recreation (results.json `replication`).
import type { ReplicationSummary, RunResult, Spread } from '../run/results-schema.ts';
import { escapeHtml as h } from './escape.ts';
import { formatRunTime } from './format.ts';

const spreadText = (s: Spread): string =>
  s.samples === 0 ? 'no samples' : `p50 ${s.p50Ms} ms · p95 ${s.p95Ms} ms · max ${s.maxMs} ms · ${s.samples} samples`;

function probeRows(r: ReplicationSummary): string {
  return r.probes
    .map((p) => {
      const replicas = p.final?.replicas ?? [];
      const cells = replicas
        .map((x) => {
          const up = p.caughtUpMs[x.pod];
          const rc = p.reconnectMs?.[x.pod];
          const from = x.receiver ? `${x.receiver.status} from ${x.receiver.senderHost}` : 'no WAL receiver';
          return `${x.pod}: ${x.unobserved ? `not observed (${x.error ?? ''})` : `${from}, ${up === undefined ? 'not caught up' : `caught up in ${up} ms`}${rc === undefined ? '' : `, reconnected ${rc} ms after the primary's start`}`}`;
        })
        .map((c) => h(c))
        .join('<br>');
      return `<tr><td>${h(p.label)}</td><td>${h(formatRunTime(p.t))}</td><td class="mono">${h(p.targetLsn ?? p.error ?? '—')}</td><td>${cells || '—'}</td></tr>`;
    })
    .join('');
}

export function replicationSection(result: RunResult): string {
  const r = result.replication;
  if (!r) return '';
  return `<section class="panel" id="replication"><h3>Replication (${h(r.primary)} primary)</h3>
<p id="durability">Durability: <span class="mono">${h(r.durability)}</span></p>
<p>Catch-up (marker commit on the primary → replayed on each replica, observed by polling): <b>${h(spreadText(r.catchUp))}</b><br>
Replay lag (the primary's own replay_lag at catch-up): <b>${h(spreadText(r.replayLag))}</b><br>
Reconnect after the primary's recreation (its start → each replica's WAL sender start): <b>${h(spreadText(r.reconnect))}</b></p>
<table><tr><th>probe</th><th>at</th><th>primary LSN</th><th>replicas</th></tr>${probeRows(r)}</table></section>`;
}
