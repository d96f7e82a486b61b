import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_REPORTERS, FILE_REPORTERS, SUITE_REPORTERS, type Reporter } from '../../../lib/report/reporters.ts';
import { verdictOf } from '../../../lib/report/stats.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

describe('report: reporters behind one interface', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-reporters-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(result: RunResult, reporters: readonly Reporter[], env: Record<string, string> = {}) {
    const log: string[] = [];
    const out: string[] = [];
    const written = await writeReports(result, dir, undefined, { reporters, log: (l) => log.push(l), out: (l) => out.push(l), env });
    return { log, out, written };
  }

  it('the console prints every check, then the verdict verdictOf gives, the report path and the replay command', async () => {
    const r = load('sample');
    const { log } = await run(r, CLI_REPORTERS);
    expect(log.slice(0, r.checks.length).map((l) => l.split(/\s+/)[1])).to.deep.equal(r.checks.map((c) => c.id));
    expect(log[r.checks.length]).to.match(new RegExp(`^${verdictOf(r)}: 5 passed, 1 failed, 1 error, 1 skipped$`));
    expect(log).to.include(`report: ${path.join(dir, r.runId, 'index.html')}`);
    expect(log.at(-1)).to.equal(`replay: ${r.replay}`);
  });

  it('a run with no checks reads ERROR on the console, as in the HTML and JUnit', async () => {
    const r = { ...load('sample'), checks: [], summary: { passed: 0, failed: 0, error: 0, skipped: 0 } } as RunResult;
    const { log } = await run(r, CLI_REPORTERS);
    expect(log[0]).to.match(/^ERROR: 0 passed/);
    expect(readFileSync(path.join(dir, r.runId, 'junit.xml'), 'utf8')).to.include('<error');
  });

  it('GitHub output appears only inside Actions: raw annotations on stdout and a step summary', async () => {
    const r = load('sample');
    const quiet = await run(r, SUITE_REPORTERS);
    expect(quiet.out).to.deep.equal([]);
    const summary = path.join(dir, 'summary.md');
    const loud = await run(r, SUITE_REPORTERS, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(loud.out.length).to.be.greaterThan(0);
    expect(loud.out.every((l) => l.startsWith('::error title='))).to.equal(true);
    expect(loud.log, 'the suites leave check lines to mocha').to.deep.equal([]);
    expect(readFileSync(summary, 'utf8')).to.match(/^## ❌ Ordinal FAILED/);
  });

  it('a reporter that throws does not stop the others, and the failure names it', async () => {
    const boom: Reporter = {
      name: 'boom',
      write: async () => {
        throw new Error('disk full');
      },
    };
    const r = load('sample');
    let error: unknown;
    await writeReports(r, dir, undefined, { reporters: [boom, ...FILE_REPORTERS] }).catch((e: unknown) => {
      error = e;
    });
    expect((error as Error).message).to.include('boom: disk full');
    expect(readFileSync(path.join(dir, r.runId, 'index.html'), 'utf8')).to.match(/^<!doctype html>/);
  });
});
