// The postgres history client, inside its pod (`ordinal client`, store postgres): logical
// clients each holding one connection (npm `pg`) to one pod by its stable DNS name, one
// operation at a time, every invocation and completion printed as a history.jsonl line.
//   bank: writers on the primary move money between accounts in SERIALIZABLE transactions;
//         one reader per pod (primary and every replica) reads all balances in one snapshot.
//   set:  writers insert unique rows on the primary (autocommit: acknowledged = committed);
//         at the end every pod, once it has replayed the primary's WAL, reads them all.
// It stops like the etcd client (lib/traffic/history-client.ts): stop file or SIGTERM.
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { BANK_KEY } from '../checkers/bank.ts';
import type { Value } from '../history/events.ts';
import { createPrng, type Prng } from '../prng.ts';
import { TIMEOUTS } from '../timeouts.ts';
import * as sql from './pg-ops.ts';
import { type Outcome, type PlannedOp, Processes, SET_KEY, completionEvent, invokeEvent } from './workload-ops.ts';
import { HistoryLines } from './history-lines.ts';

export interface PgClientConfig extends sql.PgLogin {
  readonly store: 'postgres';
  readonly workload: 'bank' | 'set';
  readonly seed: number;
  /** Writers on the primary (transfers or inserts). */
  readonly concurrency: number;
  /** Bank: how many accounts, and each one's balance at setup. */
  readonly accounts: number;
  readonly balance: number;
  /** The primary first, then every replica. */
  readonly members: readonly sql.PgTarget[];
  readonly stopFile: string;
  /** Where the history lines go (absolute path); stdout when absent. */
  readonly historyFile?: string;
}

/** Rounds of final set reads at most, while the pods disagree. */
const FINAL_READS = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Step {
  readonly out: Outcome;
  /** The connection is out of any transaction and can run the next operation. */
  readonly usable: boolean;
}

function outcomeOf(err: unknown): Outcome {
  const error = err instanceof Error ? err.message : String(err);
  return err instanceof sql.Unknown ? { type: 'info', error } : { type: 'fail', error };
}

class PgClient {
  private stopping = false;
  private readonly procs: Processes;
  private readonly prng: Prng;
  private next = 1;
  private setupDone = false;
  private readonly errors = new Map<string, number>();
  ops = 0;
  private readonly c: PgClientConfig;
  private readonly out: HistoryLines;
  constructor(c: PgClientConfig, write: (text: string) => void) {
    this.c = c;
    this.out = new HistoryLines(write);
    this.prng = createPrng(c.seed);
    // Writers 0..concurrency-1, then one bank reader per member.
    this.procs = new Processes(c.concurrency + (c.workload === 'bank' ? c.members.length : 0));
  }

  /** Runs `op` as one history operation of logical client `client` against `m`; says whether its connection can go on. */
  private async operation(client: number, op: PlannedOp, m: sql.PgTarget, run: () => Promise<Value>): Promise<Step> {
    const process = this.procs.process(client);
    this.out.event(invokeEvent(process, op, this.out.now(), m.pod));
    let out: Outcome;
    let usable = true;
    try {
      out = { type: 'ok', value: await run(), pod: m.pod };
    } catch (err) {
      out = outcomeOf(err);
      usable = err instanceof sql.Rejected && err.usable;
      this.countError(out.type === 'ok' ? '' : out.error);
    }
    this.out.event(completionEvent(process, op, out, this.out.now()));
    this.procs.completed(client, out.type);
    this.ops++;
    return { out, usable };
  }

  /** Errors by kind (SQLSTATE or the message's start), printed with the progress lines: why operations failed, in a bounded log. */
  private countError(error: string): void {
    const kind = error.slice(0, 60);
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  /** A logical client's loop: a connection to `m`, reopened after an error that may have broken it, running `step` until stopped. */
  private async loop(m: sql.PgTarget, step: (c: pg.Client) => Promise<Step>): Promise<void> {
    let conn: pg.Client | undefined;
    while (!this.stopping) {
      let s: Step;
      try {
        conn ??= await sql.connect(m, this.c);
        s = await step(conn);
      } catch (err) {
        this.countError(err instanceof Error ? err.message : String(err));
        s = { out: outcomeOf(err), usable: false };
      }
      if (s.out.type === 'ok') continue;
      if (s.usable) {
        // The server answered (a serialization failure, an overdraft): a few ms apart, the writers that collided retry apart.
        await sleep(this.prng.int(TIMEOUTS.clientPgConflictJitter));
        continue;
      }
      void conn?.end().catch(() => undefined);
      conn = undefined;
      // A pause, so that a pod that is down is not spun on.
      await sleep(TIMEOUTS.clientBackoff);
    }
    await conn?.end().catch(() => undefined);
  }

  private readonly primary = (): sql.PgTarget => this.c.members[0]!;

  /** The bank's setup on the primary, recorded as one write of the initial balances; retried until it succeeds or the client stops. */
  private async setup(): Promise<void> {
    while (!this.stopping && !this.setupDone) {
      let conn: pg.Client | undefined;
      try {
        conn = await sql.connect(this.primary(), this.c);
        if (this.c.workload === 'set') await sql.setupSet(conn);
        else {
          // Client 0 records it under its first process id: the write's value is known only once the table is read back.
          const t = this.out.now();
          const balances = await sql.setupBank(conn, this.c.accounts, this.c.balance);
          const base = { process: this.procs.process(0), f: 'write', key: BANK_KEY, value: balances, pod: this.primary().pod } as const;
          this.out.event({ ...base, type: 'invoke', time: t });
          this.out.event({ ...base, type: 'ok', time: this.out.now() });
        }
        this.setupDone = true;
      } catch (err) {
        this.out.emit(`# setup on ${this.primary().pod} failed: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(TIMEOUTS.clientFinalReadPause);
      } finally {
        await conn?.end().catch(() => undefined);
      }
    }
  }

  private transferOp(): PlannedOp {
    const from = this.prng.int(this.c.accounts);
    const to = (from + 1 + this.prng.int(this.c.accounts - 1)) % this.c.accounts;
    return { f: 'transfer', key: BANK_KEY, value: [from, to, 1 + this.prng.int(5)] };
  }

  private writer(client: number): Promise<void> {
    const m = this.primary();
    return this.loop(m, async (conn) => {
      if (this.c.workload === 'set') {
        const element = this.next++;
        return this.operation(client, { f: 'add', key: SET_KEY, value: element }, m, async () => {
          await sql.insertElement(conn, element);
          return element;
        });
      }
      const op = this.transferOp();
      const [from, to, amount] = op.value as readonly [number, number, number];
      return this.operation(client, op, m, async () => {
        await sql.transfer(conn, from, to, amount);
        return op.value;
      });
    });
  }

  private reader(client: number, m: sql.PgTarget): Promise<void> {
    return this.loop(m, async (conn) => {
      // Reads are cheap: unpaced, a reader per pod takes the CPU the transfers need and fills the history.
      await sleep(TIMEOUTS.clientPgReadPause);
      return this.operation(client, { f: 'read', key: BANK_KEY, value: null }, m, () => sql.readBalances(conn));
    });
  }

  /** Set: every pod's elements once it has replayed the primary's WAL, read again while they disagree. */
  private async finalReads(): Promise<void> {
    for (let attempt = 1; attempt <= FINAL_READS; attempt++) {
      const seen: string[] = [];
      let lsn = '0/0';
      try {
        const p = await sql.connect(this.primary(), this.c);
        lsn = await sql.primaryLsn(p).finally(() => p.end().catch(() => undefined));
      } catch (err) {
        this.out.emit(`# the primary's WAL position could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const m of this.c.members) {
        let conn: pg.Client | undefined;
        const out = await this.operation(0, { f: 'read', key: SET_KEY, value: null }, m, async () => {
          conn = await sql.connect(m, this.c);
          const deadline = Date.now() + TIMEOUTS.clientPgCatchUp;
          while (!(await sql.caughtUp(conn, lsn)) && Date.now() < deadline) await sleep(TIMEOUTS.clientPgCatchUpPoll);
          return sql.readElements(conn);
        });
        void (conn as pg.Client | undefined)?.end().catch(() => undefined);
        seen.push(out.out.type === 'ok' ? JSON.stringify(out.out.value) : '');
      }
      if (seen.every((s) => s !== '' && s === seen[0])) return;
      await sleep(TIMEOUTS.clientFinalReadPause);
    }
  }

  async run(): Promise<void> {
    const c = this.c;
    this.out.emit(
      `# start ${JSON.stringify({ store: 'postgres', workload: c.workload, concurrency: c.concurrency, members: c.members.map((m) => m.pod) })}`,
    );
    const stop = (): void => {
      this.stopping = true;
    };
    process.once('SIGTERM', stop);
    const poll = setInterval(() => {
      if (existsSync(c.stopFile)) stop();
    }, TIMEOUTS.clientStopPoll);
    const progress = setInterval(() => {
      this.out.emit(`# ops ${this.ops}${this.errors.size > 0 ? ` errors ${JSON.stringify(Object.fromEntries(this.errors))}` : ''}`);
      this.errors.clear();
    }, TIMEOUTS.clientProgressEvery);
    await this.setup();
    const loops = Array.from({ length: c.concurrency }, (_, i) => this.writer(i));
    if (c.workload === 'bank') for (const [i, m] of c.members.entries()) loops.push(this.reader(c.concurrency + i, m));
    await Promise.all(loops);
    clearInterval(poll);
    clearInterval(progress);
    if (c.workload === 'set' && this.setupDone) await this.finalReads();
    this.out.done(this.ops);
  }
}

/** Runs the client until stopped; history lines go to `write`. */
export async function runPgClient(c: PgClientConfig, write: (text: string) => void): Promise<number> {
  const client = new PgClient(c, write);
  await client.run();
  return client.ops;
}
