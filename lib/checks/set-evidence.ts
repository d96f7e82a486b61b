// The set checker's findings as evidence, shared by STS-WRITES-DURABLE's two inputs: the
// traffic client's write records and a set history (--traffic set). Subjects `pod <name>`
// are findings; `writes to <pod>` and `member <pod>` are notes that do not change the verdict.
import type { SetAdd, SetVerdict } from '../checkers/set.ts';
import type { Evidence } from '../model.ts';

export const SHOWN = 10;

export const listed = (xs: readonly string[]): string =>
  `${xs.slice(0, SHOWN).join(', ')}${xs.length > SHOWN ? ` (and ${xs.length - SHOWN} more)` : ''}`;

/** The pod that holds (or should hold) an acknowledged add: the one that answered. */
export const holder = (a: SetAdd): string => a.answered ?? a.addressed;

export function byPod(adds: readonly SetAdd[], pod: (a: SetAdd) => string): Map<string, SetAdd[]> {
  return Map.groupBy(adds, pod);
}

export function lostEvidence(s: SetVerdict): Evidence[] {
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

export function misroutedEvidence(s: SetVerdict): Evidence[] {
  return s.misrouted.slice(0, SHOWN).map((a) => ({
    subject: `pod ${a.addressed}`,
    expected: `write ${a.element} addressed to ${a.addressed} is answered by ${a.addressed}`,
    observed: `answered by ${a.answered ?? '?'}${a.answeredUid ? ` (UID ${a.answeredUid})` : ''}${a.address ? `; the DNS answer used was ${a.address}` : '; the DNS answer used is not known'}`,
    ...(a.at !== undefined ? { at: a.at } : {}),
  }));
}

export function unexpectedEvidence(s: SetVerdict): Evidence[] {
  return [...Map.groupBy(s.unexpected, (u) => u.member)].map(([member, us]) => ({
    subject: `pod ${member}`,
    expected: 'only keys the client sent',
    observed: `${us.length} keys nobody wrote: ${listed(us.map((u) => u.element))}`,
  }));
}

/**
 * Notes that do not change the verdict: recovered writes, stale members, misplaced keys,
 * refusals that landed. Their subjects are `writes to <pod>` and `member <pod>`, so that
 * `pod <name>` subjects are the findings alone.
 */
export function notes(s: SetVerdict): Evidence[] {
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
