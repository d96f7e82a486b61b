// STS-BANK-INVARIANT: the bank history the run's client recorded (--traffic bank, the
// postgres sample) keeps its invariant: money only moves between accounts in SERIALIZABLE
// transactions, so every read of all balances, on the primary or on any replica, sees
// every account, the setup's total and no negative balance. Recovery and durability do not
// show this: a replica can replay a torn transaction, or a write applied outside a
// transaction can add money, and every row still be there. The verdict is the bank
// checker's (lib/checkers/bank.ts).
import { type BankAnomaly, type BankRead, type BankResult, checkBank, formatBalances } from '../checkers/bank.ts';
import { HistoryFormatError } from '../history/jsonl.ts';
import type { HistoryRecord } from '../history/record.ts';
import type { Evidence } from '../model.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import { errored, failed, passed, skipped } from './support.ts';

export const bankInvariant: CheckDefinition = {
  id: 'STS-BANK-INVARIANT',
  guarantee: 'every read of all balances sees the same total, every account and no negative balance (bank traffic)',
  run: judgeBank,
};

/** Pods and kinds of anomaly shown as evidence at most; the message counts every bad read. */
const SHOWN = 10;

function judgeBank(input: CheckInput): CheckOutcome {
  const h = input.history;
  if (h === undefined) {
    const why = input.traffic?.skip ?? (input.traffic?.driver ? `the traffic was ${input.traffic.driver}` : 'no traffic ran');
    return skipped(`no bank traffic in this run (no history.jsonl recorded: ${why}); --traffic bank records one for the postgres sample`);
  }
  if (h.workload !== 'bank') return skipped(`no bank traffic in this run: its history.jsonl is a ${h.workload} history`);
  return judgeBankHistory(h);
}

/** The verdict on one bank history record (also what `ordinal check-history` would print). */
export function judgeBankHistory(h: HistoryRecord): CheckOutcome {
  const about = (observed: string): Evidence[] => [{ subject: `history ${h.file}`, observed }];
  if (h.error !== undefined) return errored(`the bank history could not be read: ${h.error}`, about(h.error));
  if (h.events === undefined) return errored(`the bank history ${h.file} is missing`, about('no events recorded'));
  let r: BankResult;
  try {
    r = checkBank(h.events);
  } catch (err) {
    if (!(err instanceof HistoryFormatError)) throw err;
    return errored(`the bank history ${h.file} is unreadable: ${err.message}`, about(err.message));
  }
  const pods = Object.entries(r.readsByPod)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([p, n]) => `${p} (${n})`)
    .join(', ');
  const figures = `${r.accounts} accounts, total ${r.total}; ${r.reads} reads: ${pods || 'none'}; transfers ${r.transfers.ok} committed, ${r.transfers.failed} failed, ${r.transfers.unknown} of unknown outcome`;
  const c = h.clock;
  const at = (ns: number): { at?: number } => (c ? { at: c.runMs + (ns - c.ns) / 1e6 } : {});
  if (!r.valid) {
    const first = r.anomalies[0]!;
    const bad = new Set(r.anomalies.map((a) => a.read));
    const byPod = new Map<string, number>();
    for (const read of bad) byPod.set(read.pod, (byPod.get(read.pod) ?? 0) + 1);
    const kinds = [...new Set(r.anomalies.map((a) => a.kind))].join(', ');
    const message = `${bad.size} of ${r.reads} reads break the bank invariant (${kinds}): first pod ${first.read.pod} read ${formatBalances(first.read.balances)}: ${first.detail}; bad reads by pod: ${[
      ...byPod,
    ]
      .map(([p, n]) => `${p} (${n})`)
      .join(', ')}`;
    // The first bad read of each pod and kind, with how many more like it: every pod that served one is named.
    const groups = new Map<string, { first: BankAnomaly; count: number }>();
    for (const a of r.anomalies) {
      const g = groups.get(`${a.read.pod} ${a.kind}`);
      if (g) g.count++;
      else groups.set(`${a.read.pod} ${a.kind}`, { first: a, count: 1 });
    }
    const evidence: Evidence[] = [...groups.values()].slice(0, SHOWN).map((g) => anomalyEvidence(g.first, g.count, r.total, at));
    if (r.lastGood)
      evidence.push({
        subject: `pod ${r.lastGood.pod}`,
        observed: `read ${formatBalances(r.lastGood.balances)} (total ${r.lastGood.total}) ${describeRead(r.lastGood)}`,
        ...at(r.lastGood.call),
        note: 'the last read with the expected total before the first bad one',
      });
    if (groups.size > SHOWN)
      evidence.push({ subject: `history ${h.file}`, observed: `${groups.size - SHOWN} more pods and kinds of anomaly`, note: figures });
    return failed(message, evidence);
  }
  if (r.reads === 0) return errored(`no read of the balances completed in ${h.file}: nothing to judge`, about(figures));
  if (r.transfers.ok === 0) return errored(`no transfer committed in ${h.file}: the reads judge nothing but the setup`, about(figures));
  return passed(`all ${r.reads} reads saw total ${r.total} over ${r.accounts} accounts, none negative (${pods})`, about(figures));
}

function describeRead(r: BankRead): string {
  return `by process ${r.process} (history lines ${r.lines[0]}–${r.lines[1]})`;
}

function anomalyEvidence(a: BankAnomaly, count: number, total: number, at: (ns: number) => { at?: number }): Evidence {
  return {
    subject: `pod ${a.read.pod}`,
    expected: `every account of the setup, total ${total}, no negative balance`,
    observed: `read ${formatBalances(a.read.balances)} (total ${a.read.total}) ${describeRead(a.read)}`,
    ...at(a.read.call),
    note: `${a.kind}: ${a.detail}${count > 1 ? `; the first of ${count} such reads on this pod` : ''}`,
  };
}
