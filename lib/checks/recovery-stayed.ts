// STS-RECOVERY's judgement of a `stays` kill (a full disk): the pod must keep its UID and be
// Running and Ready at the round's end; its containers may restart meanwhile (a database
// that cannot persist exits, and the kubelet starts it again once the disk has room).
import type { TimelineEntry } from '../timeline/entries.ts';
import type { KillRecord } from '../timeline/kills.ts';
import { isPodEntry, isReady, type PodGeneration } from './support.ts';

export function judgeStayed(
  own: TimelineEntry[],
  record: KillRecord,
  ended: TimelineEntry | undefined,
  replacement: PodGeneration | undefined,
  atRevision: string,
): { problem?: string; expected: string; observed?: string; at?: number } {
  const { marker: kill } = record;
  const expected = `uid ${kill.uid} kept (container restarts allowed), Running and Ready${atRevision} at the round's end`;
  if (ended || replacement) {
    const what = ended
      ? `${ended.type === 'DELETED' ? 'deleted' : 'terminating'} at t=${ended.t}ms`
      : `replaced by uid ${replacement?.uid}`;
    return {
      problem: `was to stay through the ${kill.action} but was ${ended ? 'deleted' : 'replaced'}: ${what}`,
      expected,
      observed: what,
      at: ended?.t ?? replacement?.first.t,
    };
  }
  const last = own.at(-1);
  if (last && isPodEntry(last) && !isReady(last.pod))
    return { problem: `was not Running and Ready${atRevision} at the round's end`, expected, at: last.t };
  const restarts = last && isPodEntry(last) ? (last.pod.restartCount ?? 0) - (kill.restartCount ?? 0) : 0;
  return {
    expected,
    observed: `uid ${kill.uid} stayed through the ${kill.action} (${restarts} container restart${restarts === 1 ? '' : 's'}) and was Ready at the round's end`,
    at: last?.t ?? kill.t,
  };
}
