// STS-WRITES-DURABLE over a set history (--traffic set): hand-built adds and final reads of
// every member, judged by the set checker. Lost, unexpected and misrouted adds fail naming
// the pod; recovered adds and stale members are notes; an unread member is error.
import { expect } from 'chai';
import type { CheckInput, CheckResult } from '../../../lib/checks/api.ts';
import { setFromHistory } from '../../../lib/checkers/set-history.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import type { HistoryRecord } from '../../../lib/history/record.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { history, type Spec } from '../helpers/history-builder.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const ID = 'STS-WRITES-DURABLE';
const add = (p: number, value: string, call: number, ret: number | undefined, pod: string, type?: Spec['type']): Spec => ({
  p,
  f: 'add',
  value,
  call,
  key: 's',
  pod,
  ...(ret === undefined ? {} : { ret }),
  ...(type ? { type } : {}),
});
const read = (p: number, elements: string[], call: number, pod: string, type?: Spec['type']): Spec => ({
  p,
  f: 'read',
  value: elements,
  call,
  ret: call + 5,
  key: 's',
  pod,
  ...(type ? { type } : {}),
});
const MEMBERS = ['etcd-0', 'etcd-1', 'etcd-2'];
const finalReads = (elements: string[], at = 1000): Spec[] => MEMBERS.map((m, i) => read(50 + i, elements, at + i, m));

function judge(events: readonly HistoryEvent[] | undefined, extra: Partial<HistoryRecord> = {}): CheckResult {
  const input: CheckInput = buildWebInput();
  input.history = { workload: 'set', file: 'history.jsonl', ...(events ? { events } : {}), ...extra };
  return resultOf(input, ID);
}

describe('STS-WRITES-DURABLE over a set history', () => {
  it('passes when every acknowledged add is read back from every member', () => {
    const res = judge(history(add(0, 'a', 0, 10, 'etcd-0'), add(1, 'b', 5, 15, 'etcd-1'), ...finalReads(['a', 'b'])));
    expect(res.status, res.message).to.equal('passed');
    expect(res.message).to.equal(
      'all 2 acknowledged adds read back from every member (2 sent, 0 of unknown outcome took effect, 0 refused)',
    );
    expect(res.evidence[0]?.observed).to.include('final reads of etcd-0, etcd-1, etcd-2');
  });

  it('fails a lost add naming the pod that acknowledged it', () => {
    const res = judge(history(add(0, 'a', 0, 10, 'etcd-0'), add(1, 'b', 5, 15, 'etcd-1'), ...finalReads(['a'])));
    expectFailure(res, '1 acknowledged adds lost: etcd-1 (1)', 'pod etcd-1');
  });

  it('fails an element nobody added, naming the member that holds it', () => {
    const res = judge(history(add(0, 'a', 0, 10, 'etcd-0'), ...finalReads(['a', 'zz'])));
    expectFailure(res, '3 elements present that nobody added: etcd-0, etcd-1, etcd-2', 'zz');
  });

  it('fails an add acknowledged by another pod than the one addressed', () => {
    const events = history(add(0, 'a', 0, 10, 'etcd-0'), ...finalReads(['a']));
    // The invocation names the pod addressed, the completion the pod that answered.
    const misrouted = events.map((e) => (e.f !== 'add' ? e : { ...e, pod: e.type === 'invoke' ? 'etcd-0' : 'etcd-1' }));
    expectFailure(judge(misrouted), '1 adds acknowledged by another pod than the one addressed', 'etcd-0');
  });

  it('notes an add of unknown outcome that took effect (recovered) and a stale member, and passes', () => {
    const specs = [
      add(0, 'a', 0, 10, 'etcd-0'),
      add(1, 'b', 5, 15, 'etcd-0', 'info'),
      add(2, 'c', 6, undefined, 'etcd-1'),
      read(50, ['a', 'b'], 1000, 'etcd-0'),
      read(51, ['a', 'b'], 1001, 'etcd-1'),
      read(52, ['a'], 1002, 'etcd-2'),
    ];
    const res = judge(history(...specs));
    expect(res.status, res.message).to.equal('passed');
    expect(res.message).to.include('1 of unknown outcome took effect').and.include('stale members: etcd-2');
    expect(res.evidence.map((e) => e.subject)).to.include.members(['writes to etcd-0', 'member etcd-2']);
  });

  it('judges each member by its last read', () => {
    const early = [read(60, [], 100, 'etcd-2')];
    expect(judge(history(add(0, 'a', 0, 10, 'etcd-0'), ...early, ...finalReads(['a']))).status).to.equal('passed');
  });

  it('is error when a member final read did not complete, naming it', () => {
    const specs = [add(0, 'a', 0, 10, 'etcd-0'), read(50, ['a'], 1000, 'etcd-0'), read(51, [], 1001, 'etcd-1', 'info')];
    const res = judge(history(...specs));
    expect(res.status).to.equal('error');
    expect(res.message).to.equal('could not read the set back from etcd-1');
    expect(res.evidence[0]?.observed).to.equal('not read back: the final read of etcd-1 ended info');
  });

  it('is error when the history is missing, unreadable or has no final read', () => {
    expect(judge(undefined, { error: 'cannot read history h: ENOENT' }).message).to.equal(
      'the set history could not be read: cannot read history h: ENOENT',
    );
    expect(judge(undefined).status).to.equal('error');
    const scalar = history(add(0, 'a', 0, 10, 'etcd-0'), { p: 1, f: 'read', value: 'a', call: 20, ret: 30, key: 's', pod: 'etcd-0' });
    expect(judge(scalar).message).to.include("unreadable: history line 4: a set read returns the set's elements as an array");
    const noRead = judge(history(add(0, 'a', 0, 10, 'etcd-0')));
    expect(noRead.status).to.equal('error');
    expect(noRead.message).to.include('no final read');
  });

  it('keeps refused adds (pair() drops them) and maps history times to run ms with the clock', () => {
    const events = history(add(0, 'a', 2_000_000, 3_000_000, 'etcd-0', 'fail'), add(1, 'b', 4_000_000, 5_000_000, 'etcd-0'));
    const { adds } = setFromHistory(events, (ns) => 100 + ns / 1e6);
    expect(adds.map((a) => [a.element, a.outcome, a.at])).to.deep.equal([
      ['a', 'fail', 102],
      ['b', 'ok', 104],
    ]);
    expect(setFromHistory(events).adds[0]).to.not.have.property('at');
  });
});
