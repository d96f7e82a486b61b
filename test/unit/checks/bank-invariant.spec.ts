// STS-BANK-INVARIANT on hand-built bank histories inside a run's input: fails naming the
// pod that served the bad read and its balances, with the last good read beside it;
// passes reads that keep the total; error when the history cannot be judged; skipped
// without bank traffic.
import { expect } from 'chai';
import type { CheckInput, CheckResult } from '../../../lib/checks/api.ts';
import { BANK_KEY } from '../../../lib/checkers/bank.ts';
import type { Balances, HistoryEvent } from '../../../lib/history/events.ts';
import type { HistoryRecord } from '../../../lib/history/record.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { history, type Spec } from '../helpers/history-builder.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const ID = 'STS-BANK-INVARIANT';
const SETUP: Balances = { 0: 50, 1: 50 };
const setup: Spec = { p: 9, f: 'write', value: SETUP, call: 0, ret: 1, key: BANK_KEY, pod: 'db-0' };
const transfer = (p: number, call: number, type?: Spec['type']): Spec => ({
  p,
  f: 'transfer',
  value: [0, 1, 10],
  call,
  ret: call + 4,
  key: BANK_KEY,
  pod: 'db-0',
  ...(type ? { type } : {}),
});
const read = (p: number, b: Balances, call: number, pod: string): Spec => ({
  p,
  f: 'read',
  value: b,
  call,
  ret: call + 2,
  key: BANK_KEY,
  pod,
});

function judge(events: readonly HistoryEvent[] | undefined, extra: Partial<HistoryRecord> = {}): CheckResult {
  const input: CheckInput = buildWebInput();
  input.history = { workload: 'bank', file: 'history.jsonl', ...(events ? { events } : {}), ...extra };
  return resultOf(input, ID);
}

describe('STS-BANK-INVARIANT', () => {
  it('passes when every read sees the total, naming the pods read and the transfers', () => {
    const res = judge(history(setup, transfer(0, 2), read(1, { 0: 40, 1: 60 }, 10, 'db-1'), read(2, SETUP, 11, 'db-0')));
    expect(res.status, res.message).to.equal('passed');
    expect(res.message).to.equal('all 2 reads saw total 100 over 2 accounts, none negative (db-0 (1), db-1 (1))');
    expect(res.evidence[0]?.observed).to.include('transfers 1 committed, 0 failed, 0 of unknown outcome');
  });

  it('fails a drifted total naming the pod that served the read, its balances and the last good read', () => {
    const res = judge(
      history(
        setup,
        transfer(0, 2),
        read(1, { 0: 40, 1: 60 }, 10, 'db-0'),
        read(2, { 0: 47, 1: 60 }, 20, 'db-2'),
        read(3, { 0: 47, 1: 60 }, 30, 'db-0'),
      ),
    );
    expectFailure(
      res,
      '2 of 3 reads break the bank invariant (wrong-total): first pod db-2 read 0:47 1:60: total 107, expected 100 (+7); bad reads by pod: db-2 (1), db-0 (1)',
      'pod db-2',
      'the last read with the expected total before the first bad one',
    );
    expect(res.evidence.find((e) => e.note?.startsWith('the last read'))?.observed).to.include('read 0:40 1:60 (total 100)');
  });

  it('fails a negative balance and a missing account, each kind named', () => {
    const res = judge(history(setup, transfer(0, 2), read(1, { 0: -5, 1: 105 }, 10, 'db-1'), read(2, { 0: 100 }, 20, 'db-2')));
    expectFailure(res, 'negative-balance, missing-account', 'account 0 at -5', 'accounts 1 missing');
  });

  it('places the evidence on the run clock when the history has one', () => {
    const res = judge(history(setup, transfer(0, 2), read(1, { 0: 1, 1: 1 }, 2_000_000_000, 'db-1')), { clock: { ns: 0, runMs: 5000 } });
    expect(res.status).to.equal('failed');
    expect(res.evidence[0]?.at).to.equal(7000);
  });

  it('shows the first bad read of each pod and kind, counting the rest, and caps the evidence at 10 of them', () => {
    const same = Array.from({ length: 3 }, (_, i) => read(10 + i, { 0: 1, 1: 1 }, 10 + i * 3, 'db-1'));
    const one = judge(history(setup, transfer(0, 2), ...same, read(20, { 0: 60, 1: 60 }, 50, 'db-2')));
    expect(one.evidence.map((e) => e.subject)).to.deep.equal(['pod db-1', 'pod db-2']);
    expect(one.evidence[0]?.note).to.equal('wrong-total: total 2, expected 100 (-98); the first of 3 such reads on this pod');
    const pods = Array.from({ length: 12 }, (_, i) => read(10 + i, { 0: 1, 1: 1 }, 10 + i * 3, `db-${i}`));
    const res = judge(history(setup, transfer(0, 2), ...pods));
    expect(res.status).to.equal('failed');
    expect(res.evidence.at(-1)?.observed).to.equal('2 more pods and kinds of anomaly');
  });

  it('is error when the history is unreadable, missing, has no setup, no read or no committed transfer', () => {
    expect(judge(undefined, { error: 'ENOENT' }).status).to.equal('error');
    expect(judge(undefined).message).to.match(/is missing/);
    expect(judge(history(read(1, SETUP, 10, 'db-0'))).message).to.match(/unreadable: .*no setup write/);
    expect(judge(history(setup, transfer(0, 2))).message).to.match(/^no read of the balances completed/);
    const none = judge(history(setup, transfer(0, 2, 'fail'), read(1, SETUP, 10, 'db-0')));
    expect(`${none.status}: ${none.message}`).to.match(/^error: no transfer committed/);
  });

  it('is skipped without bank traffic, naming why', () => {
    const plain = resultOf(buildWebInput(), ID);
    expect(`${plain.status}: ${plain.message}`).to.match(/^skipped: no bank traffic in this run/);
    const input: CheckInput = buildWebInput();
    input.history = { workload: 'set', file: 'history.jsonl', events: [] };
    expect(resultOf(input, ID).message).to.equal('no bank traffic in this run: its history.jsonl is a set history');
  });
});
