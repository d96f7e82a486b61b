import { expect } from 'chai';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

describe('report: writeReports', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-report-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes results.json, junit.xml and index.html into <reportDir>/<runId>', async () => {
    const r = load('sample');
    const out = await writeReports(r, dir);
    expect(out.dir).to.equal(path.join(dir, r.runId));
    expect(out.files.map((f) => path.basename(f))).to.deep.equal(['results.json', 'junit.xml', 'index.html']);
    expect(JSON.parse(readFileSync(path.join(out.dir, 'results.json'), 'utf8'))).to.deep.equal(r);
    expect(readFileSync(path.join(out.dir, 'results.json'), 'utf8')).to.match(/^\{\n {2}"schemaVersion": 1,/);
    expect(readFileSync(path.join(out.dir, 'junit.xml'), 'utf8')).to.match(/^<\?xml/);
    expect(readFileSync(path.join(out.dir, 'index.html'), 'utf8')).to.match(/^<!doctype html>/);
  });

  it('timeline.json keeps the history record but not its events, which are history.jsonl', async () => {
    const r = load('sample');
    const input = JSON.parse(readFileSync(new URL('../../fixtures/web-3x3-seed42.checkinput.json', import.meta.url), 'utf8')) as CheckInput;
    const events: HistoryEvent[] = [
      { type: 'invoke', process: 0, f: 'write', key: 'x', value: 1, time: 1 },
      { type: 'ok', process: 0, f: 'write', key: 'x', value: 1, time: 2 },
    ];
    input.history = { workload: 'register', file: 'history.jsonl', events, clock: { ns: 1, runMs: 5 } };
    const out = await writeReports(r, dir, input);
    const kept = JSON.parse(readFileSync(path.join(out.dir, 'timeline.json'), 'utf8')) as CheckInput;
    expect(kept.history).to.deep.equal({ workload: 'register', file: 'history.jsonl', clock: { ns: 1, runMs: 5 } });
    expect(kept.timeline.length).to.equal(input.timeline.length);
    expect(input.history.events, 'the caller keeps its events').to.have.length(2);
  });

  it('points latest at the newest run with a relative symlink and leaves no temp links', async () => {
    const older = load('sample');
    const newer = { ...load('sample'), runId: '20260315T080000Z-web-000002', startedAt: '2026-03-15T08:00:00.000Z' };
    await writeReports(older, dir);
    expect(readlinkSync(path.join(dir, 'latest'))).to.equal(older.runId);
    await writeReports(newer, dir);
    const latest = path.join(dir, 'latest');
    expect(lstatSync(latest).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(latest)).to.equal(newer.runId);
    expect(JSON.parse(readFileSync(path.join(latest, 'results.json'), 'utf8')).runId).to.equal(newer.runId);

    await writeReports(older, dir);
    expect(readlinkSync(latest), 're-rendering an older run keeps latest').to.equal(newer.runId);
    expect(readdirSync(dir).sort()).to.deep.equal([older.runId, newer.runId, 'index.html', 'latest'].sort());
  });

  it('keeps results.json when a renderer throws, and reports which outputs are missing', async () => {
    const broken = { ...load('sample'), cluster: undefined } as unknown as RunResult;
    let error: unknown;
    try {
      await writeReports(broken, dir);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message)
      .to.include('junit.xml')
      .and.include('index.html')
      .and.include('results.json');
    const runDir = path.join(dir, broken.runId);
    expect(JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')).runId).to.equal(broken.runId);
    expect(existsSync(path.join(runDir, 'junit.xml'))).to.equal(false);
  });

  it('refuses a runId that would leave the report directory', async () => {
    for (const runId of ['../escape', 'a/b', '..', '', '.hidden']) {
      let error: unknown;
      await writeReports({ ...load('sample'), runId }, path.join(dir, 'reports')).catch((e: unknown) => {
        error = e;
      });
      expect(error, runId).to.be.instanceOf(Error);
    }
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
