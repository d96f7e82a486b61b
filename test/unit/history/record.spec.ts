// loadHistoryRecord: what the run hands STS-LINEARIZABLE. A missing or malformed file is
// recorded as an error (the check's `error`), never thrown and never an empty history.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatHistory, loadHistoryRecord } from '../../../lib/history/index.ts';
import { linearizable } from '../../../lib/checks/linearizable.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { history, r, w } from '../helpers/history-builder.ts';

describe('history: loadHistoryRecord', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-record-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the events, keeps the clock, and the check judges them', async () => {
    const events = history(w(0, 1, 0, 10), w(0, 2, 20, 30), { ...r(1, 1, 40, 50), pod: 'etcd-2' });
    writeFileSync(path.join(dir, 'history.jsonl'), formatHistory(events));
    const rec = await loadHistoryRecord(dir, 'history.jsonl', 'register', { ns: 0, runMs: 1000 });
    expect(rec).to.deep.equal({ workload: 'register', file: 'history.jsonl', clock: { ns: 0, runMs: 1000 }, events });
    const input = { ...buildWebInput(), history: rec };
    expect(linearizable.run(input).status).to.equal('failed');
  });

  it('records a missing file as an error the check reports as error', async () => {
    const rec = await loadHistoryRecord(dir, 'nope.jsonl', 'register');
    expect(rec.events).to.equal(undefined);
    expect(rec.error).to.match(/^cannot read history .*nope\.jsonl: ENOENT$/);
    const out = linearizable.run({ ...buildWebInput(), history: rec });
    expect(out.status).to.equal('error');
    expect(out.message).to.include('could not be read').and.include('ENOENT');
  });

  it('records a malformed line as an error naming the file and the line', async () => {
    writeFileSync(path.join(dir, 'bad.jsonl'), '{"process":0,"type":"invoke","f":"write","key":"x","value":1,"time":1}\n{"process":');
    const rec = await loadHistoryRecord(dir, 'bad.jsonl', 'register');
    expect(rec.error).to.match(/bad\.jsonl: history line 2: not valid JSON/);
    expect(linearizable.run({ ...buildWebInput(), history: rec }).status).to.equal('error');
  });
});
