// STS-BANK-INVARIANT on the real postgres sample with --traffic bank (the history client's
// transfers in SERIALIZABLE transactions on db-0, all balances read on db-0, db-1, db-2 by
// their stable DNS names). The control: the primary is deleted in the round, and every
// read still sees the setup's total. The fault: money added outside any transaction with
// psql inside db-0 mid-run (`UPDATE accounts SET balance = balance + 7 WHERE id = 1`): the
// drift replicates, and the check fails with +7, naming the pods that served the reads
// and the last read that still had the right total.
import { expect } from 'chai';
import { pair } from '../../lib/history/pair.ts';
import type { HistoryEvent } from '../../lib/history/events.ts';
import { CLIENT_TEST_IMAGE, at, expectCheck, expectExit, faultRun, hooks, importClientImage, seedKilling, shIn } from './support.ts';
import type { FaultRun } from './support.ts';
import type { HookContext } from '../../lib/run/execute.ts';

const DRIFT = 'UPDATE accounts SET balance = balance + 7 WHERE id = 1';
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the client has set up its accounts on db-0: under load its start can take
 * longer than the run's first seconds, and a drift planted before the table exists fails
 * the run instead of the check.
 */
async function untilAccounts(ctx: HookContext, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let seen = '';
  while (Date.now() < until) {
    seen = (
      await shIn(ctx, 'db-0', `psql -h /tmp -U postgres -XAtq -c "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"`)
    ).trim();
    if (seen === '1') return;
    await pause(1000);
  }
  throw new Error(`db-0: no accounts table from the bank client within ${ms / 1000} s (tables named accounts: ${seen || 'none read'})`);
}

const argv = (seed: number): string[] => [
  ...['--workload', 'postgres', '--replicas', '3', '--rounds', '1', '--seed', String(seed)],
  ...['--traffic', 'bank', '--client-image', CLIENT_TEST_IMAGE, '--timeout', '120'],
];

function historyOf(run: FaultRun): HistoryEvent[] {
  const h = run.input?.traffic?.history;
  if (!h)
    throw new Error(`no history: ${run.input?.traffic?.error ?? run.input?.traffic?.skip ?? 'none'}\n${run.log.slice(-15).join('\n')}`);
  return h;
}

/** Committed transfers and completed reads per second of the history, and which pods served reads. */
function figures(run: FaultRun): string {
  const ops = pair(historyOf(run));
  const t = ops.map((o) => o.call);
  const secs = (Math.max(...t) - Math.min(...t)) / 1e9;
  const transfers = ops.filter((o) => o.f === 'transfer' && o.type === 'ok').length;
  const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok').length;
  const failed = historyOf(run).filter((e) => e.type === 'fail' && e.f === 'transfer').length;
  return `${transfers} transfers committed (${(transfers / secs).toFixed(1)}/s, ${failed} failed), ${reads} reads (${(reads / secs).toFixed(1)}/s) in ${secs.toFixed(1)} s`;
}

const readPods = (run: FaultRun): string[] =>
  [
    ...new Set(
      pair(historyOf(run))
        .filter((o) => o.f === 'read' && o.type === 'ok')
        .map((o) => o.pod),
    ),
  ].sort() as string[];

faultRun(
  'control: postgres with --traffic bank while the primary db-0 is deleted',
  {
    argv: () => argv(seedKilling('db', ['db-0'], 'delete')),
    timeoutMs: 600_000,
    setup: importClientImage,
    hook: hooks(
      at('before-kills', () => pause(5000), 1),
      at('after-round', () => pause(5000), 1),
    ),
    summary: figures,
  },
  (t) => {
    it('STS-BANK-INVARIANT passes: every read on every pod saw the total', () => {
      expectCheck(t.run, 'STS-BANK-INVARIANT', 'passed', 'history history.jsonl');
    });

    it('reads were served by db-0, db-1 and db-2, transfers committed, and db-0 was deleted in the round', () => {
      expect(readPods(t.run)).to.deep.equal(['db-0', 'db-1', 'db-2']);
      expect(pair(historyOf(t.run)).filter((o) => o.f === 'transfer' && o.type === 'ok').length).to.be.greaterThan(0);
      expect(t.run.result.rounds.flatMap((r) => r.plan.kills.map((k) => `${k.pod}:${k.action}`))).to.deep.equal(['db-0:delete']);
    });

    it('STS-WRITES-DURABLE is skipped, naming the bank traffic', () => {
      const c = t.run.result.checks.find((x) => x.id === 'STS-WRITES-DURABLE');
      expect(`${c?.status}: ${c?.message}`).to.match(/^skipped: .*bank traffic/);
    });
  },
);

let plantedAt = 0;
faultRun(
  'fault: postgres with --traffic bank, 7 added to account 1 outside any transaction in db-0',
  {
    argv: () => argv(seedKilling('db', ['db-2'], 'delete')),
    timeoutMs: 600_000,
    setup: importClientImage,
    hook: hooks(
      at(
        'before-kills',
        async (ctx) => {
          await untilAccounts(ctx, 60_000);
          await pause(4000);
          plantedAt = ctx.recorder.now();
          await shIn(ctx, 'db-0', `psql -h /tmp -U postgres -XAtq -c "${DRIFT}"`);
        },
        1,
      ),
      at('after-round', () => pause(3000), 1),
    ),
    summary: (run) => `${figures(run)}; drift planted at t+${(plantedAt / 1000).toFixed(1)} s`,
  },
  (t) => {
    it('STS-BANK-INVARIANT fails with +7, naming the pods that served the drifted reads and their balances', () => {
      const c = expectCheck(t.run, 'STS-BANK-INVARIANT', 'failed', 'pod db-0');
      expect(c.message).to.match(
        /^\d+ of \d+ reads break the bank invariant \(wrong-total\): first pod db-\d read (\d+:\d+ ){7}\d+:\d+: total 807, expected 800 \(\+7\)/,
      );
      // The drift replicates: the replicas serve it too.
      const named = c.evidence.filter((e) => e.note?.startsWith('wrong-total')).map((e) => e.subject);
      expect(named).to.include.members(['pod db-0', 'pod db-1']);
      for (const e of c.evidence.filter((x) => x.note?.startsWith('wrong-total'))) expect(e.observed).to.match(/\(total 807\)/);
    });

    it('the evidence shows the last read with the right total before the first bad one, read before the drift was planted', () => {
      const c = t.run.result.checks.find((x) => x.id === 'STS-BANK-INVARIANT');
      const good = c?.evidence.find((e) => e.note === 'the last read with the expected total before the first bad one');
      expect(good?.observed).to.match(/\(total 800\)/);
      // The history's clock is tied to the run's within about a second (the traffic-start mark).
      expect(good?.at ?? Number.POSITIVE_INFINITY).to.be.below(plantedAt + 2000);
    });

    it('exits 1', () => {
      expectExit(t.run, 1);
    });
  },
);
