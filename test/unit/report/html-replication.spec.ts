// The report's Replication panel for the postgres sample: the durability setting, the three
// spreads and one row per probe, every value escaped; nothing for any other subject.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { renderHtml } from '../../../lib/report/html.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const sample = JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
const HOST = 'db-0.db.ns.svc.cluster.local';

const withReplication: RunResult = {
  ...sample,
  replication: {
    durability: "synchronous_commit=on, synchronous_standby_names='' <b>",
    primary: 'db-0',
    catchUp: { samples: 4, p50Ms: 120, p95Ms: 900, maxMs: 900 },
    replayLag: { samples: 0 },
    reconnect: { samples: 2, p50Ms: 2800, p95Ms: 3100, maxMs: 3100 },
    probes: [
      {
        label: 'round 1',
        t: 12_345,
        boundMs: 30_000,
        targetLsn: '0/6000000',
        final: {
          t: 13_000,
          primary: { pod: 'db-0', inRecovery: false, lsn: '0/6000000' },
          replicas: [
            { pod: 'db-1', inRecovery: true, lsn: '0/6000000', receiver: { status: 'streaming', senderHost: HOST, slot: 'replica_1' } },
            { pod: 'db-2', unobserved: true, error: 'exec <failed>' },
          ],
        },
        caughtUpMs: { 'db-1': 120 },
        replayLagMs: {},
        reconnectMs: { 'db-1': 2800 },
        observations: 3,
      },
    ],
  },
};

describe('report: Replication panel (postgres sample)', () => {
  it('shows durability, catch-up, replay lag and reconnect, and each probe per replica, escaped', () => {
    const html = renderHtml(withReplication);
    expect(html).to.include('<section class="panel" id="replication"><h3>Replication (db-0 primary)</h3>');
    expect(html).to.include('synchronous_commit=on, synchronous_standby_names=&#39;&#39; &lt;b&gt;');
    expect(html).to.include('p50 120 ms · p95 900 ms · max 900 ms · 4 samples');
    expect(html).to.include("Replay lag (the primary's own replay_lag at catch-up): <b>no samples</b>");
    expect(html).to.include(`db-1: streaming from ${HOST}, caught up in 120 ms, reconnected 2800 ms after the primary&#39;s start`);
    expect(html).to.include('db-2: not observed (exec &lt;failed&gt;)');
    expect(html).to.include('<td class="mono">0/6000000</td>');
  });

  it('has no Replication panel without results.json replication', () => {
    expect(renderHtml(sample)).to.not.include('id="replication"');
  });
});
