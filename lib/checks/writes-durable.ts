// STS-WRITES-DURABLE: every write the application acknowledged during chaos is still in
// its store afterwards. Recovery and a surviving sentinel do not show this: a pod can come
// back on its claim and still have lost what it acknowledged while the kills went on.
import { classifyWrites } from '../traffic/classify.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import { errored, failed, passed, skipped } from './support.ts';

export const writesDurable: CheckDefinition = {
  id: 'STS-WRITES-DURABLE',
  guarantee: 'no write the application acknowledged during chaos is lost',
  run: judgeWrites,
};

const SHOWN = 10;

function judgeWrites(input: CheckInput): CheckOutcome {
  const t = input.traffic;
  if (t === undefined) return skipped('no traffic was recorded in this run');
  if (t.skip !== undefined) return skipped(`no traffic ran: ${t.skip}`);
  if (t.error !== undefined) return errored(`the traffic client's records could not be used: ${t.error}`, [{ subject: 'traffic client', observed: t.error }]);
  const c = classifyWrites(t.writes, t.readBack);
  const unseen: Evidence[] = c.unread.map((r) => ({
    subject: `store ${r.store} (pod ${r.pod})`,
    observed: `not read back: ${r.error ?? 'no keys'}`,
    note: 'its writes are not judged',
  }));
  const lost = c.keys.filter((k) => k.class === 'lost');
  if (lost.length > 0) {
    const pods = [...new Set(lost.map((k) => k.pod))];
    const evidence: Evidence[] = pods.map((pod) => {
      const mine = lost.filter((k) => k.pod === pod);
      const acked = c.keys.filter((k) => k.pod === pod && (k.class === 'ok' || k.class === 'lost')).length;
      return {
        subject: `pod ${pod}`,
        expected: `${acked} acknowledged keys in store ${mine[0]?.store ?? pod}`,
        observed: `${mine.length} missing: ${mine.slice(0, SHOWN).map((k) => k.key).join(', ')}${mine.length > SHOWN ? ` (and ${mine.length - SHOWN} more)` : ''}`,
        ...(mine[0]?.sentMs !== undefined ? { at: mine[0].sentMs } : {}),
      };
    });
    return failed(`${lost.length} acknowledged writes lost: ${pods.map((p) => `${p} (${lost.filter((k) => k.pod === p).length})`).join(', ')}`, [...evidence, ...unseen]);
  }
  if (unseen.length > 0) return errored(`could not read the written keys back from ${c.unread.map((r) => r.pod).join(', ')}`, unseen);
  if (c.counts.acked === 0) return errored(`none of ${c.counts.sent} writes was acknowledged: nothing to judge`, [{ subject: 'traffic client', observed: `${c.counts.sent} sent, 0 acknowledged` }]);
  const note = c.counts.indeterminate > 0 ? `; ${c.counts.indeterminate} present but never acknowledged (indeterminate)` : '';
  return passed(`all ${c.counts.acked} acknowledged writes read back (${c.counts.sent} sent, ${c.counts.failedWrites} failed${note})`, [
    { subject: 'traffic', observed: `${c.counts.ok} ok, 0 lost, ${c.counts.indeterminate} indeterminate, ${c.counts.failedWrites} failed writes` },
  ]);
}
