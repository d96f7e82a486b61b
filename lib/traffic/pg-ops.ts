// The SQL the postgres history client sends (npm `pg`, one connection per logical client)
// and how each error becomes an outcome. What decides `fail` versus `info` is whether
// PostgreSQL can have committed: before COMMIT is sent, nothing is (an error aborts the
// transaction, a lost connection rolls it back); a COMMIT that fails to serialize is a
// definite `fail`; a COMMIT without an answer, or a commit answered by a crash, is `info`.
import { Resolver } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import pg from 'pg';
import type { Balances } from '../history/events.ts';
import { TIMEOUTS } from '../timeouts.ts';

export interface PgTarget {
  readonly pod: string;
  /** The pod's stable DNS name (`db-1.<service>.<namespace>.svc.<domain>`). */
  readonly host: string;
}

export interface PgLogin {
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  readonly opTimeoutMs: number;
}

/** A failure PostgreSQL answered before anything could commit. `usable`: the connection is out of any transaction and can go on. */
export class Rejected extends Error {
  override name = 'Rejected';
  readonly usable: boolean;
  constructor(message: string, usable = false) {
    super(message);
    this.usable = usable;
  }
}
/** The outcome is unknown: the COMMIT (or an autocommit statement) was sent and no clear answer came back. */
export class Unknown extends Error {
  override name = 'Unknown';
}

/** SQLSTATE classes of a server going away (admin shutdown, crash, connection failure, system error): the statement's fate is unknown. */
const GONE = /^(08|57|58|XX|53)/;

const sqlstate = (err: unknown): string | undefined =>
  err instanceof pg.DatabaseError && typeof err.code === 'string' ? err.code : undefined;

const describe = (err: unknown): string => {
  const code = sqlstate(err);
  const msg = err instanceof Error ? err.message : String(err);
  return code ? `${code} ${msg}` : msg;
};

/** An error on a statement that may commit by itself (an autocommit INSERT, a COMMIT): Rejected or Unknown. */
export function commitError(err: unknown): Rejected | Unknown {
  const code = sqlstate(err);
  // The server answered and is still there: the statement (or the transaction) ended without effect.
  if (code !== undefined && !GONE.test(code)) return new Rejected(describe(err), true);
  return new Unknown(describe(err));
}

/** An error inside a transaction, before COMMIT: Rejected, rolled back on the connection when the server is still there. */
async function abort(c: pg.Client, err: unknown): Promise<Rejected> {
  if (err instanceof Rejected) return err;
  const code = sqlstate(err);
  if (code === undefined || GONE.test(code)) return new Rejected(describe(err));
  try {
    await c.query('ROLLBACK');
    return new Rejected(describe(err), true);
  } catch {
    return new Rejected(describe(err));
  }
}

/** The name's IPv4 address from the cluster's DNS (c-ares: the image has no nsswitch.conf), resolved afresh per connection. */
export async function resolveHost(host: string): Promise<string> {
  if (isIPv4(host)) return host;
  const addrs = await new Resolver({ timeout: TIMEOUTS.clientPgResolve, tries: 1 }).resolve4(host);
  const a = addrs[0];
  if (a === undefined) throw new Error(`${host}: no A record`);
  return a;
}

/** A connected client; throws Rejected when it cannot connect (nothing was sent). */
export async function connect(t: PgTarget, l: PgLogin): Promise<pg.Client> {
  let address: string;
  try {
    address = await resolveHost(t.host);
  } catch (err) {
    throw new Rejected(`resolve ${t.host}: ${describe(err)}`);
  }
  const c = new pg.Client({
    host: address,
    port: l.port,
    user: l.user,
    database: l.database,
    ...(l.password === undefined ? {} : { password: l.password }),
    connectionTimeoutMillis: l.opTimeoutMs,
    query_timeout: l.opTimeoutMs,
    application_name: 'ordinal-history',
  });
  // A connection the server drops between operations emits 'error': the next query fails and reconnects.
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (err) {
    void c.end().catch(() => undefined);
    throw new Rejected(`connect ${t.pod} (${t.host} = ${address}): ${describe(err)}`);
  }
  return c;
}

/**
 * Creates and fills the accounts table (once: a second call finds it) and returns what it
 * holds. One transaction: a replica that has replayed the table has replayed its rows, so
 * a replica read before the setup reached it fails (no such table) instead of reading an
 * empty bank (soak seed 5005: two replicas, behind by a second, read the table created and
 * not yet filled, and STS-BANK-INVARIANT saw total 0).
 */
export async function setupBank(c: pg.Client, accounts: number, balance: number): Promise<Balances> {
  try {
    await c.query('BEGIN');
    await c.query('CREATE TABLE IF NOT EXISTS accounts (id integer PRIMARY KEY, balance integer NOT NULL)');
    await c.query('INSERT INTO accounts SELECT g, $2 FROM generate_series(0, $1 - 1) AS g ON CONFLICT DO NOTHING', [accounts, balance]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return readBalancesIn(c);
}

async function readBalancesIn(c: pg.Client): Promise<Balances> {
  const r = await c.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts ORDER BY id');
  const out: Record<string, number> = {};
  for (const row of r.rows) out[String(row.id)] = row.balance;
  return out;
}

/** All balances in one REPEATABLE READ transaction (one snapshot; a hot standby allows no SERIALIZABLE). Throws Rejected. */
export async function readBalances(c: pg.Client): Promise<Balances> {
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const b = await readBalancesIn(c);
    await c.query('COMMIT');
    return b;
  } catch (err) {
    // A read changes nothing: whatever happened, it observed nothing the history must explain.
    throw await abort(c, err);
  }
}

/**
 * Moves `amount` from account `from` to `to` in one SERIALIZABLE transaction, refusing to
 * overdraw. Throws Rejected (rolled back: a serialization failure, too little money, any
 * error before COMMIT) or Unknown (the COMMIT's fate is not known).
 */
export async function transfer(c: pg.Client, from: number, to: number, amount: number): Promise<void> {
  try {
    await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    const r = await c.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [from]);
    const have = r.rows[0]?.balance;
    if (have === undefined || have < amount) {
      await c.query('ROLLBACK');
      throw new Rejected(`account ${from} holds ${have ?? 'nothing'}, less than ${amount}`, true);
    }
    await c.query('UPDATE accounts SET balance = balance - $2 WHERE id = $1', [from, amount]);
    await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', [to, amount]);
  } catch (err) {
    // Before COMMIT: the server aborts the transaction on any error and rolls it back when the connection goes.
    throw await abort(c, err);
  }
  try {
    await c.query('COMMIT');
  } catch (err) {
    throw commitError(err);
  }
}

/** Creates the set's table (once). */
export async function setupSet(c: pg.Client): Promise<void> {
  await c.query('CREATE TABLE IF NOT EXISTS elements (element integer PRIMARY KEY)');
}

/** Inserts one element, autocommit (acknowledged = committed). Throws Rejected or Unknown. */
export async function insertElement(c: pg.Client, element: number): Promise<void> {
  try {
    await c.query('INSERT INTO elements (element) VALUES ($1)', [element]);
  } catch (err) {
    throw commitError(err);
  }
}

/** Every element, in order. */
export async function readElements(c: pg.Client): Promise<number[]> {
  const r = await c.query<{ element: number }>('SELECT element FROM elements ORDER BY element');
  return r.rows.map((row) => row.element);
}

/** The primary's current WAL position (text, e.g. `0/3000148`). */
export async function primaryLsn(c: pg.Client): Promise<string> {
  const r = await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return r.rows[0]?.lsn ?? '0/0';
}

/** Whether this server has replayed up to `lsn` (a primary: always). */
export async function caughtUp(c: pg.Client, lsn: string): Promise<boolean> {
  const r = await c.query<{ caught: boolean | null }>(
    'SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() >= $1::pg_lsn ELSE true END AS caught',
    [lsn],
  );
  return r.rows[0]?.caught === true;
}
