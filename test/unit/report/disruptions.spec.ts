// Reports under the disruption model: per-kind recovery figures (HTML and GitHub
// summary), and round lanes that draw a restart in place and a refused kill as such.
import { expect } from 'chai';
import { githubSummaryMarkdown } from '../../../lib/report/github.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { recoveryByDisruption } from '../../../lib/report/stats.ts';
import { laneSegments, renderTimeline } from '../../../lib/report/svg-timeline.ts';
import type { PodRecovery, RoundResult } from '../../../lib/model.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const rec = (
  pod: string,
  action: PodRecovery['action'],
  expect: PodRecovery['expect'],
  readyMs?: number,
  extra: Partial<PodRecovery> = {},
): PodRecovery => ({
  pod,
  round: 1,
  action,
  expect,
  killedAt: 1000,
  recovered: expect === 'refused' || readyMs !== undefined,
  ...(readyMs !== undefined ? { readyMs } : {}),
  ...extra,
});

const rounds: RoundResult[] = [
  {
    plan: {
      round: 1,
      pattern: 'sequential',
      kills: [
        { pod: 'web-0', ordinal: 0, action: 'container-kill' },
        { pod: 'web-1', ordinal: 1, action: 'evict' },
        { pod: 'web-2', ordinal: 2, action: 'evict' },
      ],
    },
    startedAt: 900,
    endedAt: 9000,
    converged: true,
    recoveries: [
      rec('web-0', 'container-kill', 'restarted-in-place', 2600, { restartedMs: 1200 }),
      rec('web-1', 'evict', 'replaced', 5000, { deletedMs: 900, recreatedMs: 1000, runningMs: 3000 }),
      rec('web-2', 'evict', 'refused'),
    ],
  },
  {
    plan: { round: 2, pattern: 'burst', kills: [{ pod: 'web-0', ordinal: 0, action: 'container-kill' }] },
    startedAt: 9500,
    endedAt: 30_000,
    converged: true,
    recoveries: [{ ...rec('web-0', 'container-kill', 'restarted-in-place', 15_200, { restartedMs: 14_000 }), round: 2, killedAt: 9600 }],
  },
];

describe('report: recovery per disruption kind', () => {
  it('computes kill → Ready per kind, refused kills counted apart', () => {
    expect(recoveryByDisruption(rounds)).to.deep.equal([
      { disruption: 'container-kill', killed: 2, recovered: 2, refused: 0, p50Ms: 2600, p95Ms: 15_200, maxMs: 15_200 },
      { disruption: 'evict', killed: 1, recovered: 1, refused: 1, p50Ms: 5000, p95Ms: 5000, maxMs: 5000 },
    ]);
  });

  it('shows the per-kind table in the HTML report and the GitHub summary', () => {
    const base = {
      schemaVersion: 1,
      runId: 'r1',
      tool: { name: 'ordinal', version: '0' },
      seed: 1,
      replay: 'npx ordinal run',
      startedAt: '',
      finishedAt: '',
      durationMs: 1,
    } as const;
    const result = {
      ...base,
      cluster: { server: '', context: '', version: 'v1', nodes: [], storageClass: 's', image: 'i' },
      workload: {
        kind: 'web',
        namespace: 'ns',
        statefulSet: 'web',
        service: 'nginx',
        replicas: 3,
        claimTemplates: [],
        clusterDomain: 'cluster.local',
        portName: 'web',
        podManagementPolicy: 'OrderedReady',
      },
      options: { rounds: 2, timeoutSeconds: 300, chaos: ['container-kill', 'evict'] },
      checks: [],
      rounds,
      recoveryByDisruption: recoveryByDisruption(rounds),
      summary: { passed: 0, failed: 0, error: 0, skipped: 0 },
    } satisfies RunResult;
    const html = renderHtml(result);
    const table = html.slice(
      html.indexOf('id="recovery-by-disruption"'),
      html.indexOf('</table>', html.indexOf('id="recovery-by-disruption"')),
    );
    expect(table).to.include(
      '<td class="mono">container-kill</td><td>2</td><td>2</td><td>0</td><td>2.60 s</td><td>15.2 s</td><td>15.2 s</td>',
    );
    expect(table).to.include('<td class="mono">evict</td><td>1</td><td>1</td><td>1</td>');
    const md = githubSummaryMarkdown(result);
    expect(md).to.include('### Recovery per disruption (kill → Ready)');
    expect(md).to.include('| container-kill | 2 | 2 | 0 | 2.60 s | 15.2 s | 15.2 s |');
    expect(md).to.include('| evict | 1 | 1 | 1 | 5.00 s | 5.00 s | 5.00 s |');
  });

  it('draws a restart in place as restarting → running → ready, and a refused kill as kept', () => {
    const [inPlace, , refused] = rounds[0]?.recoveries ?? [];
    if (!inPlace || !refused) throw new Error('fixture changed');
    expect(laneSegments(inPlace, 900, 9000)).to.deep.equal([
      { phase: 'restarting', from: 100, to: 1300 },
      { phase: 'running', from: 1300, to: 2700 },
      { phase: 'ready', from: 2700, to: 8100 },
    ]);
    expect(laneSegments(refused, 900, 9000)).to.deep.equal([]);
    const svg = renderTimeline(rounds[0] as RoundResult, {
      kind: 'web',
      namespace: 'ns',
      statefulSet: 'web',
      service: 'nginx',
      replicas: 3,
      claimTemplates: [],
      clusterDomain: 'cluster.local',
      portName: 'web',
      podManagementPolicy: 'OrderedReady',
    });
    expect(svg).to.include('class="seg seg-restarting"');
    expect(svg).to.include('web-0 killed (container-kill, restarted in place)');
    expect(svg).to.include('ready after 2.60 s');
    expect(svg).to.include('refused, pod kept');
  });
});
