// The set checker (Jepsen's set, read from every member) and STS-WRITES-DURABLE's verdict
// built on it, on hand-built adds and reads: each outcome has a case, and each failing
// outcome names the pod.
import { expect } from 'chai';
import { checkSet, type MemberRead, type SetAdd } from '../../../lib/checkers/set.ts';
import { writesDurable } from '../../../lib/checks/writes-durable.ts';
import { parseClientLog } from '../../../lib/traffic/client.ts';
import { etcdDriver, webDriver } from '../../../lib/traffic/driver.ts';
import type { ReadBack, TrafficRecord, WriteRecord } from '../../../lib/traffic/records.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const add = (element: string, outcome: SetAdd['outcome'], addressed: string, extra: Partial<SetAdd> = {}): SetAdd => ({
  element,
  store: addressed,
  outcome,
  addressed,
  ...extra,
});
const read = (member: string, ...elements: string[]): MemberRead => ({ store: member, member, elements });
const etcd = (member: string, ...elements: string[]): MemberRead => ({ store: 'etcd', member, elements });
const els = (xs: readonly SetAdd[]): string[] => xs.map((a) => a.element);

describe('set checker', () => {
  it('ok and lost: acknowledged adds present, and absent from every member', () => {
    const v = checkSet(
      [add('a', 'ok', 'web-0'), add('b', 'ok', 'web-0'), add('c', 'ok', 'web-1')],
      [read('web-0', 'a'), read('web-1', 'c')],
    );
    expect(els(v.ok)).to.deep.equal(['a', 'c']);
    expect(els(v.lost)).to.deep.equal(['b']);
    expect(v.unexpected).to.deep.equal([]);
  });

  it('recovered and not applied: adds of unknown outcome, present and absent', () => {
    const v = checkSet([add('a', 'info', 'web-0'), add('b', 'info', 'web-0')], [read('web-0', 'a')]);
    expect(els(v.recovered)).to.deep.equal(['a']);
    expect(els(v.notApplied)).to.deep.equal(['b']);
    expect(v.lost).to.deep.equal([]);
  });

  it('refused adds: absent is a failed add, present is reported apart', () => {
    const v = checkSet([add('a', 'fail', 'web-0'), add('b', 'fail', 'web-0')], [read('web-0', 'b')]);
    expect(els(v.failed)).to.deep.equal(['a']);
    expect(els(v.failedPresent)).to.deep.equal(['b']);
  });

  it('unexpected: an element no add attempted, named with the member that held it', () => {
    const v = checkSet([add('a', 'ok', 'web-0')], [read('web-0', 'a', 'zz'), read('web-1')]);
    expect(v.unexpected).to.deep.equal([{ store: 'web-0', member: 'web-0', element: 'zz' }]);
  });

  it('an element found in another store than its add is misplaced, not unexpected', () => {
    const v = checkSet([add('a', 'info', 'web-1')], [read('web-1'), read('web-2', 'a')]);
    expect(v.unexpected).to.deep.equal([]);
    expect(v.misplaced.map((m) => `${m.add.element}@${m.foundIn}`)).to.deep.equal(['a@web-2']);
  });

  it("misrouted: acknowledged by another pod than the one addressed, judged in the answering pod's store", () => {
    const v = checkSet(
      [add('a', 'ok', 'web-1', { answered: 'web-2', store: 'web-2', address: '10.0.0.7' })],
      [read('web-1'), read('web-2', 'a')],
    );
    expect(els(v.misrouted)).to.deep.equal(['a']);
    expect(els(v.ok)).to.deep.equal(['a']);
    expect(v.lost).to.deep.equal([]);
  });

  it('stale: a member lacking what its peers hold; present in one member is not lost', () => {
    const v = checkSet(
      [add('a', 'ok', 'etcd-0', { store: 'etcd' }), add('b', 'ok', 'etcd-1', { store: 'etcd' })],
      [etcd('etcd-0', 'a', 'b'), etcd('etcd-1', 'a', 'b'), etcd('etcd-2', 'a')],
    );
    expect(v.stale).to.deep.equal([{ store: 'etcd', member: 'etcd-2', missing: ['b'] }]);
    expect(v.lost).to.deep.equal([]);
  });

  it('an unreadable member leaves absent elements unjudged, never lost; present ones are still ok', () => {
    const v = checkSet(
      [add('a', 'ok', 'etcd-0', { store: 'etcd' }), add('b', 'ok', 'etcd-1', { store: 'etcd' })],
      [etcd('etcd-0', 'a'), { store: 'etcd', member: 'etcd-1', error: 'exec failed' }],
    );
    expect(els(v.ok)).to.deep.equal(['a']);
    expect(els(v.unjudged)).to.deep.equal(['b']);
    expect(v.lost).to.deep.equal([]);
    expect(v.unread.map((m) => m.member)).to.deep.equal(['etcd-1']);
  });
});

const w = (pod: string, key: string, outcome: WriteRecord['outcome'], extra: Partial<WriteRecord> = {}): WriteRecord => ({
  pod,
  key,
  store: pod,
  sentMs: 10,
  outcome,
  ...extra,
});
const held = (pod: string, ...keys: string[]): ReadBack => ({ store: pod, pod, keys });
const judge = (traffic: TrafficRecord) => writesDurable.run({ ...buildWebInput(), traffic });

describe("STS-WRITES-DURABLE: the set checker's verdict", () => {
  it('fails naming the pod that acknowledged a write to another pod, with the DNS answer used', () => {
    const o = judge({
      driver: 'web',
      writes: [
        w('web-1', 'k1', 'acked', { answeredBy: 'web-2', answeredUid: 'u-2', address: '10.1.2.3' }),
        w('web-2', 'k2', 'acked', { answeredBy: 'web-2' }),
      ],
      readBack: [held('web-1'), held('web-2', 'k1', 'k2')],
    });
    expect(o.status).to.equal('failed');
    expect(o.message).to.include('web-1 → web-2');
    const e = o.evidence.find((x) => x.subject === 'pod web-1');
    expect(e?.observed).to.include('answered by web-2 (UID u-2)').and.include('10.1.2.3');
    // The key is where the pod that answered keeps it: not lost.
    expect(o.message).to.not.include('lost');
  });

  it('fails naming the pod that holds a key nobody wrote', () => {
    const o = judge({ driver: 'web', writes: [w('web-0', 'k1', 'acked')], readBack: [held('web-0', 'k1'), held('web-1', 'stray')] });
    expect(o.status).to.equal('failed');
    expect(o.evidence[0]).to.deep.include({ subject: 'pod web-1' });
    expect(o.evidence[0]?.observed).to.include('stray');
  });

  it('a lost write names the pod that acknowledged it and its UID', () => {
    const o = judge({
      driver: 'web',
      writes: [w('web-0', 'k1', 'acked', { answeredBy: 'web-0', answeredUid: 'u-0' }), w('web-0', 'k2', 'acked')],
      readBack: [held('web-0', 'k2')],
    });
    expect(o.status).to.equal('failed');
    expect(o.evidence[0]).to.deep.include({ subject: 'pod web-0', note: 'acknowledged by web-0 with UID u-0' });
  });

  it('passes with recovered writes as a note', () => {
    const o = judge({
      driver: 'web',
      writes: [w('web-0', 'k1', 'acked'), w('web-0', 'k2', 'unknown', { detail: '(exit 143, address 10.0.0.1)' })],
      readBack: [held('web-0', 'k1', 'k2')],
    });
    expect(o.status).to.equal('passed');
    expect(o.message).to.include('1 of unknown outcome took effect (recovered)');
    expect(o.evidence.find((e) => e.observed?.includes('took effect (recovered)'))?.subject).to.equal('writes to web-0');
  });

  it('notes never take a `pod <name>` subject: a failure names only the pods that broke', () => {
    const o = judge({
      driver: 'web',
      writes: [w('web-1', 'k1', 'acked'), w('web-0', 'k0', 'acked'), w('web-0', 'k2', 'unknown')],
      readBack: [held('web-1'), held('web-0', 'k0', 'k2')],
    });
    expect(o.status).to.equal('failed');
    expect(o.evidence.filter((e) => e.subject.startsWith('pod ')).map((e) => e.subject)).to.deep.equal(['pod web-1']);
    expect(o.evidence.map((e) => e.subject)).to.include('writes to web-0');
  });
});

describe('traffic: acknowledgements name the pod and UID; timeouts have an unknown outcome', () => {
  const log = (...lines: string[]): string =>
    ['2026-11-28T10:00:00.000000000Z START r', ...lines.map((l, i) => `2026-11-28T10:00:0${i + 1}.000000000Z ${l}`)].join('\n');
  const base = Date.parse('2026-11-28T10:00:00Z');

  it("web: the CGI's pod, UID and the address used; a timeout is unknown, a refusal failed", () => {
    const web = webDriver('/d');
    const p = parseClientLog(
      log(
        'S web-1 r-web-1-1',
        'A web-1 r-web-1-1 ip=10.0.0.5 by=web-1 uid=0b5c-11',
        'S web-1 r-web-1-2',
        'F web-1 r-web-1-2 (exit 143, address 10.0.0.5)',
        'S web-1 r-web-1-3',
        "F web-1 r-web-1-3 wget: can't connect to remote host (10.0.0.5): Connection refused (exit 1, address 10.0.0.5)",
        'S web-1 r-web-1-4',
        'F web-1 r-web-1-4 no DNS answer for web-1.nginx',
      ),
      'r',
      web.store,
      (x) => x - base,
      web.definiteFailure,
    );
    expect(p.writes.map((x) => [x.outcome, x.answeredBy, x.answeredUid, x.address])).to.deep.equal([
      ['acked', 'web-1', '0b5c-11', '10.0.0.5'],
      ['unknown', undefined, undefined, undefined],
      ['failed', undefined, undefined, undefined],
      ['failed', undefined, undefined, undefined],
    ]);
  });

  it("etcd: the serving member's ID in hex; a deadline is unknown, connection refused failed", () => {
    const d = etcdDriver(2379);
    const p = parseClientLog(
      log(
        'S etcd-0 r-etcd-0-1',
        'A etcd-0 r-etcd-0-1 member=10276657743932975437',
        'S etcd-0 r-etcd-0-2',
        'F etcd-0 r-etcd-0-2 Error: context deadline exceeded (exit 1)',
        'S etcd-0 r-etcd-0-3',
        'F etcd-0 r-etcd-0-3 dial tcp 10.0.0.9:2379: connect: connection refused"} Error: context deadline exceeded (exit 1)',
      ),
      'r',
      d.store,
      (x) => x - base,
      d.definiteFailure,
    );
    expect(p.writes.map((x) => [x.outcome, x.answeredMember])).to.deep.equal([
      ['acked', '8e9e05c52164694d'],
      ['unknown', undefined],
      ['failed', undefined],
    ]);
  });
});
