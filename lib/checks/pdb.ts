// STS-PDB: the run's PodDisruptionBudget bounds what an eviction may take away. A budget
// counts every unavailable pod, whatever took it out (a delete, a crash, an earlier
// eviction), so each admitted eviction is judged against the pods actually unavailable at
// the moment it was admitted: with the evicted pod, no more than the budget allows.
//
// That moment is the API server's, not the harness's: the budget's status update that
// admitted the eviction (status.disruptedPods gains the pod), placed among the pod changes
// by resourceVersion; without that update (an unhealthy pod's eviction writes none, or the
// budget could not be watched), the evicted pod's own deletion in the pod watch, which
// delivers one namespace's pods in the server's order. The API refuses an eviction when
// status.disruptionsAllowed is 0, so what this catches on a real cluster is an eviction
// admitted from a status the disruption controller had not yet recomputed (a pod that
// went out just before), or a budget changed behind the run's back.
//
// One case is not the cluster's fault: a pod deleted directly (not evicted) moments before
// the admission. The eviction is judged against the status the disruption controller last
// wrote from its caches, and upstream says plainly that deletes outside the eviction API
// leave that status behind for a moment (kubernetes/kubernetes#36438, #105326). A burst
// round that sends a delete and an eviction 0.4 ms apart makes that race itself. So when
// the pods over the budget all went out within CONTROLLER_LAG_MS of the admission and the
// status the API used still counted them healthy, it is a note, not a failure.
import { allowedUnavailable } from '../chaos/pdb.ts';
import { killsIn, type KillRecord } from '../timeline/kills.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence, WorkloadInfo } from '../model.ts';
import type { PdbState, TimelineEntry, WatchEntry } from '../timeline/entries.ts';
import type { PodEntry } from '../timeline/queries.ts';
import { errored, failed, inOrder, isPodEntry, isReady, ordinalOf, ordinals, passed, podName, skipped } from './support.ts';

export const pdb: CheckDefinition = {
  id: 'STS-PDB',
  guarantee:
    'no eviction is admitted while it would leave more pods unavailable than the PodDisruptionBudget allows, counting every unavailable pod; a refused eviction (429) leaves its pod alone',
  run: judgePdb,
};

/** One admitted eviction, at the moment it was admitted. */
interface Judged {
  kill: KillRecord;
  /** Index of the entry the pods were read at (exclusive), and how that moment was found. */
  at: number;
  t: number;
  moment: string;
  /** Pods unavailable then, the evicted one included, each with why. */
  out: Map<string, string>;
  /** When each other pod's current unavailability began (run ms), where the timeline shows it. */
  outSince: Map<string, number>;
  /** The budget's status the API judged against (the last one before the admitting update), if watched. */
  status?: PdbState;
}

/** How far behind a pod change the disruption controller's status may be without fault (its informer and one sync). */
const CONTROLLER_LAG_MS = 1000;

const revision = (rv: string): number | undefined => (/^\d{1,15}$/.test(rv) ? Number(rv) : undefined);

function judgePdb(input: CheckInput): CheckOutcome {
  const { workload } = input;
  const budget = workload.pdb;
  if (!budget) return skipped('the run created no PodDisruptionBudget (--pdb none, or no evict in --chaos)');
  const entries = inOrder(input.timeline);
  const evictions = killsIn(entries).filter((k) => k.marker.action === 'evict');
  if (evictions.length === 0) return skipped('no eviction was sent');
  const allowed = allowedUnavailable(budget, workload.replicas);
  const bound = budget.maxUnavailable !== undefined ? `maxUnavailable=${budget.maxUnavailable}` : `minAvailable=${budget.minAvailable}`;
  const admitted = evictions.filter((k) => k.expect !== 'refused');
  const evictedUids = new Set(admitted.map((k) => k.marker.uid));
  const budgets = entries.filter(
    (e): e is WatchEntry & { pdb: PdbState } =>
      e.type !== 'MARKER' && e.kind === 'PodDisruptionBudget' && e.name === budget.name && e.pdb !== undefined,
  );
  const evidence: Evidence[] = [];
  const blind: string[] = [];
  const judged: Judged[] = [];
  for (const k of admitted) {
    const gone = entries.findIndex(
      (e, i) =>
        i > k.index && isPodEntry(e) && e.pod.uid === k.marker.uid && (e.type === 'DELETED' || e.pod.deletionTimestamp !== undefined),
    );
    if (gone < 0) continue; // never went: STS-RECOVERY's finding
    const effect = entries[gone] as PodEntry;
    const gaps = entries.filter(
      (e) => e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind === 'Pod' && e.from <= effect.t && e.to >= k.marker.t,
    );
    if (gaps.length > 0 || effect.relisted) {
      blind.push(`the pod watch was down between the eviction of ${k.marker.pod} (t=${k.marker.t}ms) and its effect (t=${effect.t}ms)`);
      continue;
    }
    judged.push(atAdmission(entries, workload, budgets, evictedUids, k, gone));
  }
  const { worst, races } = judgedEvidence(judged, allowed, `${budget.name}, ${bound}`, workload, evidence);
  const refused = evictions.filter((k) => k.expect === 'refused');
  for (const k of refused) {
    evidence.push({
      subject: `pod ${k.marker.pod}`,
      observed: `eviction refused (${k.refused?.status}): ${k.refused?.reason ?? ''}`,
      at: k.refused?.t ?? k.marker.t,
      note: `round ${k.marker.round}`,
    });
  }
  if (worst) {
    const names = [...worst.out.keys()];
    const message = `the eviction of ${worst.kill.marker.pod} (round ${worst.kill.marker.round}) was admitted ${worst.moment} while ${names.length} pods were unavailable with it (${names.join(', ')}), over the ${allowed} that PodDisruptionBudget ${budget.name} (${bound}) allows`;
    // The failing eviction's evidence first.
    const first = evidence.findIndex((e) => e.expected !== undefined);
    return failed(message, [...evidence.slice(first), ...evidence.slice(0, first)]);
  }
  const peak = Math.max(0, ...judged.filter((j) => !races.has(j)).map((j) => j.out.size));
  const raceNote =
    races.size > 0
      ? `; ${races.size} admitted from a status the disruption controller had not yet updated for a pod deleted less than ${CONTROLLER_LAG_MS} ms before (a race the budget does not close: see the notes)`
      : '';
  const summary = `${admitted.length} evictions admitted, ${refused.length} refused (429); at most ${peak} of ${workload.replicas} pods unavailable with an admitted eviction (counting every cause), within the ${allowed} that ${budget.name} (${bound}) allows${raceNote}`;
  if (blind.length > 0) return errored(`${blind[0]}: cannot say the budget held (${summary})`, evidence);
  return passed(summary, evidence);
}

/** Evidence for every judged eviction (and, over the budget, each pod out with it); returns the first over it. */
function judgedEvidence(
  judged: Judged[],
  allowed: number,
  budget: string,
  workload: WorkloadInfo,
  evidence: Evidence[],
): { worst: Judged | undefined; races: Set<Judged> } {
  let worst: Judged | undefined;
  const races = new Set<Judged>();
  for (const j of judged) {
    const race = j.out.size > allowed ? raced(j, allowed, workload.replicas) : undefined;
    const over = j.out.size > allowed && race === undefined;
    if (over && !worst) worst = j;
    if (race) {
      races.add(j);
      evidence.push({ subject: `pod ${j.kill.marker.pod}`, observed: race, at: j.t, note: 'a race the budget does not close' });
      continue;
    }
    const list = [...j.out].map(([n, why]) => `${n} (${why})`).join(', ');
    evidence.push({
      subject: `pod ${j.kill.marker.pod}`,
      ...(over ? { expected: `at most ${allowed} pods unavailable with an admitted eviction (PodDisruptionBudget ${budget})` } : {}),
      observed: `uid ${j.kill.marker.uid} evicted in round ${j.kill.marker.round} (sent at t=${j.kill.marker.t}ms), admitted ${j.moment}: ${j.out.size} of ${workload.replicas} unavailable with it: ${list}${describeStatus(j, workload.replicas)}`,
      at: j.t,
      ...(over ? {} : { note: `within the ${allowed} allowed` }),
    });
    if (over) {
      for (const [name, why] of j.out)
        if (name !== j.kill.marker.pod)
          evidence.push({
            subject: `pod ${name}`,
            observed: `unavailable when the eviction of ${j.kill.marker.pod} was admitted: ${why}`,
            at: j.t,
          });
    }
  }
  return { worst, races };
}

/**
 * The pods unavailable when eviction `k` was admitted. With the budget watched and
 * numeric resourceVersions (etcd's revisions, one counter for every object), the
 * admission is the budget update that added the pod to status.disruptedPods, and each
 * pod's state is its last change below that revision; otherwise the moment is the
 * evicted pod's deletion, entry `gone`, and the states those before it in the pod watch.
 */
function atAdmission(
  entries: TimelineEntry[],
  workload: WorkloadInfo,
  budgets: (WatchEntry & { pdb: PdbState })[],
  evicted: Set<string>,
  k: KillRecord,
  gone: number,
): Judged {
  const pod = k.marker.pod;
  const before = (b: WatchEntry | undefined): PdbState | undefined =>
    b ? [...budgets].reverse().find((x) => x.seq < b.seq)?.pdb : undefined;
  const after = budgets.filter((b) => b.seq > k.marker.seq);
  // The update that adds the pod: an entry left from an earlier eviction of the same name does not count.
  const admitting = after.find(
    (b, i) => b.pdb.disruptedPods?.includes(pod) && !(i > 0 ? after[i - 1]?.pdb : before(b))?.disruptedPods?.includes(pod),
  );
  const rev = admitting ? revision(admitting.resourceVersion) : undefined;
  const states = new Map<string, PodEntry | undefined>(ordinals(workload).map((o) => [podName(workload, o), undefined]));
  const outSince = new Map<string, number>();
  for (let i = 0; i < gone; i++) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || ordinalOf(workload.statefulSet, e.name) === undefined) continue;
    const r = revision(e.resourceVersion);
    if (rev !== undefined && r !== undefined && r > rev) continue;
    states.set(e.name, e);
    if (unavailable(e, k) === undefined) outSince.delete(e.name);
    else if (!outSince.has(e.name)) outSince.set(e.name, e.t);
  }
  // Admitted but not yet deleted: the budget counts a pod in status.disruptedPods as out, and so does this check
  // when an admitted eviction of the run aimed at that very pod.
  const claimed = new Set(rev !== undefined ? (admitting?.pdb.disruptedPods ?? []) : []);
  const out = new Map<string, string>();
  for (const [name, e] of states) {
    const why =
      unavailable(e, k) ??
      (name !== pod && claimed.has(name) && e && evicted.has(e.pod.uid)
        ? 'its eviction already admitted (in status.disruptedPods), not yet deleted'
        : undefined);
    if (why) out.set(name, why);
  }
  if (!out.has(pod)) out.set(pod, 'this eviction');
  const byOrdinal = [...out].sort(([a], [b]) => (ordinalOf(workload.statefulSet, a) ?? 0) - (ordinalOf(workload.statefulSet, b) ?? 0));
  const effect = entries[gone] as PodEntry;
  const status = rev !== undefined ? before(admitting) : before(effect);
  const moment =
    rev !== undefined && admitting
      ? `at resourceVersion ${admitting.resourceVersion} (the budget's status update admitting it, seen at t=${admitting.t}ms)`
      : `when its deletion began (t=${effect.t}ms; the budget's admitting update was not seen)`;
  return { kill: k, at: gone, t: admitting?.t ?? effect.t, moment, out: new Map(byOrdinal), outSince, ...(status ? { status } : {}) };
}

/**
 * Why an eviction over the budget is the controller's known lag rather than a broken budget:
 * every pod beyond what the budget allows went out (directly, not by an admitted eviction)
 * within CONTROLLER_LAG_MS before the admission, and the status the API judged against still
 * counted them healthy. Undefined when that is not the case.
 */
function raced(j: Judged, allowed: number, replicas: number): string | undefined {
  const s = j.status;
  if (!s) return undefined;
  const others = [...j.out.keys()].filter((n) => n !== j.kill.marker.pod);
  const recent = others.filter((n) => {
    const since = j.outSince.get(n);
    return since !== undefined && j.t - since <= CONTROLLER_LAG_MS && !/already admitted/.test(j.out.get(n) ?? '');
  });
  if (j.out.size - recent.length > allowed) return undefined;
  // The status must have missed exactly those: it counted them healthy.
  const healthyThen = replicas - (others.length - recent.length);
  if (s.currentHealthy < healthyThen) return undefined;
  // And only the stale count let it through: with those pods counted out, the same status
  // would have refused it. A budget loosened behind the run's back admits it either way.
  if (s.currentHealthy - recent.length - 1 >= s.desiredHealthy) return undefined;
  const list = recent.map((n) => `${n} (${j.out.get(n)}, ${Math.round(j.t - (j.outSince.get(n) ?? j.t))} ms before)`).join(', ');
  return `uid ${j.kill.marker.uid} evicted in round ${j.kill.marker.round}, admitted ${j.moment} from a status that still counted ${list} healthy (currentHealthy ${s.currentHealthy}, disruptionsAllowed ${s.disruptionsAllowed}): the disruption controller had not yet seen a change less than ${CONTROLLER_LAG_MS} ms old, a lag Kubernetes does not close for deletes outside the eviction API`;
}

/** Why a pod counted as unavailable, or undefined when it was Ready. */
function unavailable(e: PodEntry | undefined, k: KillRecord): string | undefined {
  if (!e) return 'absent';
  if (e.type === 'DELETED') return `deleted at t=${e.t}ms`;
  const self = e.pod.uid === k.marker.uid ? 'evicted pod, ' : '';
  if (e.pod.deletionTimestamp) return `${self}terminating since t=${e.t}ms or earlier`;
  if (!isReady(e.pod)) return `${self}not Ready (${e.pod.phase}) at t=${e.t}ms`;
  return undefined;
}

/** The budget's status the API judged against, and whether it was stale. */
function describeStatus(j: Judged, replicas: number): string {
  const s = j.status;
  if (!s) return "; the budget's status was not watched";
  const healthy = replicas - [...j.out.keys()].filter((n) => j.out.get(n) !== 'this eviction').length;
  const stale = s.currentHealthy > healthy ? ` (stale: it counted ${s.currentHealthy} healthy while ${healthy} were)` : '';
  const generation =
    s.generation !== undefined && s.observedGeneration !== undefined && s.generation !== s.observedGeneration
      ? `, observedGeneration ${s.observedGeneration} of ${s.generation}`
      : '';
  return `; the budget's status then: disruptionsAllowed ${s.disruptionsAllowed}, currentHealthy ${s.currentHealthy}, desiredHealthy ${s.desiredHealthy}${generation}${stale}`;
}
