// STS-RECOVERY's judgement of kills that must keep their pod: a `refused` kill (nothing
// may happen to it), `restarted-in-place` (same UID, restart count up, Ready again) and
// `unaffected` (same UID, no restart, Ready at the round's end).
import type { TimelineEntry } from '../timeline/entries.ts';
import type { KillRecord } from '../timeline/kills.ts';
import type { ReadyMoment } from '../timeline/queries.ts';
import { isPodEntry, isReady, readyMoment, type PodGeneration } from './support.ts';
import { judgeStayed } from './recovery-stayed.ts';

interface KeptVerdict {
  problem?: string;
  expected: string;
  observed?: string;
  at?: number;
}

/**
 * A kill that must keep its pod: `refused` (nothing may happen to it) or
 * `restarted-in-place` (same UID, restart count up, Ready again at the revision).
 */
export function judgeKept(
  entries: TimelineEntry[],
  record: KillRecord,
  replacement: PodGeneration | undefined,
  from: number,
  to: number,
  revision: string | undefined,
  minReady: number,
): KeptVerdict {
  const { marker: kill } = record;
  const atRevision = revision ? ` at revision ${revision}` : '';
  const own = entries.slice(from + 1, to).filter((e) => isPodEntry(e) && e.name === kill.pod && e.pod.uid === kill.uid);
  const ended = own.find((e) => isPodEntry(e) && (e.type === 'DELETED' || e.pod.deletionTimestamp));
  if (record.expect === 'refused') {
    const expected = `uid ${kill.uid} left in place (the API refused the ${kill.action}: ${record.refused?.status ?? '?'} ${record.refused?.reason ?? ''})`;
    if (ended || replacement) {
      const what = ended
        ? `${ended.type === 'DELETED' ? 'deleted' : 'terminating'} at t=${ended.t}ms`
        : `replaced by uid ${replacement?.uid}`;
      return {
        problem: `was refused by the API but the pod went anyway: ${what}`,
        expected,
        observed: what,
        at: ended?.t ?? replacement?.first.t,
      };
    }
    return {
      expected,
      observed: `uid ${kill.uid} ${kill.action} refused (${record.refused?.status}); the pod stayed`,
      at: record.refused?.t,
    };
  }
  if (record.expect === 'unaffected') return judgeUnaffected(own, record, ended ?? undefined, replacement, atRevision);
  if (record.expect === 'stays') return judgeStayed(own, record, ended ?? undefined, replacement, atRevision);
  const expected = `uid ${kill.uid} kept, restart count above ${kill.restartCount ?? 0}, Running and Ready${atRevision} within the round`;
  if (ended || replacement) {
    const what = ended
      ? `${ended.type === 'DELETED' ? 'deleted' : 'terminating'} at t=${ended.t}ms`
      : `replaced by uid ${replacement?.uid}`;
    return {
      problem: `was to restart in place but was ${ended ? 'deleted' : 'replaced'}: ${what}`,
      expected,
      observed: what,
      at: ended?.t ?? replacement?.first.t,
    };
  }
  const restarted = own.findIndex((e) => isPodEntry(e) && (e.pod.restartCount ?? 0) > (kill.restartCount ?? 0));
  const ready =
    restarted < 0
      ? undefined
      : readyAt(entries, kill.pod, kill.uid, entries.indexOf(own[restarted] as TimelineEntry) - 1, to, revision, minReady);
  if (!ready) {
    return {
      problem:
        restarted < 0
          ? 'never showed a container restart'
          : `restarted but was not Running and Ready${atRevision} again before the round ended`,
      expected,
    };
  }
  const took = Math.round((ready.t - kill.t) * 10) / 10;
  return {
    expected,
    observed: `uid ${kill.uid} restarted in place (${kill.action}; restart count ${ready.entry.pod.restartCount ?? 0}), Ready${atRevision} ${took}ms later`,
    at: ready.t,
  };
}

/** The first moment in (from, to) pod `name` with `uid` was Ready (Available with minReadySeconds), at `revision` if given. */
export function readyAt(
  entries: TimelineEntry[],
  name: string,
  uid: string,
  from: number,
  to: number,
  revision: string | undefined,
  minReady: number,
): ReadyMoment | undefined {
  return readyMoment(entries, name, uid, { from, to }, minReady, (p) => !revision || p.revision === revision);
}

/** `unaffected` (e.g. a kubelet restart): same UID, no container restart, Ready at the round's end. */
function judgeUnaffected(
  own: TimelineEntry[],
  record: KillRecord,
  ended: TimelineEntry | undefined,
  replacement: PodGeneration | undefined,
  atRevision: string,
): KeptVerdict {
  const { marker: kill } = record;
  const before = kill.restartCount ?? 0;
  const expected = `uid ${kill.uid} kept, restart count still ${before}, Running and Ready${atRevision} at the round's end`;
  if (ended || replacement) {
    const what = ended
      ? `${ended.type === 'DELETED' ? 'deleted' : 'terminating'} at t=${ended.t}ms`
      : `replaced by uid ${replacement?.uid}`;
    return {
      problem: `was to be left running by the ${kill.action} but was ${ended ? 'deleted' : 'replaced'}: ${what}`,
      expected,
      observed: what,
      at: ended?.t ?? replacement?.first.t,
    };
  }
  const restarted = own.find((e) => isPodEntry(e) && (e.pod.restartCount ?? 0) > before);
  if (restarted && isPodEntry(restarted)) {
    return {
      problem: `restarted its containers during the ${kill.action} (restart count ${restarted.pod.restartCount})`,
      expected,
      observed: `restart count ${restarted.pod.restartCount} at t=${restarted.t}ms`,
      at: restarted.t,
    };
  }
  const last = own.at(-1);
  if (last && isPodEntry(last) && !isReady(last.pod))
    return { problem: `was not Running and Ready${atRevision} at the round's end`, expected };
  return { expected, observed: `uid ${kill.uid} kept running through the ${kill.action}, no container restart`, at: last?.t ?? kill.t };
}
