// The postgres history client's pure parts: its configuration (one clear line for each bad
// field) and how an error becomes an outcome (fail when nothing can have committed, info
// when a COMMIT's fate is unknown). Its SQL runs against the real postgres sample in
// test/faults/bank.spec.ts.
import { expect } from 'chai';
import pg from 'pg';
import { parseClientConfig } from '../../../lib/cli/client.ts';
import { UsageError } from '../../../lib/errors.ts';
import { commitError, Rejected, resolveHost, Unknown } from '../../../lib/traffic/pg-ops.ts';

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
