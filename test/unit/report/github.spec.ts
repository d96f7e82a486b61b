import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { githubAnnotations, githubSummaryMarkdown } from '../../../lib/report/github.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

/** Markdown with fenced code blocks removed: what GitHub renders as markup. */
const outsideFences = (md: string): string => md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '');

describe('report: GitHub Actions', () => {
  it('emits one ::error per failed or errored check, titled by ID', () => {
    const lines = githubAnnotations(load('sample'));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^::error title=STS-DNS-A::failed: /);
    expect(lines[1]).to.match(/^::error title=STS-DATA-SENTINEL::error: /);
    expect(lines[0]).to.include('%0A• web-1.nginx.ordinal-7f3a9c.svc.cluster.local; expected A 10.244.2.15');
  });

  it('adds an ordinal.run annotation when the run itself failed', () => {
    const r = { ...load('sample'), checks: [], error: { message: 'API server unreachable', detail: 'dial tcp: refused' } };
    expect(githubAnnotations(r)).to.deep.equal(['::error title=ordinal.run::run error: API server unreachable%0Adial tcp: refused']);
  });

  it('escapes % CR LF in messages and also : , in properties, so one check is one command', () => {
    const lines = githubAnnotations(load('hostile'));
    expect(lines).to.have.length(3);
    for (const line of lines) {
      expect(line).to.not.match(/[\r\n\u0000-\u0008\u001b\u007f-\u009f]/);
      expect(line).to.match(/^::error title=[^:,]*::/);
    }
    const dns = lines[0] ?? '';
    expect(dns.startsWith('::error title=STS-DNS-A%2Ctitle=x%3Ay::')).to.equal(true);
    expect(dns).to.include('line one%0D%0Aline two 100%25 ::error::injected');
  });

  it('summarises verdict, counts, checks failed-first, recovery per round and the replay command', () => {
    const md = githubSummaryMarkdown(load('sample'));
    expect(md).to.match(/^## ❌ Ordinal FAILED/);
    expect(md).to.include('**1 failed · 1 error · 5 passed · 1 skipped** of 8 checks');
    const rows = md.split('\n').filter((l) => /^\| (✅|❌|⚠️|⏭️) \|/.test(l));
    expect(rows).to.have.length(8);
    expect(rows[0]).to.match(/^\| ❌ \| <code>STS-DNS-A<\/code> \|/);
    expect(rows[1]).to.match(/^\| ⚠️ \| <code>STS-DATA-SENTINEL<\/code> \|/);
    expect(rows[7]).to.match(/^\| ⏭️ \| <code>STS-TOPOLOGY-PRIMARY<\/code> \|/);
    // The sample predates kill patterns: its rounds show a dash, not a guess.
    expect(md).to.include('| 3 | — | web-0 (delete), web-1 (delete), web-2 (delete) | 3/3 | 6.72 s | 9.58 s | 9.58 s |');
    expect(md).to.include('```sh\nnpx ordinal run --workload web --replicas 3 --rounds 3 --seed 2718281');
  });

  it('keeps hostile strings from becoming markup or breaking the table', () => {
    const md = githubSummaryMarkdown(load('hostile'));
    const rendered = outsideFences(md);
    expect(rendered).to.not.include('<script').and.not.include('<img').and.not.include('<iframe');
    expect(rendered).to.include('&lt;script&gt;alert(');
    const row = md.split('\n').find((l) => l.includes('STS-DNS-A')) ?? '';
    expect(row.split(/(?<!\\)\|/)).to.have.length(6, 'a cell must not add columns');
    expect(row).to.include('line one<br>line two');
  });

  it('fences the replay command with more backticks than it contains', () => {
    const r = { ...load('sample'), replay: 'ordinal run --note "```" `x`' };
    const md = githubSummaryMarkdown(r);
    expect(md).to.include('````sh\nordinal run --note "```" `x`\n````');
  });

  it("names each round's kill pattern in the recovery table", () => {
    const r = load('sample');
    const rounds = r.rounds.map((round, i) => ({
      ...round,
      plan: { ...round.plan, pattern: i === 0 ? ('burst' as const) : ('reverse' as const) },
    }));
    const md = githubSummaryMarkdown({ ...r, rounds });
    expect(md).to.include('| Round | Pattern | Killed |');
    expect(md).to.match(/^\| 1 \| burst \| /m);
    expect(md).to.match(/^\| 3 \| reverse \| web-0 \(delete\)/m);
  });
});
