// The history client's operations go to <run>/history.jsonl (what `ordinal check-history`
// reads), and are left out of timeline.json so that the history is not written twice.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import { readHistory } from '../../../lib/history/index.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

describe('report: history.jsonl', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const history: HistoryEvent[] = [
    { process: 0, type: 'invoke', f: 'write', key: 'r0', value: 1, time: 10, pod: 'etcd-0' },
    { process: 0, type: 'ok', f: 'write', key: 'r0', value: 1, time: 20, pod: 'etcd-0' },
  ];

  it('writes the traffic history to history.jsonl and leaves it out of timeline.json', async () => {
    const result = fixture('results-sample.json') as RunResult;
    const input = fixture('etcd-3x2-seed11.checkinput.json') as CheckInput;
    const withHistory: CheckInput = { ...input, traffic: { writes: [], readBack: [], history } };
    const { files } = await writeReports(result, dir, withHistory, { reporters: [] });
    const file = path.join(dir, result.runId, 'history.jsonl');
    expect(files).to.include(file);
    expect(await readHistory(file)).to.deep.equal(history);
    const timeline = JSON.parse(readFileSync(path.join(dir, result.runId, 'timeline.json'), 'utf8')) as CheckInput;
    expect(timeline.traffic).to.deep.equal({ writes: [], readBack: [] });
  });

  it('writes no history.jsonl for a run without one', async () => {
    const result = fixture('results-sample.json') as RunResult;
    const input = fixture('etcd-3x2-seed11.checkinput.json') as CheckInput;
    const { files } = await writeReports(result, dir, input, { reporters: [] });
    expect(files.some((f) => f.endsWith('history.jsonl'))).to.equal(false);
  });
});
