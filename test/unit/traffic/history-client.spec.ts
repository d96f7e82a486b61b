// The history client's pure parts: seeded operation generation, process retirement, the
// events it prints (which lib/history must accept and pair), etcd's JSON gateway bodies
// and answers, and the harness's reading of the client's lines.
import { expect } from 'chai';
import { pair, parseHistory, formatHistory } from '../../../lib/history/index.ts';
import { checkRegister } from '../../../lib/checkers/linearizable.ts';
import {
  casBody,
  decodeValue,
  parseKeys,
  parseMembers,
  parseRange,
  parseWrite,
  prefixBody,
  putBody,
  rangeBody,
  Refused,
  TimedOut,
} from '../../../lib/traffic/etcd-gateway.ts';
import { outcomeOfError } from '../../../lib/traffic/history-client.ts';
import { completeLines, historyOf, setRecords } from '../../../lib/traffic/history-session.ts';
import { completionEvent, invokeEvent, OpGenerator, type PlannedOp, Processes } from '../../../lib/traffic/workload-ops.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import { parseClientConfig } from '../../../lib/cli/client.ts';
import { UsageError } from '../../../lib/errors.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('history client: operations', function () {
  it('the same seed gives the same operations, another seed others', () => {
    const take = (seed: number) => {
      const g = new OpGenerator({ workload: 'register', seed, keys: 3 });
      return Array.from({ length: 200 }, () => g.op());
    };
    expect(take(7)).to.deep.equal(take(7));
    expect(take(7)).to.not.deep.equal(take(8));
  });

  it('register: reads, writes and cas on the hot keys only, every written value unique, a cas expecting the last value written', () => {
    const g = new OpGenerator({ workload: 'register', seed: 1, keys: 3 });
    const ops = Array.from({ length: 1000 }, () => g.op());
    expect(new Set(ops.map((o) => o.key))).to.deep.equal(new Set(['r0', 'r1', 'r2']));
    for (const f of ['read', 'write', 'cas']) expect(ops.filter((o) => o.f === f).length, f).to.be.greaterThan(150);
    const written = ops.filter((o) => o.f !== 'read').map((o) => (o.f === 'cas' ? (o.value as number[])[1] : o.value));
    expect(new Set(written).size).to.equal(written.length);
    const last = new Map<string, unknown>();
    for (const o of ops) {
      if (o.f === 'read') expect(o.value).to.equal(null);
      if (o.f === 'cas') expect((o.value as unknown[])[0]).to.equal(last.get(o.key) ?? null);
      if (o.f !== 'read') last.set(o.key, o.f === 'cas' ? (o.value as unknown[])[1] : o.value);
    }
  });

  it('set: adds of unique elements to the one set key', () => {
    const g = new OpGenerator({ workload: 'set', seed: 1, keys: 1 });
    const ops = Array.from({ length: 100 }, () => g.op());
    expect(ops.every((o) => o.f === 'add' && o.key === 'set')).to.equal(true);
    expect(new Set(ops.map((o) => o.value)).size).to.equal(100);
  });

  it('a process whose operation ends info is retired: its client continues under a fresh id; ok and fail keep it', () => {
    const p = new Processes(4);
    expect(p.completed(1, 'ok')).to.equal(1);
    expect(p.completed(1, 'fail')).to.equal(1);
    expect(p.completed(1, 'info')).to.equal(5);
    expect(p.completed(1, 'info')).to.equal(9);
    expect(p.process(2)).to.equal(2);
    expect(() => p.process(4)).to.throw(/no client 4/);
  });

  it('a timed-out write or cas is info, a timed-out read is fail, a refused operation is fail', () => {
    const write: PlannedOp = { f: 'write', key: 'r0', value: 3 };
    const read: PlannedOp = { f: 'read', key: 'r0', value: null };
    expect(outcomeOfError(write, new TimedOut('no answer')).type).to.equal('info');
    expect(outcomeOfError({ f: 'cas', key: 'r0', value: [1, 2] }, new Error('HTTP 503')).type).to.equal('info');
    expect(outcomeOfError(read, new TimedOut('no answer')).type).to.equal('fail');
    expect(outcomeOfError(write, new Refused('ECONNREFUSED')).type).to.equal('fail');
  });

  it('the events it prints are what lib/history reads and pairs, and retirement is what pair() expects', () => {
    const p = new Processes(2);
    const events: HistoryEvent[] = [];
    let t = 0;
    const run = (client: number, op: PlannedOp, out: Parameters<typeof completionEvent>[2]) => {
      const proc = p.process(client);
      t += 10;
      events.push(invokeEvent(proc, op, t, 'etcd-0'));
      t += 10;
      events.push(completionEvent(proc, op, out, t));
      p.completed(client, out.type);
    };
    run(0, { f: 'write', key: 'r0', value: 1 }, { type: 'ok', value: 1, pod: 'etcd-1' });
    run(1, { f: 'cas', key: 'r0', value: [1, 2] }, { type: 'info', error: 'timeout' });
    run(1, { f: 'read', key: 'r0', value: null }, { type: 'ok', value: 2, pod: 'etcd-2' });
    run(0, { f: 'read', key: 'r0', value: null }, { type: 'fail', error: 'refused' });
    const parsed = parseHistory(formatHistory(events));
    expect(parsed).to.deep.equal(events);
    const ops = pair(parsed);
    expect(ops.map((o) => [o.process, o.type, o.f])).to.deep.equal([
      [0, 'ok', 'write'],
      [1, 'info', 'cas'],
      [3, 'ok', 'read'],
    ]);
    expect(checkRegister(ops).valid).to.equal(true);
  });
});

describe('history client: etcd JSON gateway', function () {
  it('builds range, prefix, put and cas bodies with base64 keys and values', () => {
    expect(rangeBody('run/r0', false)).to.deep.equal({ key: b64('run/r0') });
    expect(rangeBody('run/r0', true)).to.deep.equal({ key: b64('run/r0'), serializable: true });
    expect(prefixBody('run/set/', true)).to.deep.equal({
      key: b64('run/set/'),
      range_end: b64('run/set0'),
      keys_only: true,
      serializable: true,
    });
    expect(putBody('run/r0', 12)).to.deep.equal({ key: b64('run/r0'), value: b64('12') });
    expect(casBody('k', 1, 2)).to.deep.equal({
      compare: [{ key: b64('k'), target: 'VALUE', result: 'EQUAL', value: b64('1') }],
      success: [{ request_put: { key: b64('k'), value: b64('2') } }],
    });
    expect((casBody('k', null, 2) as { compare: object[] }).compare[0]).to.deep.equal({
      key: b64('k'),
      target: 'CREATE',
      result: 'EQUAL',
      create_revision: '0',
    });
  });

  const header = { cluster_id: '1', member_id: '2970271618664537996', revision: '9', raft_term: '2' };
  // etcdctl member list prints 2938864cccec9f8c for this ID.
  const hex = 2970271618664537996n.toString(16);

  it('reads the value and the serving member (hex) from a range answer; no kvs is null', () => {
    expect(parseRange({ header, kvs: [{ key: b64('k'), value: b64('42') }], count: '1' })).to.deep.equal({ value: 42, member: hex });
    expect(parseRange({ header, count: '0' })).to.deep.equal({ value: null, member: hex });
    expect(parseRange({ header, kvs: [{ key: b64('k'), value: b64('x1') }] }).value).to.equal('x1');
    expect(() => parseRange([])).to.throw(/not a JSON object/);
  });

  it('a txn succeeded only when it says so; a put without a header is an error', () => {
    expect(parseWrite({ header, succeeded: true }, true).succeeded).to.equal(true);
    expect(parseWrite({ header }, true).succeeded).to.equal(false);
    expect(parseWrite({ header }, false)).to.deep.equal({ succeeded: true, member: hex });
    expect(() => parseWrite({}, false)).to.throw(/no header/);
  });

  it('lists keys under a prefix, and maps member IDs to names', () => {
    expect(parseKeys({ header, kvs: [{ key: b64('p/set/3') }, { key: b64('p/set/10') }] }, 'p/set/').keys).to.deep.equal(['3', '10']);
    expect(
      parseMembers({
        header,
        members: [
          { ID: '2970271618664537996', name: 'etcd-1' },
          { ID: 'x', name: 'bad' },
        ],
      }),
    ).to.deep.equal({
      [hex]: 'etcd-1',
    });
    expect(decodeValue('007')).to.equal('007');
    expect(decodeValue('70')).to.equal(70);
  });
});

describe('history client: the harness reading its lines', function () {
  it('takes the lines before the end line when the client wrote as many; a gap or no end line is an error', () => {
    expect(completeLines(['# start {}', '{"a":1}', '# done 1 lines=2', '# after'], 'f')).to.deep.equal(['# start {}', '{"a":1}']);
    expect(() => completeLines(['# start {}', '# done 1 lines=2'], 'f')).to.throw(
      /f: the client wrote 2 lines before its end line, 1 were read: the history has a gap/,
    );
    expect(() => completeLines(['# start {}', 'x', 'y', '# done 1 lines=2'], 'f')).to.throw(/wrote 2 lines .* 3 were read/);
    expect(() => completeLines(['# start {}', '{"a":1}'], 'f')).to.throw(/f: no end line \(# done\) among 2 lines/);
    // A client from before `lines=` says nothing to compare with.
    expect(completeLines(['x', '# done 1'], 'f')).to.deep.equal(['x']);
  });

  it('keeps the history lines of the log and names a bad one', () => {
    const ev = invokeEvent(0, { f: 'read', key: 'r0', value: null }, 5);
    expect(historyOf(['# start {}', JSON.stringify(ev), '# ops 1'])).to.deep.equal([ev]);
    expect(() => historyOf(['# start', '{"process":-1}'])).to.throw(/history line 1: process must be a non-negative integer/);
  });

  it('turns a set history into writes and the last read of each member', () => {
    const add = (p: number, v: number, t: number, type: 'ok' | 'fail' | 'info'): HistoryEvent[] => [
      { process: p, type: 'invoke', f: 'add', key: 'set', value: v, time: t, pod: 'etcd-0' },
      { process: p, type, f: 'add', key: 'set', value: v, time: t + 1e6, ...(type === 'info' ? {} : { pod: 'etcd-1' }) },
    ];
    const read = (p: number, pod: string, els: number[], t: number): HistoryEvent[] => [
      { process: p, type: 'invoke', f: 'read', key: 'set', value: null, time: t, pod },
      { process: p, type: 'ok', f: 'read', key: 'set', value: els, time: t + 1, pod },
    ];
    const events = [
      ...add(0, 1, 0, 'ok'),
      ...add(1, 2, 0, 'info'),
      ...add(0, 3, 2e6, 'fail'),
      ...read(2, 'etcd-0', [], 5e6),
      ...read(2, 'etcd-0', [1], 6e6),
    ];
    const r = setRecords(events, (ns) => 100 + ns / 1e6);
    expect(r.writes.map((w) => [w.key, w.outcome, w.pod, w.answeredBy, w.sentMs])).to.deep.equal([
      ['1', 'acked', 'etcd-0', 'etcd-1', 100],
      ['2', 'unknown', 'etcd-0', undefined, 100],
      ['3', 'failed', 'etcd-0', 'etcd-1', 102],
    ]);
    expect(r.readBack).to.deep.equal([{ store: 'etcd', pod: 'etcd-0', keys: ['1'] }]);
  });
});

describe('history client: its configuration (ORDINAL_CLIENT_CONFIG)', function () {
  const good = {
    workload: 'register',
    seed: 3,
    concurrency: 4,
    keys: 2,
    prefix: 'run',
    members: [{ pod: 'etcd-0', url: 'http://etcd-0.etcd.ns.svc.cluster.local:2379' }],
    read: 'serializable',
    opTimeoutMs: 2000,
    stopFile: '/tmp/stop',
  };

  it('takes a complete configuration as it is', () => {
    expect(parseClientConfig(JSON.stringify(good))).to.deep.equal(good);
    const withFile = { ...good, historyFile: '/history/history.jsonl' };
    expect(parseClientConfig(JSON.stringify(withFile))).to.deep.equal(withFile);
  });

  const bad: [string, string | undefined, RegExp][] = [
    ['unset', undefined, /ORDINAL_CLIENT_CONFIG: not set$/],
    ['not JSON', '{', /not JSON/],
    ['an unknown workload', JSON.stringify({ ...good, workload: 'queue' }), /workload must be register or set/],
    ['no members', JSON.stringify({ ...good, members: [] }), /members must be a non-empty list/],
    ['a member URL with a path', JSON.stringify({ ...good, members: [{ pod: 'etcd-0', url: 'http://x:2379/v3' }] }), /members must be/],
    ['zero concurrency', JSON.stringify({ ...good, concurrency: 0 }), /concurrency must be a positive integer/],
    ['a relative stop file', JSON.stringify({ ...good, stopFile: 'stop' }), /stopFile must be an absolute path/],
    [
      'a relative history file',
      JSON.stringify({ ...good, historyFile: 'history.jsonl' }),
      /historyFile must be an absolute path when given/,
    ],
    ['another read mode', JSON.stringify({ ...good, read: 'stale' }), /read must be linearizable or serializable/],
  ];
  for (const [what, text, message] of bad)
    it(`refuses ${what} with one line (a UsageError: exit 2)`, () => {
      expect(() => parseClientConfig(text))
        .to.throw(UsageError, message)
        .with.property('message')
        .that.does.not.include('\n');
    });
});
