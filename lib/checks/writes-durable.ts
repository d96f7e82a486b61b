// STS-WRITES-DURABLE: every write the application acknowledged during chaos is still in
// its store afterwards, read from every member. Recovery and a surviving sentinel do not
// show this: a pod can come back on its claim and still have lost what it acknowledged
// while the kills went on. The verdict is the set checker's (lib/checkers/set.ts): lost,
// unexpected and misrouted writes fail; recovered writes and stale members are notes; a
// member that could not be read is an error, never a failure.
import { classifyWrites } from '../traffic/classify.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { WriteRecord } from '../traffic/records.ts';
import { byPod, holder, lostEvidence, misroutedEvidence, notes, unexpectedEvidence } from './set-evidence.ts';
import { errored, failed, passed, skipped } from './support.ts';
import { judgeSetHistory } from './writes-durable-history.ts';

export const writesDurable: CheckDefinition = {
  id: 'STS-WRITES-DURABLE',
  guarantee: 'no write the application acknowledged during chaos is lost',
  run: judgeWrites,
};

function judgeWrites(input: CheckInput): CheckOutcome {
  if (input.history?.workload === 'set') return judgeSetHistory(input.history);
  const t = input.traffic;
  if (t === undefined) return skipped('no traffic was recorded in this run');
  if (t.skip !== undefined) return skipped(`no traffic ran: ${t.skip}`);
  if (t.error !== undefined)
    return errored(`the traffic client's records could not be used: ${t.error}`, [{ subject: 'traffic client', observed: t.error }]);
  const c = classifyWrites(t.writes, t.readBack, storeFor(t.writes));
  const s = c.set;
  const unseen: Evidence[] = c.unread.map((r) => ({
    subject: `store ${r.store} (pod ${r.pod})`,
    observed: `not read back: ${r.error ?? 'no keys'}`,
    note: s.unjudged.length > 0 ? `${s.unjudged.length} writes absent from the members read are not judged` : 'its writes are not judged',
  }));
  const broken = [...lostEvidence(s), ...misroutedEvidence(s), ...unexpectedEvidence(s)];
  if (broken.length > 0) {
    const parts = [
      s.lost.length > 0
        ? `${s.lost.length} acknowledged writes lost: ${[...byPod(s.lost, holder)].map(([p, ks]) => `${p} (${ks.length})`).join(', ')}`
        : '',
      s.misrouted.length > 0
        ? `${s.misrouted.length} writes acknowledged by another pod than the one addressed: ${[...new Set(s.misrouted.map((a) => `${a.addressed} → ${a.answered ?? '?'}`))].join(', ')}`
        : '',
      s.unexpected.length > 0
        ? `${c.unexpected.length} keys present that nobody wrote: ${[...new Set(s.unexpected.map((u) => u.member))].join(', ')}`
        : '',
    ].filter((p) => p !== '');
    return failed(parts.join('; '), [...broken, ...unseen, ...notes(s)]);
  }
  if (unseen.length > 0)
    return errored(`could not read the written keys back from ${c.unread.map((r) => r.pod).join(', ')}`, [...unseen, ...notes(s)]);
  if (c.counts.acked === 0)
    return errored(`none of ${c.counts.sent} writes was acknowledged: nothing to judge`, [
      { subject: 'traffic client', observed: `${c.counts.sent} sent, 0 acknowledged` },
    ]);
  const extra = [
    s.recovered.length > 0 ? `${s.recovered.length} of unknown outcome took effect (recovered)` : '',
    c.counts.indeterminate > s.recovered.length ? `${c.counts.indeterminate - s.recovered.length} refused yet present` : '',
    s.stale.length > 0 ? `stale members: ${s.stale.map((m) => m.member).join(', ')}` : '',
  ].filter((p) => p !== '');
  return passed(
    `all ${c.counts.acked} acknowledged writes read back from every member (${c.counts.sent} sent, ${c.counts.unknown ?? 0} of unknown outcome, ${c.counts.failedWrites} failed${extra.length > 0 ? `; ${extra.join('; ')}` : ''})`,
    [
      {
        subject: 'traffic',
        observed: `${c.counts.ok} ok, 0 lost, ${s.recovered.length} recovered, ${s.notApplied.length} of unknown outcome absent, ${s.failed.length} refused, 0 unexpected, 0 misrouted`,
      },
      ...notes(s),
    ],
  );
}

/** pod → store, learned from the writes themselves (each write names its addressed pod's store). */
function storeFor(writes: readonly WriteRecord[]): (pod: string) => string {
  const m = new Map(writes.map((w) => [w.pod, w.store]));
  return (pod) => m.get(pod) ?? pod;
}
