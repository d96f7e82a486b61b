// The postgres history client's pure parts: its configuration (one clear line for each bad
// field) and how an error becomes an outcome (fail when nothing can have committed, info
// when a COMMIT's fate is unknown). Its SQL runs against the real postgres sample in
// test/faults/bank.spec.ts.
import { expect } from 'chai';
import pg from 'pg';
import { parseClientConfig } from '../../../lib/cli/client.ts';
import { UsageError } from '../../../lib/errors.ts';
import { commitError, Rejected, resolveHost, Unknown } from '../../../lib/traffic/pg-ops.ts';
import { pgClientConfig } from '../../../lib/traffic/pg-session.ts';
import { setRecords } from '../../../lib/traffic/history-session.ts';
import { trafficSkip } from '../../../lib/traffic/session.ts';
import { buildWorkload } from '../../../lib/workloads/index.ts';
import { DEFAULT_STS_OPTIONS } from '../../../lib/workloads/sts-options.ts';

const dbError = (code: string, message: string): Error => {
  const e = new pg.DatabaseError(message, message.length, 'error');
  e.code = code;
  return e;
};

describe('postgres history client', () => {
  const good = {
    store: 'postgres',
    workload: 'bank',
    seed: 7,
    concurrency: 6,
    accounts: 8,
    balance: 100,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    opTimeoutMs: 2000,
    members: [
      { pod: 'db-0', host: 'db-0.db.ns.svc.cluster.local' },
      { pod: 'db-1', host: 'db-1.db.ns.svc.cluster.local' },
    ],
    stopFile: '/tmp/stop',
  };

  it('parses its configuration, the primary first', () => {
    expect(parseClientConfig(JSON.stringify(good))).to.deep.equal(good);
    expect(parseClientConfig(JSON.stringify({ ...good, workload: 'set', password: 'x' }))).to.include({ workload: 'set', password: 'x' });
  });

  const bad: [string, object, RegExp][] = [
    ['a register workload', { ...good, workload: 'register' }, /workload must be bank or set for store postgres/],
    ['one account', { ...good, accounts: 1 }, /accounts must be at least 2/],
    ['no port', { ...good, port: 0 }, /port must be a positive integer/],
    ['an empty user', { ...good, user: '' }, /user must be a non-empty string/],
    [
      'a host that is a URL',
      { ...good, members: [{ pod: 'db-0', host: 'postgres://db-0' }] },
      /members must be a non-empty list of \{pod, host/,
    ],
    ['no members', { ...good, members: [] }, /members must be/],
    ['a relative stop file', { ...good, stopFile: 'stop' }, /stopFile must be an absolute path/],
    ['a history file that is not a path', { ...good, historyFile: 3 }, /historyFile must be an absolute path when given/],
  ];
  for (const [what, config, message] of bad)
    it(`refuses ${what} in one line`, () => {
      expect(() => parseClientConfig(JSON.stringify(config)))
        .to.throw(UsageError, message)
        .with.property('message')
        .that.does.not.include('\n');
    });

  it('a COMMIT or autocommit statement the server refused is fail; one it lost or crashed on is info', () => {
    const serial = commitError(dbError('40001', 'could not serialize access due to concurrent update'));
    expect(serial).to.be.instanceOf(Rejected);
    expect((serial as Rejected).usable).to.equal(true);
    expect(serial.message).to.equal('40001 could not serialize access due to concurrent update');
    expect(commitError(dbError('23505', 'duplicate key'))).to.be.instanceOf(Rejected);
    expect(commitError(dbError('57P01', 'terminating connection due to administrator command'))).to.be.instanceOf(Unknown);
    expect(commitError(dbError('08006', 'connection failure'))).to.be.instanceOf(Unknown);
    expect(commitError(dbError('XX000', 'internal error'))).to.be.instanceOf(Unknown);
    expect(commitError(new Error('Connection terminated unexpectedly'))).to.be.instanceOf(Unknown);
    expect(commitError(new Error('Query read timeout'))).to.be.instanceOf(Unknown);
  });

  it('takes an IPv4 address as it is, without asking DNS', async () => {
    expect(await resolveHost('10.1.2.3')).to.equal('10.1.2.3');
  });
});

describe('postgres history client: the harness side', () => {
  const opts = { namespace: 'ns', runId: 'r', replicas: 3, image: 'postgres', claimSize: '1Mi' };

  it('configures the client with the primary first and every pod by its stable DNS name', () => {
    const c = pgClientConfig(buildWorkload('postgres', opts), { workload: 'bank', seed: 3 }, '/tmp/stop');
    expect(c.members).to.deep.equal(['db-0', 'db-1', 'db-2'].map((pod) => ({ pod, host: `${pod}.db.ns.svc.cluster.local` })));
    expect(c).to.include({ store: 'postgres', workload: 'bank', seed: 3, port: 5432, user: 'postgres', database: 'postgres' });
    // What the pod receives is what `ordinal client` accepts.
    expect(parseClientConfig(JSON.stringify(c))).to.deep.equal(c);
  });

  it('keeps the primary first when the ordinals start elsewhere', () => {
    const w = buildWorkload('postgres', { ...opts, sts: { ...DEFAULT_STS_OPTIONS, startOrdinal: 4 } });
    expect(pgClientConfig(w, { workload: 'set', seed: 1 }, '/tmp/stop').members.map((m) => m.pod)).to.deep.equal(['db-4', 'db-5', 'db-6']);
  });

  it('refuses a workload that is not the postgres sample', () => {
    expect(() => pgClientConfig(buildWorkload('web', opts), { workload: 'bank', seed: 1 }, '/tmp/stop')).to.throw(
      /needs the postgres sample/,
    );
  });

  it('bank and set traffic need no write driver; --traffic on for postgres has none', () => {
    const w = buildWorkload('postgres', opts);
    expect(trafficSkip({ traffic: 'bank', seed: 1, image: 'x' }, w, undefined)).to.equal(undefined);
    expect(trafficSkip({ traffic: 'set', seed: 1, image: 'x' }, w, undefined)).to.equal(undefined);
    expect(trafficSkip({ traffic: 'on', seed: 1, image: 'x' }, w, undefined)).to.equal('no traffic driver for workload postgres');
    expect(trafficSkip({ traffic: 'bank', seed: 1, image: 'x' }, w, 'a target run')).to.equal('a target run');
  });

  it('a postgres set history becomes writes and read-backs of the postgres store', () => {
    const events = [
      { process: 0, type: 'invoke', f: 'add', key: 'set', value: 1, time: 0, pod: 'db-0' },
      { process: 0, type: 'ok', f: 'add', key: 'set', value: 1, time: 5, pod: 'db-0' },
      { process: 0, type: 'invoke', f: 'read', key: 'set', value: null, time: 10, pod: 'db-1' },
      { process: 0, type: 'ok', f: 'read', key: 'set', value: [1], time: 12, pod: 'db-1' },
    ] as const;
    const r = setRecords(events, (ns) => ns, 'postgres');
    expect(r.writes.map((w) => [w.store, w.key, w.outcome])).to.deep.equal([['postgres', '1', 'acked']]);
    expect(r.readBack).to.deep.equal([{ store: 'postgres', pod: 'db-1', keys: ['1'] }]);
  });
});
