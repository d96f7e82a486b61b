// STS-WRITES-DURABLE over a set history (--traffic set): the adds and each member's final
// read from history.jsonl (lib/checkers/set-history.ts), judged by the same set checker
// as the write records: lost, unexpected and misrouted adds fail; recovered adds and
// stale members are notes; a member whose final read did not complete is an error.
import { checkSet } from '../checkers/set.ts';
import { setFromHistory } from '../checkers/set-history.ts';
import { HistoryFormatError } from '../history/jsonl.ts';
import type { HistoryRecord } from '../history/record.ts';
import type { Evidence } from '../model.ts';
import type { CheckOutcome } from './api.ts';
import { byPod, holder, lostEvidence, misroutedEvidence, notes, unexpectedEvidence } from './set-evidence.ts';
import { errored, failed, passed } from './support.ts';

export function judgeSetHistory(h: HistoryRecord): CheckOutcome {
  const about = (observed: string): Evidence[] => [{ subject: `history ${h.file}`, observed }];
  if (h.error !== undefined) return errored(`the set history could not be read: ${h.error}`, about(h.error));
  if (h.events === undefined) return errored(`the set history ${h.file} is missing`, about('no events recorded'));
  const c = h.clock;
  let parsed: ReturnType<typeof setFromHistory>;
  try {
    parsed = setFromHistory(h.events, c ? (ns) => c.runMs + (ns - c.ns) / 1e6 : undefined);
  } catch (err) {
    if (!(err instanceof HistoryFormatError)) throw err;
    return errored(`the set history ${h.file} is unreadable: ${err.message}`, about(err.message));
  }
  const { adds, reads } = parsed;
  const s = checkSet(adds, reads);
  const unseen: Evidence[] = s.unread.map((m) => ({
    subject: `member ${m.member}`,
    observed: `not read back: ${m.error ?? 'no elements'}`,
    note: s.unjudged.length > 0 ? `${s.unjudged.length} adds absent from the members read are not judged` : 'its adds are not judged',
  }));
  const broken = [...lostEvidence(s), ...misroutedEvidence(s), ...unexpectedEvidence(s)];
  if (broken.length > 0) {
    const parts = [
      s.lost.length > 0
        ? `${s.lost.length} acknowledged adds lost: ${[...byPod(s.lost, holder)].map(([p, ks]) => `${p} (${ks.length})`).join(', ')}`
        : '',
      s.misrouted.length > 0 ? `${s.misrouted.length} adds acknowledged by another pod than the one addressed` : '',
      s.unexpected.length > 0
        ? `${s.unexpected.length} elements present that nobody added: ${[...new Set(s.unexpected.map((u) => u.member))].join(', ')}`
        : '',
    ].filter((p) => p !== '');
    return failed(parts.join('; '), [...broken, ...unseen, ...notes(s)]);
  }
  if (reads.length === 0)
    return errored(`the set history ${h.file} has no final read: nothing to judge`, about(`${adds.length} adds, no read`));
  if (unseen.length > 0)
    return errored(`could not read the set back from ${s.unread.map((m) => m.member).join(', ')}`, [...unseen, ...notes(s)]);
  const acked = adds.filter((a) => a.outcome === 'ok').length;
  if (acked === 0)
    return errored(`none of ${adds.length} adds was acknowledged: nothing to judge`, about(`${adds.length} adds, 0 acknowledged`));
  return passed(
    `all ${acked} acknowledged adds read back from every member (${adds.length} sent, ${s.recovered.length} of unknown outcome took effect, ${s.failed.length} refused${s.stale.length > 0 ? `; stale members: ${s.stale.map((m) => m.member).join(', ')}` : ''})`,
    [
      {
        subject: `history ${h.file}`,
        observed: `${s.ok.length} ok, 0 lost, ${s.recovered.length} recovered, ${s.notApplied.length} of unknown outcome absent, ${s.failed.length} refused, 0 unexpected, 0 misrouted; final reads of ${reads.map((m) => m.member).join(', ')}`,
      },
      ...notes(s),
    ],
  );
}
