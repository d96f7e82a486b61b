// STS-WRITES-DURABLE on the real postgres sample with --traffic set (the history client's
// unique rows inserted on db-0, read back at the end from db-0, db-1 and db-2 once each
// has replayed the primary's WAL). After the round, committed rows are deleted with psql
// inside db-0, behind the client's back: the deletion replicates, and the check fails
// naming exactly the deleted rows that had been acknowledged, and the pod that took them.
import { expect } from 'chai';
import type { HistoryEvent } from '../../lib/history/events.ts';
import { CLIENT_TEST_IMAGE, at, expectCheck, expectExit, faultRun, importClientImage, seedKilling, shIn } from './support.ts';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let deleted: number[] = [];
let history: HistoryEvent[] = [];

faultRun(
  'fault: postgres with --traffic set, committed rows deleted in db-0 behind the client',
  {
    argv: () => [
      ...['--workload', 'postgres', '--replicas', '3', '--rounds', '1', '--seed', String(seedKilling('db', ['db-1'], 'delete'))],
      ...['--traffic', 'set', '--client-image', CLIENT_TEST_IMAGE, '--timeout', '120'],
    ],
    timeoutMs: 600_000,
    setup: importClientImage,
    hook: at(
      'after-round',
      async (ctx) => {
        await pause(2000);
        const out = await shIn(
          ctx,
          'db-0',
          'psql -h /tmp -U postgres -XAtq -c "DELETE FROM elements WHERE element <= 5 RETURNING element"',
        );
        deleted = out
          .split('\n')
          .filter((l) => /^\d+$/.test(l.trim()))
          .map(Number);
      },
      1,
    ),
    summary: (run) => {
      history = run.input?.traffic?.history ?? [];
      const adds = history.filter((e) => e.f === 'add' && e.type === 'ok').length;
      const t = history.map((e) => e.time);
      const secs = (Math.max(...t) - Math.min(...t)) / 1e9;
      return `${adds} rows committed (${(adds / secs).toFixed(0)}/s over ${secs.toFixed(1)} s); deleted ${deleted.join(', ') || 'none'}`;
    },
  },
  (t) => {
    it('STS-WRITES-DURABLE fails naming db-0 and exactly the deleted rows that were acknowledged', () => {
      if (t.run.result.error)
        throw new Error(`the run failed before judging: ${t.run.result.error.message}\n${t.run.log.slice(-10).join('\n')}`);
      if (deleted.length === 0) throw new Error('the fault deleted no row');
      const acked = new Set(history.filter((e) => e.f === 'add' && e.type === 'ok').map((e) => Number(e.value)));
      const lost = deleted.filter((d) => acked.has(d)).sort((a, b) => a - b);
      expect(lost.length, 'deleted rows that were acknowledged').to.be.greaterThan(0);
      const c = expectCheck(t.run, 'STS-WRITES-DURABLE', 'failed', 'pod db-0');
      expect(c.message).to.equal(`${lost.length} acknowledged adds lost: db-0 (${lost.length})`);
      const e = c.evidence.find((x) => x.subject === 'pod db-0');
      // Listed in the order they were acknowledged.
      const m = /^(\d+) missing from every member read: ([\d, ]+)$/.exec(e?.observed ?? '');
      expect(m?.[1], e?.observed).to.equal(String(lost.length));
      expect(
        (m?.[2] ?? '')
          .split(', ')
          .map(Number)
          .sort((a, b) => a - b),
      ).to.deep.equal(lost);
    });

    it('the final reads came from db-0, db-1 and db-2', () => {
      const reads = history.filter((e) => e.f === 'read' && e.type === 'ok').map((e) => e.pod);
      expect([...new Set(reads)].sort()).to.deep.equal(['db-0', 'db-1', 'db-2']);
    });

    it('STS-BANK-INVARIANT is skipped (a set history), and the run exits 1', () => {
      const c = t.run.result.checks.find((x) => x.id === 'STS-BANK-INVARIANT');
      expect(`${c?.status}: ${c?.message}`).to.equal('skipped: no bank traffic in this run: its history.jsonl is a set history');
      expectExit(t.run, 1);
    });
  },
);
