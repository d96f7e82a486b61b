// The bank checker, Jepsen's bank test in TypeScript: a fixed set of accounts whose total
// never changes, because money only moves between them in transactions. Every read of all
// balances must therefore see every account, the setup's total and no negative balance. A
// read that saw half of a transfer (not one snapshot), a transfer applied twice or lost,
// or money added outside a transaction all show as a wrong total; a read served by a pod
// whose copy lacks or invents an account shows as a missing or unexpected account.
//
// The history's conventions (lib/traffic/pg-bank.ts writes them): the setup is one `ok`
// write of the initial balances on key BANK_KEY; transfers are `transfer` [from, to,
// amount]; reads return the balances ({account: balance}) and name the pod that served them.
import { isBalances } from '../history/jsonl.ts';
import { HistoryFormatError } from '../history/jsonl.ts';
import { pair } from '../history/pair.ts';
import type { Balances, HistoryEvent, Operation } from '../history/events.ts';

/** The key every bank operation names: the accounts table. */
export const BANK_KEY = 'accounts';

export type BankAnomalyKind = 'wrong-total' | 'negative-balance' | 'missing-account' | 'unexpected-account';

/** One read that breaks the invariant, and how. */
export interface BankAnomaly {
  readonly kind: BankAnomalyKind;
  readonly read: BankRead;
  /** What is wrong, in words: the totals, or the accounts. */
  readonly detail: string;
}

export interface BankRead {
  readonly pod: string;
  readonly process: number;
  readonly balances: Balances;
  readonly total: number;
  /** Invocation and completion times (history ns). */
  readonly call: number;
  readonly ret: number;
  /** Lines in history.jsonl of the invocation and completion. */
  readonly lines: readonly [number, number];
}

export interface BankResult {
  readonly valid: boolean;
  readonly accounts: number;
  readonly total: number;
  readonly reads: number;
  /** Reads per pod that served them. */
  readonly readsByPod: Readonly<Record<string, number>>;
  readonly transfers: { readonly ok: number; readonly failed: number; readonly unknown: number };
  /** In history order; one read may have several (a wrong total and a negative balance). */
  readonly anomalies: readonly BankAnomaly[];
  /** The last read with the expected total before the first anomaly, when there is one: what the bad read disagrees with. */
  readonly lastGood?: BankRead;
}

const sum = (b: Balances): number => Object.values(b).reduce((a, x) => a + x, 0);

/** The anomalies of one read against the setup. */
export function readAnomalies(read: BankRead, setup: Balances, total: number): BankAnomaly[] {
  const out: BankAnomaly[] = [];
  const expected = Object.keys(setup);
  const seen = Object.keys(read.balances);
  const missing = expected.filter((a) => !(a in read.balances));
  const unexpected = seen.filter((a) => !(a in setup));
  if (missing.length > 0) out.push({ kind: 'missing-account', read, detail: `accounts ${missing.join(', ')} missing` });
  if (unexpected.length > 0) out.push({ kind: 'unexpected-account', read, detail: `accounts ${unexpected.join(', ')} never set up` });
  if (read.total !== total)
    out.push({
      kind: 'wrong-total',
      read,
      detail: `total ${read.total}, expected ${total} (${read.total > total ? '+' : ''}${read.total - total})`,
    });
  const negative = seen.filter((a) => (read.balances[a] ?? 0) < 0);
  if (negative.length > 0)
    out.push({ kind: 'negative-balance', read, detail: negative.map((a) => `account ${a} at ${read.balances[a]}`).join(', ') });
  return out;
}

function bankRead(o: Operation): BankRead {
  const balances = o.value as Balances;
  return { pod: o.pod ?? '?', process: o.process, balances, total: sum(balances), call: o.call, ret: o.ret, lines: o.lines };
}

/**
 * Judges a bank history. Throws HistoryFormatError (naming the line) when the events do
 * not pair, have no setup, or hold an operation a bank history does not have.
 */
export function checkBank(events: readonly HistoryEvent[]): BankResult {
  const ops = pair(events);
  const failed = countFailed(events);
  let setup: Balances | undefined;
  const reads: BankRead[] = [];
  const transfers = { ok: 0, failed, unknown: 0 };
  for (const o of ops) {
    const at = `history line ${o.lines[0]}`;
    if (o.key !== BANK_KEY) throw new HistoryFormatError(`${at}: a bank history names key "${BANK_KEY}", got "${o.key}"`);
    if (o.f === 'write') {
      if (setup !== undefined) throw new HistoryFormatError(`${at}: a second setup write (a bank history has one)`);
      if (o.type !== 'ok' || !isBalances(o.value))
        throw new HistoryFormatError(`${at}: the setup must be an acknowledged write of the initial balances`);
      setup = o.value;
    } else if (o.f === 'transfer') {
      if (o.type === 'ok') transfers.ok++;
      else transfers.unknown++;
    } else if (o.f === 'read') {
      if (o.type !== 'ok') continue;
      if (!isBalances(o.value))
        throw new HistoryFormatError(`history line ${o.lines[1]}: a bank read returns balances ({account: balance})`);
      reads.push(bankRead(o));
    } else throw new HistoryFormatError(`${at}: a bank history has write (setup), transfer and read, got ${o.f}`);
  }
  if (setup === undefined) throw new HistoryFormatError(`no setup write on key "${BANK_KEY}": the initial balances are unknown`);
  const total = sum(setup);
  const anomalies: BankAnomaly[] = [];
  let lastGood: BankRead | undefined;
  // In completion order: "the last good read before the first bad one" is then a real-time statement.
  const byRet = [...reads].sort((a, b) => a.ret - b.ret);
  for (const r of byRet) {
    const found = readAnomalies(r, setup, total);
    if (found.length === 0 && anomalies.length === 0) lastGood = r;
    anomalies.push(...found);
  }
  const readsByPod: Record<string, number> = {};
  for (const r of reads) readsByPod[r.pod] = (readsByPod[r.pod] ?? 0) + 1;
  return {
    valid: anomalies.length === 0,
    accounts: Object.keys(setup).length,
    total,
    reads: reads.length,
    readsByPod,
    transfers,
    anomalies,
    ...(anomalies.length > 0 && lastGood ? { lastGood } : {}),
  };
}

/** Transfers that ended `fail` (pair() leaves them out): refused, or a serialization failure retried as a new one. */
function countFailed(events: readonly HistoryEvent[]): number {
  return events.filter((e) => e.type === 'fail' && e.f === 'transfer').length;
}

/** Balances as `0:100 1:93 …`, in account order. */
export function formatBalances(b: Balances): string {
  return Object.keys(b)
    .sort((x, y) => Number(x) - Number(y))
    .map((a) => `${a}:${b[a]}`)
    .join(' ');
}
