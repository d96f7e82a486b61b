// STS-WRITES-DURABLE: every write the application acknowledged during chaos is still in
// its store afterwards, read from every member. Recovery and a surviving sentinel do not
// show this: a pod can come back on its claim and still have lost what it acknowledged
// while the kills went on. The verdict is the set checker's (lib/checkers/set.ts): lost,
// unexpected and misrouted writes fail; recovered writes and stale members are notes; a
// member that could not be read is an error, never a failure.
import type { SetAdd, SetVerdict } from '../checkers/set.ts';
import { classifyWrites } from '../traffic/classify.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { WriteRecord } from '../traffic/records.ts';
import { errored, failed, passed, skipped } from './support.ts';

export const writesDurable: CheckDefinition = {
  id: 'STS-WRITES-DURABLE',
  guarantee: 'no write the application acknowledged during chaos is lost',
  run: judgeWrites,
};

const SHOWN = 10;

const listed = (xs: readonly string[]): string =>
  `${xs.slice(0, SHOWN).join(', ')}${xs.length > SHOWN ? ` (and ${xs.length - SHOWN} more)` : ''}`;

/** The pod that holds (or should hold) an acknowledged add: the one that answered. */
const holder = (a: SetAdd): string => a.answered ?? a.addressed;

function byPod(adds: readonly SetAdd[], pod: (a: SetAdd) => string): Map<string, SetAdd[]> {
  const m = new Map<string, SetAdd[]>();
  for (const a of adds) m.set(pod(a), [...(m.get(pod(a)) ?? []), a]);
  return m;
}

function lostEvidence(s: SetVerdict): Evidence[] {
  return [...byPod(s.lost, holder)].map(([pod, mine]) => {
    const acked = s.ok.filter((a) => holder(a) === pod).length + mine.length;
    const uids = [...new Set(mine.map((a) => a.answeredUid).filter((u) => u !== undefined))];
    return {
      subject: `pod ${pod}`,
      expected: `${acked} acknowledged keys in store ${mine[0]?.store ?? pod}`,
      observed: `${mine.length} missing from every member read: ${listed(mine.map((a) => a.element))}`,
      ...(uids.length > 0 ? { note: `acknowledged by ${pod} with UID ${uids.join(', ')}` } : {}),
      ...(mine[0]?.at !== undefined ? { at: mine[0].at } : {}),
    };
  });
}

function misroutedEvidence(s: SetVerdict): Evidence[] {
  return s.misrouted.slice(0, SHOWN).map((a) => ({
    subject: `pod ${a.addressed}`,
    expected: `write ${a.element} addressed to ${a.addressed} is answered by ${a.addressed}`,
    observed: `answered by ${a.answered ?? '?'}${a.answeredUid ? ` (UID ${a.answeredUid})` : ''}${a.address ? `; the DNS answer used was ${a.address}` : '; the DNS answer used is not known'}`,
    ...(a.at !== undefined ? { at: a.at } : {}),
  }));
}

function unexpectedEvidence(s: SetVerdict): Evidence[] {
  const m = new Map<string, string[]>();
  for (const u of s.unexpected) m.set(u.member, [...(m.get(u.member) ?? []), u.element]);
  return [...m].map(([member, els]) => ({
    subject: `pod ${member}`,
    expected: 'only keys the client sent',
    observed: `${els.length} keys nobody wrote: ${listed(els)}`,
  }));
}

/**
 * Notes that do not change the verdict: recovered writes, stale members, misplaced keys,
 * refusals that landed. Their subjects are `writes to <pod>` and `member <pod>`, so that
 * `pod <name>` subjects are the findings alone.
 */
function notes(s: SetVerdict): Evidence[] {
  const out: Evidence[] = [];
  for (const [pod, rs] of byPod(s.recovered, (a) => a.addressed)) {
    out.push({
      subject: `writes to ${pod}`,
      observed: `${rs.length} writes of unknown outcome took effect (recovered): ${listed(rs.map((a) => a.element))}`,
      note: 'timed out or unclear answer; not a failure',
    });
  }
  for (const m of s.stale)
    out.push({
      subject: `member ${m.member}`,
      observed: `stale: lacks ${m.missing.length} keys other members of store ${m.store} hold: ${listed([...m.missing])}`,
      note: 'read after the convergence wait',
    });
  for (const p of s.misplaced.slice(0, SHOWN))
    out.push({
      subject: `writes to ${p.add.addressed}`,
      observed: `key ${p.add.element} sent to ${p.add.addressed} found in store ${p.foundIn}`,
      note: 'the write reached another pod',
    });
  if (s.failedPresent.length > 0)
    out.push({
      subject: 'traffic',
      observed: `${s.failedPresent.length} writes refused and yet present: ${listed(s.failedPresent.map((a) => a.element))}`,
      note: 'a refusal that was not the whole story',
    });
  return out;
}

function judgeWrites(input: CheckInput): CheckOutcome {
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
