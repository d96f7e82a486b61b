import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { escapeHtml } from '../../../lib/report/escape.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { laneSegments } from '../../../lib/report/svg-timeline.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

function embeddedJson(html: string): unknown {
  const m = /<script type="application\/json" id="ordinal-results">([^<]*)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no embedded results');
  return JSON.parse(m[1]);
}

describe('report: HTML', () => {
  it('escapeHtml neutralises markup in text and in both attribute quote styles', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).to.equal('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('a\u0001b\u001b[31mred\u001b[0m\u007f')).to.equal('a\u2401bred\u2421');
    expect(escapeHtml(undefined)).to.equal('');
    expect(escapeHtml(42)).to.equal('42');
  });

  it('shows the StatefulSet options in the header, and an option the cluster could not take with its reason (escaped)', () => {
    const r = load('sample');
    expect(renderHtml(r)).to.include(`<span id="sts-options">${r.workload.podManagementPolicy} (other options not recorded)</span>`);
    const html = renderHtml({
      ...r,
      workload: {
        ...r.workload,
        podManagementPolicy: 'Parallel',
        options: {
          podManagementPolicy: 'Parallel',
          updateStrategy: 'RollingUpdate',
          partition: 1,
          minReadySeconds: 2,
          startOrdinal: 3,
          pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' },
        },
        optionsSkipped: [{ option: '--max-unavailable', value: '2', reason: 'the API server (v1.34.4) drops <maxUnavailable>' }],
      },
    });
    expect(html).to.include(
      '<span id="sts-options">Parallel, RollingUpdate (partition 1), minReadySeconds 2, ordinals from 3, claims whenDeleted=Delete,whenScaled=Retain</span>',
    );
    expect(html).to.include('skipped --max-unavailable 2: the API server (v1.34.4) drops &lt;maxUnavailable&gt;');
  });

  it('shows watch gaps and the measured detection latency, and labels the kubelet-based lag an upper bound', () => {
    const r = load('sample');
    const plain = renderHtml(r);
    expect(plain).to.not.include('id="observation"');
    expect(plain).to.include('Detection lag (upper bound, 1 s resolution)');
    const html = renderHtml({
      ...r,
      observationGaps: [{ kind: 'Pod', fromMs: 19_607.4, toMs: 62_153.2, reason: 'fetch failed: ECONNREFUSED <x>' }],
      detectionLatency: { samples: 103, p50Ms: 8.871, p95Ms: 12.14, maxMs: 16.495 },
    });
    expect(html).to.include('The API watch was interrupted 1 time.');
    expect(html).to.include('ECONNREFUSED &lt;x&gt;');
    expect(html).to.match(/p50 <b>8\.87 ms<\/b> · p95 <b>12\.14 ms<\/b> · max <b>16\.50 ms<\/b> · 103 samples/);
  });

  it('never lets hostile strings out as markup', () => {
    const html = renderHtml(load('hostile'));
    for (const raw of [
      '<script>alert',
      '<img src=x',
      '<svg onload',
      '<iframe',
      '<b>bold',
      '"><img',
      "'><iframe",
      '</style><script>',
      '<!--',
    ]) {
      expect(html, raw).to.not.include(raw);
    }
    expect(count(html, '<script'), 'only the data block and our own script').to.equal(2);
    expect(count(html, '</script>')).to.equal(2);
    expect(html).to.include('&lt;script&gt;alert(&#39;server&#39;)&lt;/script&gt;');
    expect(html).to.include('web&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).to.include('&lt;script&gt;alert(&#39;run error&#39;)&lt;/script&gt;');
    expect(html).to.include('&lt;/script&gt;&lt;script&gt;alert(&quot;replay&quot;)&lt;/script&gt;&lt;!--');
    expect(html).to.not.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'raw control characters');
    expect(html).to.include('\u2401', 'control characters are shown as control pictures');
  });

  it('embeds the full RunResult as JSON that cannot close its script element', () => {
    for (const name of ['sample', 'hostile']) {
      const result = load(name);
      const html = renderHtml(result);
      const block = html.slice(html.indexOf('id="ordinal-results">'), html.indexOf('</script>'));
      expect(block).to.not.include('<');
      expect(embeddedJson(html)).to.deep.equal(result);
    }
  });

  it('loads nothing from anywhere: no src/href/url(), CSP default-src none with hashes of the inline code', () => {
    const html = renderHtml(load('hostile'));
    // Escaped text may say "src=x"; only real tags and their attribute names matter. Text
    // cannot hold a raw `<` and values cannot hold a raw `"`, so this split is exact.
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.length).to.be.greaterThan(50);
    for (const tag of tags) expect(tag.replace(/"[^"]*"/g, '""')).to.not.match(/\s(?:src|href|srcset|action|poster|background|on\w+)\s*=/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).to.not.match(/url\(|@import/i);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(csp).to.include("default-src 'none'");
    const hash = (s: string): string => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(csp).to.include(`style-src ${hash(style)}`);
    expect(csp).to.include(`script-src ${hash(script)}`);
    expect(html).to.not.match(/\sstyle="/, 'style attributes would be blocked by the CSP');
  });

  it('shows the verdict, counts, cluster facts, seed and replay command', () => {
    const r = load('sample');
    const html = renderHtml(r);
    expect(html).to.match(/<section class="banner v-failed" id="verdict">\s*<div class="verdict">FAILED<\/div>/);
    expect(html).to.include('1 failed</span>').and.include('1 error</span>').and.include('5 passed</span>');
    expect(html).to.include('<code id="replay-command">npx ordinal run --workload web --replicas 3 --rounds 3 --seed 2718281');
    for (const fact of [
      'https://127.0.0.1:40719',
      'kind-ordinal',
      'v1.34.0',
      'ordinal-worker2',
      'standard',
      'nginx:1.27-alpine',
      '2718281',
    ]) {
      expect(html, fact).to.include(fact);
    }
    expect(html).to.not.include('id="run-error"');
    expect(renderHtml({ ...r, error: { message: 'lost the API server' } })).to.match(/id="run-error"[^>]*>.*lost the API server/);
  });

  it('lists failed and errored checks first, with open evidence; passed evidence is collapsed', () => {
    const html = renderHtml(load('sample'));
    const statuses = [...html.matchAll(/<article class="check [^"]*" data-id="([^"]+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]);
    expect(statuses.map((s) => s[1])).to.deep.equal(['failed', 'error', 'passed', 'passed', 'passed', 'passed', 'passed', 'skipped']);
    expect(statuses[0]?.[0]).to.equal('STS-DNS-A');
    const failedCard = html.slice(html.indexOf('data-id="STS-DNS-A"'), html.indexOf('</article>', html.indexOf('data-id="STS-DNS-A"')));
    expect(failedCard).to.include('<table class="evidence">').and.not.include('<details>');
    const passedCard = html.slice(
      html.indexOf('data-id="STS-IDENTITY"'),
      html.indexOf('</article>', html.indexOf('data-id="STS-IDENTITY"')),
    );
    expect(passedCard).to.match(/<details><summary>Evidence \(3\)<\/summary><table class="evidence">/);
  });

  it('draws one timeline per round with one lane per ordinal, in ordinal order', () => {
    const r = load('sample');
    const html = renderHtml(r);
    const svgs = html.split('<svg class="timeline"').slice(1);
    expect(svgs).to.have.length(3);
    for (const svg of svgs) {
      const lanes = [...svg.slice(0, svg.indexOf('</svg>')).matchAll(/<g class="lane" data-ordinal="(\d+)"/g)].map((m) => m[1]);
      expect(lanes).to.deep.equal(['0', '1', '2']);
    }
    const round1 = svgs[0] ?? '';
    expect(count(round1, 'class="kill"'), 'round 1 kills only web-1').to.equal(1);
    expect(count(round1, 'not killed')).to.equal(2);
    expect(round1).to.include('>0 s</text>').and.include('seconds since round start');
    expect(html).to.include('class="legend"');
  });

  it('derives terminating → gone → pending → running → ready from the recovery milestones', () => {
    const round2 = load('sample').rounds[1];
    const web2 = round2?.recoveries.find((x) => x.pod === 'web-2');
    if (!round2 || !web2) throw new Error('fixture changed');
    expect(laneSegments(web2, round2.startedAt, round2.endedAt)).to.deep.equal([
      { phase: 'terminating', from: 45, to: 1335 },
      { phase: 'gone', from: 1335, to: 3590 },
      { phase: 'pending', from: 3590, to: 5065 },
      { phase: 'running', from: 5065, to: 6155 },
      { phase: 'ready', from: 6155, to: 6555 },
    ]);
  });

  it('runs the last seen phase to the round end for a pod that never became ready', () => {
    const stuck = { pod: 'web-1', round: 1, action: 'delete' as const, killedAt: 1000, deletedMs: 500, recreatedMs: 600, recovered: false };
    expect(laneSegments(stuck, 1000, 20_000)).to.deep.equal([
      { phase: 'terminating', from: 0, to: 500 },
      { phase: 'gone', from: 500, to: 600 },
      { phase: 'pending', from: 600, to: 19_000 },
    ]);
    const html = renderHtml(load('hostile'));
    expect(html).to.include('>not ready</text>');
  });

  it('prints per-round p50 / p95 / max of kill → Ready', () => {
    const html = renderHtml(load('sample'));
    const round3 = html.slice(html.indexOf('data-round="3"'));
    expect(round3).to.match(/<span>p50<\/span><b>6\.72 s<\/b>.*<span>p95<\/span><b>9\.58 s<\/b>.*<span>max<\/span><b>9\.58 s<\/b>/);
  });
});
