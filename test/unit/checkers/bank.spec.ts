// The bank checker on hand-built histories: one setup write of the initial balances, then
// transfers and reads of all balances on the primary and the replicas. Each anomaly kind
// (wrong total, negative balance, missing and unexpected accounts) fails naming the read;
// transfers of every outcome and reads that did not complete change nothing.
import { expect } from 'chai';
import { BANK_KEY, checkBank, formatBalances, readAnomalies } from '../../../lib/checkers/bank.ts';
import type { Balances } from '../../../lib/history/events.ts';
import { HistoryFormatError, parseHistory, formatHistory } from '../../../lib/history/jsonl.ts';
import { history, type Spec } from '../helpers/history-builder.ts';

const SETUP: Balances = { 0: 100, 1: 100, 2: 100, 3: 100 };
const setup = (b: Balances = SETUP): Spec => ({ p: 99, f: 'write', value: b, call: 0, ret: 1, key: BANK_KEY, pod: 'db-0' });
const transfer = (p: number, from: number, to: number, amount: number, call: number, ret?: number, type?: Spec['type']): Spec => ({
  p,
  f: 'transfer',
  value: [from, to, amount],
  call,
  key: BANK_KEY,
  pod: 'db-0',
  ...(ret === undefined ? {} : { ret }),
  ...(type ? { type } : {}),
});
const read = (p: number, b: Balances, call: number, pod: string, type?: Spec['type']): Spec => ({
  p,
  f: 'read',
  value: b,
  call,
  ret: call + 5,
  key: BANK_KEY,
  pod,
  ...(type ? { type } : {}),
});

describe('bank checker', () => {
  it('passes reads that all see the setup total, whatever transfers did', () => {
    const r = checkBank(
      history(
        setup(),
        transfer(0, 0, 1, 30, 10, 20),
        transfer(1, 2, 3, 5, 12, 22, 'fail'),
        transfer(2, 1, 2, 7, 14),
        read(3, { 0: 70, 1: 130, 2: 100, 3: 100 }, 25, 'db-0'),
        read(4, SETUP, 26, 'db-1'),
        read(5, { 0: 70, 1: 123, 2: 107, 3: 100 }, 30, 'db-2'),
      ),
    );
    expect(r.valid).to.equal(true);
    expect(r.anomalies).to.deep.equal([]);
    expect(r).to.include({ accounts: 4, total: 400, reads: 3 });
    expect(r.readsByPod).to.deep.equal({ 'db-0': 1, 'db-1': 1, 'db-2': 1 });
    expect(r.transfers).to.deep.equal({ ok: 1, failed: 1, unknown: 1 });
    expect(r.lastGood).to.equal(undefined);
  });

  it('fails a read whose total drifted, naming its pod and balances, with the last good read before it', () => {
    const r = checkBank(
      history(setup(), read(1, SETUP, 10, 'db-1'), read(2, { 0: 100, 1: 107, 2: 100, 3: 100 }, 20, 'db-2'), read(3, SETUP, 30, 'db-0')),
    );
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.have.length(1);
    const a = r.anomalies[0]!;
    expect(a.kind).to.equal('wrong-total');
    expect(a.read.pod).to.equal('db-2');
    expect(a.read.total).to.equal(407);
    expect(a.detail).to.equal('total 407, expected 400 (+7)');
    expect(r.lastGood?.pod).to.equal('db-1');
  });

  it('fails a torn read (half a transfer seen) as a wrong total with a negative difference', () => {
    const r = checkBank(history(setup(), transfer(0, 0, 1, 30, 5, 15), read(1, { 0: 70, 1: 100, 2: 100, 3: 100 }, 10, 'db-1')));
    expect(r.anomalies.map((a) => [a.kind, a.detail])).to.deep.equal([['wrong-total', 'total 370, expected 400 (-30)']]);
  });

  it('fails a negative balance even when the total holds', () => {
    const r = checkBank(history(setup(), read(1, { 0: -10, 1: 210, 2: 100, 3: 100 }, 10, 'db-0')));
    expect(r.anomalies.map((a) => [a.kind, a.detail])).to.deep.equal([['negative-balance', 'account 0 at -10']]);
  });

  it('fails a read that misses an account of the setup', () => {
    const r = checkBank(history(setup(), read(1, { 0: 100, 1: 200, 2: 100 }, 10, 'db-2')));
    expect(r.anomalies.map((a) => [a.kind, a.detail])).to.deep.equal([['missing-account', 'accounts 3 missing']]);
  });

  it('fails a read with an account the setup never made, and a wrong total with it', () => {
    const r = checkBank(history(setup(), read(1, { ...SETUP, 9: 5 }, 10, 'db-1')));
    expect(r.anomalies.map((a) => a.kind)).to.deep.equal(['unexpected-account', 'wrong-total']);
    expect(r.anomalies[0]!.detail).to.equal('accounts 9 never set up');
  });

  it('lists anomalies in completion order, and ignores reads that failed or never completed', () => {
    const drift = { 0: 101, 1: 100, 2: 100, 3: 100 };
    const events = history(
      setup(),
      read(1, drift, 40, 'db-0'),
      read(2, { 0: 1, 1: 1, 2: 1, 3: 1 }, 10, 'db-1', 'fail'),
      read(3, { 0: 90, 1: 100, 2: 100, 3: 100 }, 20, 'db-2'),
      { p: 4, f: 'read', value: null, call: 30, key: BANK_KEY, pod: 'db-1' },
    );
    const r = checkBank(events);
    expect(r.reads).to.equal(2);
    expect(r.anomalies.map((a) => a.read.pod)).to.deep.equal(['db-2', 'db-0']);
  });

  it('refuses a history without its setup, with two setups, or with another key or function', () => {
    expect(() => checkBank(history(read(1, SETUP, 10, 'db-0')))).to.throw(HistoryFormatError, /no setup write/);
    expect(() => checkBank(history(setup(), { ...setup(), p: 98, call: 2, ret: 3 }))).to.throw(HistoryFormatError, /second setup/);
    expect(() => checkBank(history(setup(), { ...read(1, SETUP, 10, 'db-0'), key: 'other' }))).to.throw(
      HistoryFormatError,
      /key "accounts"/,
    );
    expect(() => checkBank(history(setup(), { p: 1, f: 'add', value: 3, call: 5, ret: 6, key: BANK_KEY }))).to.throw(
      HistoryFormatError,
      /got add/,
    );
    expect(() => checkBank(history(setup(), { ...read(1, SETUP, 10, 'db-0'), value: [1, 2] }))).to.throw(
      HistoryFormatError,
      /returns balances/,
    );
  });

  it('reads its history back from history.jsonl text, transfers and balances validated', () => {
    const events = history(setup(), transfer(0, 0, 1, 3, 5, 9), read(1, { 0: 97, 1: 103, 2: 100, 3: 100 }, 10, 'db-1'));
    const again = parseHistory(formatHistory(events));
    expect(checkBank(again).valid).to.equal(true);
    expect(() => parseHistory('{"process":0,"type":"invoke","f":"transfer","key":"accounts","value":[0,1],"time":1}')).to.throw(
      HistoryFormatError,
      /transfer value must be \[from, to, amount\]/,
    );
    expect(() => parseHistory('{"process":0,"type":"ok","f":"read","key":"accounts","value":{"a":1},"time":1}')).to.throw(
      HistoryFormatError,
      /balances/,
    );
  });

  it('judges one read on its own, and formats balances in account order', () => {
    const read0 = { pod: 'db-0', process: 1, balances: { 10: 5, 2: -1 }, total: 4, call: 0, ret: 1, lines: [1, 2] as const };
    expect(readAnomalies(read0, { 2: 2, 10: 2 }, 4).map((a) => a.kind)).to.deep.equal(['negative-balance']);
    expect(formatBalances({ 10: 5, 2: -1 })).to.equal('2:-1 10:5');
  });
});
