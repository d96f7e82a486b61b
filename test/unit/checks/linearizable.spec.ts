// STS-LINEARIZABLE on hand-built register histories handed to a hand-built run: each
// anomaly kind fails naming what a reader needs (key, value read, value current, pod),
// and what Ordinal could not judge (budget, missing or bad history) is error, never failed.
import { expect } from 'chai';
import type { CheckInput, CheckResult } from '../../../lib/checks/api.ts';
import { linearizable } from '../../../lib/checks/linearizable.ts';
import { MAX_FIGURE_OPS } from '../../../lib/checks/linearizable-figure.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import type { HistoryRecord } from '../../../lib/history/record.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { cas, history, r, type Spec, w } from '../helpers/history-builder.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const ID = 'STS-LINEARIZABLE';
const MS = 1_000_000;

function withHistory(events: readonly HistoryEvent[] | undefined, extra: Partial<HistoryRecord> = {}): CheckInput {
  const input = buildWebInput();
  input.history = { workload: 'register', file: 'history.jsonl', ...(events ? { events } : {}), ...extra };
  return input;
}

const judge = (input: CheckInput): CheckResult => resultOf(input, ID);
const at = (s: Spec, pod: string): Spec => ({ ...s, pod });

describe('STS-LINEARIZABLE', () => {
  it('is in the catalog with a one-line guarantee', () => {
    expect(linearizable.id).to.equal(ID);
    expect(linearizable.guarantee).to.match(/^[^\n]{10,}$/);
  });

  it('passes a linearizable history with overlapping reads and writes, and counts info operations', () => {
    const res = judge(
      withHistory(
        history(
          w(0, 1, 0, 10 * MS),
          r(1, null, 1 * MS, 2 * MS),
          w(2, 2, 5 * MS, 20 * MS),
          r(1, 1, 6 * MS, 8 * MS),
          r(0, 2, 21 * MS, 22 * MS),
          w(3, 3, 23 * MS, 24 * MS, 'info'),
          r(4, 2, 25 * MS, 26 * MS),
        ),
      ),
    );
    expect(res.status, res.message).to.equal('passed');
    expect(res.message).to.include('all 7 operations linearizable').and.include('1 of unknown outcome');
    expect(res.evidence[0]?.subject).to.equal('history history.jsonl');
    // The info write of 3 is read by nobody: the search never had to place it.
    expect(res.evidence[0]?.observed).to.match(/search steps \(1 unobserved info writes\/cas set aside before it\)/);
    expect(res.subHistory).to.equal(undefined);
  });

  it('fails a stale read naming the key, the value read, the value current and the pod that answered', () => {
    const res = judge(
      withHistory(
        history(at(w(0, 1, 0, 10 * MS), 'etcd-0'), at(w(0, 2, 20 * MS, 30 * MS), 'etcd-0'), at(r(1, 1, 40 * MS, 50 * MS), 'etcd-2')),
      ),
    );
    expectFailure(res, 'stale read on key "x"', 'pod etcd-2 answered 1 while 2 was current', 'process 1');
    const first = res.evidence[0];
    expect(first).to.include({ subject: 'key x', expected: 'a read returns the current value: 2' });
    expect(first?.observed).to.include('read 1 by process 1 via pod etcd-2');
    expect(res.evidence.map((e) => e.note)).to.include.members([
      'the value that was current: the last write acknowledged before it was sent',
      'the value read',
    ]);
    expect(res.evidence.find((e) => e.note?.startsWith('the value that was current'))?.observed).to.include(
      '2 set by write 2 by process 0 via pod etcd-0',
    );
    // Without a clock tying the client to the run, times are the history's own and no evidence claims a run time.
    expect(res.evidence.every((e) => e.at === undefined)).to.equal(true);
    const fig = res.subHistory;
    expect(fig?.axis).to.equal('history');
    expect(fig?.ops.map((o) => [o.f, o.value, o.role])).to.deep.equal([
      ['write', 1, 'source'],
      ['write', 2, 'writer'],
      ['read', 1, 'failing'],
    ]);
    expect(fig?.ops[2]).to.include({ callMs: 40, retMs: 50, pod: 'etcd-2', process: 1 });
  });

  it('fails a read of the initial null after a write completed, as a stale read', () => {
    const res = judge(withHistory(history(w(0, 7, 0, 10 * MS), at(r(1, null, 20 * MS, 30 * MS), 'etcd-1'))));
    expectFailure(res, 'stale read', 'pod etcd-1 answered null while 7 was current');
  });

  it('fails a read of a value nobody wrote, saying so', () => {
    const res = judge(withHistory(history(w(0, 1, 0, 10 * MS), at(r(1, 99, 20 * MS, 30 * MS), 'etcd-0'))));
    expectFailure(res, 'read of a value never written', 'pod etcd-0 answered 99 while 1 was current');
  });

  it('fails a lost update: two acknowledged cas from the same value', () => {
    const res = judge(
      withHistory(history(w(0, 1, 0, 10 * MS), at(cas(1, 1, 2, 20 * MS, 30 * MS), 'etcd-0'), at(cas(2, 1, 3, 40 * MS, 50 * MS), 'etcd-1'))),
    );
    expectFailure(res, 'lost update on key "x"', 'cas 1→3 acknowledged by pod etcd-1 while 2 was current');
    expect(res.evidence[0]?.expected).to.equal('cas expects the current value: 2');
    expect(res.subHistory?.ops.find((o) => o.role === 'failing')).to.include({ f: 'cas', process: 2 });
  });

  it('lets an info write take effect late, but not twice', () => {
    const late = history(w(0, 1, 0, 10 * MS), w(1, 2, 5 * MS, undefined), r(0, 1, 20 * MS, 30 * MS), r(2, 2, 40 * MS, 50 * MS));
    expect(judge(withHistory(late)).status).to.equal('passed');
    const twice = history(
      w(0, 1, 0, 10 * MS),
      w(1, 2, 5 * MS, 6 * MS, 'info'),
      r(0, 2, 20 * MS, 30 * MS),
      w(0, 3, 31 * MS, 32 * MS),
      at(r(2, 2, 40 * MS, 50 * MS), 'etcd-2'),
    );
    const res = judge(withHistory(twice));
    expectFailure(res, 'stale read', 'pod etcd-2 answered 2 while 3 was current');
    // The info write wrote the value read and never returned: drawn open-ended, as the read's source.
    const info = res.subHistory?.ops.find((o) => o.type === 'info');
    expect(info).to.deep.include({ f: 'write', value: 2, role: 'source' });
    expect(info).to.not.have.property('retMs');
  });

  it('puts operations on the run axis when the history carries the clock, so evidence has run times', () => {
    const events = history(w(0, 1, 1000 * MS, 1010 * MS), w(0, 2, 1020 * MS, 1030 * MS), at(r(1, 1, 1040 * MS, 1050 * MS), 'etcd-2'));
    const res = judge(withHistory(events, { clock: { ns: 1000 * MS, runMs: 5000 } }));
    expect(res.status).to.equal('failed');
    expect(res.subHistory?.axis).to.equal('run');
    expect(res.subHistory?.ops.find((o) => o.role === 'failing')).to.include({ callMs: 5040, retMs: 5050 });
    expect(res.evidence[0]?.at).to.equal(5040);
    expect(res.message).to.include('sent t+5.040 s');
  });

  it('draws at most MAX_FIGURE_OPS operations, the failing one and its writer always among them', () => {
    const specs: Spec[] = [w(0, 1, 0, 10 * MS), w(0, 2, 20 * MS, 30 * MS)];
    // Short reads of the current 2, one after another, all inside the stale read's span: each overlaps it, none rescues it.
    for (let i = 0; i < 2 * MAX_FIGURE_OPS; i++) specs.push(r(10 + i, 2, 40 * MS + i * 100_000 + 1, 40 * MS + i * 100_000 + 50_000));
    specs.push(at(r(1, 1, 40 * MS, 50 * MS), 'etcd-2'));
    const res = judge(withHistory(history(...specs)));
    expect(res.status, res.message).to.equal('failed');
    const fig = res.subHistory;
    expect(fig?.ops).to.have.length(MAX_FIGURE_OPS);
    expect(fig?.ops.filter((o) => o.role !== undefined).map((o) => o.role)).to.have.members(['failing', 'writer', 'source']);
    expect(fig?.omitted).to.equal(2 * MAX_FIGURE_OPS - (MAX_FIGURE_OPS - 3));
  });

  it('is error, not passed, when the search exceeds its budget', () => {
    const specs: Spec[] = [];
    for (let p = 0; p < 6; p++) specs.push(w(p, p + 1, p * MS, 100 * MS), r(p + 10, p + 1, p * MS + 1, 100 * MS));
    const input = withHistory(history(...specs));
    expect(judge(input).status, 'the history itself is linearizable').to.equal('passed');
    input.limits = { recoveryTimeoutMs: 1000, historyMaxSteps: 3 };
    const res = judge(input);
    expect(res.status).to.equal('error');
    expect(res.message).to.include('could not decide linearizability within the budget (3 steps');
    expect(res.evidence[0]?.note).to.include('check-history --max-steps');
  });

  it('is error when the history is missing, unreadable or not a register history', () => {
    const missing = judge(withHistory(undefined, { error: 'cannot read history history.jsonl: ENOENT' }));
    expect(missing.status).to.equal('error');
    expect(missing.message).to.include('could not be read: cannot read history history.jsonl: ENOENT');
    expect(judge(withHistory(undefined)).message).to.equal('the register history history.jsonl is missing');
    const orphan: HistoryEvent[] = [{ process: 0, type: 'ok', f: 'write', key: 'x', value: 1, time: 5 }];
    const bad = judge(withHistory(orphan));
    expect(bad.status).to.equal('error');
    expect(bad.message).to.include('unreadable: history line 1: ok for process 0, which has no open invocation');
    const set: HistoryEvent[] = [
      { process: 0, type: 'invoke', f: 'add', key: 's', value: 1, time: 1 },
      { process: 0, type: 'ok', f: 'add', key: 's', value: 1, time: 2 },
    ];
    expect(judge(withHistory(set)).message).to.include('is not a register history');
  });

  it('is error when no operation completed: nothing to judge', () => {
    const res = judge(withHistory(history(w(0, 1, 0, undefined), r(1, null, 1, 2, 'fail'))));
    expect(res.status).to.equal('error');
    expect(res.message).to.equal('none of 1 operations in history.jsonl completed: nothing to judge');
  });

  it('is skipped with a reason when the run had no register traffic', () => {
    const none = judge(buildWebInput());
    expect(none.status).to.equal('skipped');
    expect(none.message).to.match(/^no register traffic in this run/);
    const set = judge(withHistory([], { workload: 'set' }));
    expect(set.status).to.equal('skipped');
    expect(set.message).to.include('its history.jsonl is a set history');
  });
});
