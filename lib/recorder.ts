// One watch per kind (pods, PVCs, PVs, events, PodDisruptionBudgets) feeding an append-only timeline.
// Every "wait until" of a run is a predicate re-evaluated on each new entry, so the
// harness learns of a change as soon as the API server sends it, with no polling.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from './cluster.ts';
import { describePod, eventState, pdbState, podState, pvState, pvcState } from './digest.ts';
import { ClusterError, ObservationError, WaitTimeoutError, describeError, httpStatus } from './errors.ts';
import { diffRelist, type Known } from './relist.ts';
import { WatchHealth, describeGap } from './watch-gaps.ts';
import type {
  EntryBase, EventState, MarkerEntry, MarkerPayload, PodState, PvState, PvcState, TimelineEntry, WatchEntry, WatchedKind,
} from './types.ts';

interface KindSpec {
  kind: WatchedKind;
  path: string;
  /** Server-side filter for both list and watch (the canary watch sees one object). */
  fieldSelector?: string;
  /** Entries go here instead of the timeline (the canary's are latency samples, not cluster state). */
  sink?: (type: WatchEntry['type'], obj: RawObject, relisted: boolean) => void;
  /** An optional watch never fails a wait: losing it costs only what it measures. */
  optional?: boolean;
  list(): Promise<{ items: object[]; resourceVersion: string }>;
  keep(obj: RawObject): boolean;
  digest(obj: RawObject): Pick<WatchEntry, 'pod' | 'pvc' | 'pv' | 'event' | 'pdb'>;
}

interface RawObject {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { claimRef?: { namespace?: string } };
}

export interface RecorderOptions {
  /** Server-side watch timeout; short values exercise the re-list path in tests. */
  watchTimeoutSeconds?: number;
  log?: (line: string) => void;
}

export interface WaitOptions<T> {
  describe: string;
  timeoutMs: number;
  /** Returns a value once the wait is over. */
  until: () => T | undefined;
  /** Returns an error to stop waiting early (e.g. an image that cannot be pulled). */
  failFast?: () => Error | undefined;
  /**
   * until() also depends on the clock, not only on watch entries (Available: Ready for
   * minReadySeconds turns true with no event), so it is re-evaluated every second too.
   */
  clock?: boolean;
}

export class Recorder {
  readonly timeline: TimelineEntry[] = [];
  readonly pods = new Map<string, PodState>();
  readonly pvcs = new Map<string, PvcState>();
  readonly pvs = new Map<string, PvState>();
  readonly events: EventState[] = [];
  private readonly known = new Map<WatchedKind, Map<string, Known>>();
  private readonly aborts = new Map<WatchedKind, AbortController>();
  private readonly listeners = new Set<() => void>();
  private readonly t0 = performance.now();
  private readonly log: (line: string) => void;
  private readonly health = new WatchHealth();
  private readonly optionalKinds = new Set<WatchedKind>();
  /** Changes re-lists applied since each watch was last established (a list can succeed while its watch fails). */
  private readonly reconciled = new Map<WatchedKind, number>();
  private readonly retries = new Set<NodeJS.Timeout>();
  /** Canary arrivals: ms between the harness writing a timestamp and the watch delivering it. */
  readonly canarySamples: number[] = [];
  private lastCanary = '';
  private stopped = false;
  /** Set when a watch cannot be kept (no permission, API gone): every wait then fails at once. */
  private lost: ClusterError | undefined;
  relists = 0;

  private readonly cluster: Cluster;
  private readonly namespace: string;
  private readonly opts: RecorderOptions;
  constructor(cluster: Cluster, namespace: string, opts: RecorderOptions = {}) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.opts = opts;
    this.log = opts.log ?? (() => {});
  }

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  async start(): Promise<void> {
    await Promise.all(this.specs().map((s) => (s.optional ? this.listAndWatch(s).catch((err: unknown) => this.withoutOptional(s, err)) : this.listAndWatch(s))));
  }

  private withoutOptional(spec: KindSpec, err: unknown): void {
    this.log(`going on without a watch on ${spec.kind} in namespace ${this.namespace}: ${describeError(err)}`);
  }

  /**
   * Watches the canary ConfigMap `name` (see lib/canary.ts). Each arrival carrying a new
   * `annotation` timestamp (performance.timeOrigin + performance.now() when it was
   * written, the same clock as arrival) becomes one latency sample. Optional: if it
   * cannot be listed (RBAC), the run goes on without the figure.
   */
  async watchCanary(name: string, annotation: string): Promise<boolean> {
    const ns = this.namespace;
    const spec: KindSpec = {
      kind: 'ConfigMap', path: `/api/v1/namespaces/${ns}/configmaps`, fieldSelector: `metadata.name=${name}`, optional: true, keep: () => true,
      list: async () => {
        const l = await this.cluster.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: `metadata.name=${name}` });
        return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? '' };
      },
      digest: () => ({}),
      sink: (type, obj, relisted) => {
        const arrived = performance.timeOrigin + performance.now();
        const sent = obj.metadata?.annotations?.[annotation];
        // Re-listed objects arrive late by construction: they time the re-list, not the watch.
        if (type !== 'MODIFIED' || relisted || !sent || sent === this.lastCanary) return;
        this.lastCanary = sent;
        const ms = arrived - Number(sent);
        if (Number.isFinite(ms)) this.canarySamples.push(Math.round(ms * 1000) / 1000);
      },
    };
    this.optionalKinds.add('ConfigMap');
    try {
      await this.listAndWatch(spec);
      return true;
    } catch (err) {
      this.log(`detection latency will not be measured: cannot watch ConfigMap ${name}: ${describeError(err)}`);
      return false;
    }
  }

  /** What a wait that ran out while a required watch was down must say instead of "timed out". */
  observationTrouble(): string | undefined {
    return this.health.describe(this.now(), this.optionalKinds);
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts.values()) a.abort();
    this.aborts.clear();
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
  }

  /** Writes a typed marker (lib/timeline/types.ts MarkerPayload) into the timeline. */
  mark<P extends MarkerPayload>(payload: P): EntryBase & { type: 'MARKER' } & P {
    const e = { seq: this.timeline.length, t: this.now(), wall: Date.now(), type: 'MARKER' as const, ...payload };
    this.timeline.push(e as MarkerEntry);
    return e;
  }

  /** Resolves with until()'s value as soon as an entry makes it defined; rejects on timeout with what was seen. */
  waitFor<T>(w: WaitOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const started = this.now();
      let nextReport = 10_000;
      const finish = (fn: () => void): void => {
        this.listeners.delete(check);
        clearTimeout(timer);
        clearInterval(ticker);
        fn();
      };
      const check = (): void => {
        if (this.lost) { finish(() => reject(this.lost)); return; }
        const failure = w.failFast?.();
        if (failure) { finish(() => reject(failure)); return; }
        const v = w.until();
        if (v !== undefined) finish(() => resolve(v));
      };
      const timer = setTimeout(() => {
        // A deadline that passes while a watch is down says nothing about the cluster:
        // the harness could not see it, so the wait ends as lost observation.
        const trouble = this.observationTrouble();
        const err = trouble
          ? new ObservationError(`could not observe the cluster while waiting ${w.timeoutMs / 1000}s for ${w.describe}: ${trouble}`, this.describeState())
          : new WaitTimeoutError(`timed out after ${w.timeoutMs / 1000}s waiting for ${w.describe}`, this.describeState());
        finish(() => reject(err));
      }, w.timeoutMs);
      // Progress, and for clock-dependent waits a re-check; otherwise the verdict comes
      // from check() on watch entries.
      const ticker = setInterval(() => {
        if (w.clock) {
          check();
          if (!this.listeners.has(check)) return;
        }
        const waited = this.now() - started;
        if (waited >= nextReport) {
          this.log(`waiting for ${w.describe} (${Math.round(waited / 1000)}s of ${w.timeoutMs / 1000}s): ${this.podSummary()}`);
          nextReport += 10_000;
        }
      }, 1000);
      this.listeners.add(check);
      check();
    });
  }

  podSummary(): string {
    if (this.pods.size === 0) return 'no pods yet';
    return [...this.pods].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([n, s]) => describePod(n, s)).join(', ');
  }

  /** Pods, PVCs and the last events: what a timeout message shows. */
  describeState(): string {
    const pvcs = [...this.pvcs].map(([n, s]) => `${n} ${s.phase}${s.volumeName ? ` -> ${s.volumeName}` : ''}`).join(', ');
    const events = this.events.slice(-10).map((e) => `  ${e.type} ${e.reason} ${e.involved}: ${e.message}`).join('\n');
    return `pods: ${this.podSummary()}\nPVCs: ${pvcs || 'none'}\nrecent events:\n${events || '  none'}`;
  }

  private specs(): KindSpec[] {
    const ns = this.namespace;
    const core = this.cluster.core;
    const rv = (l: { metadata?: { resourceVersion?: string } }): string => l.metadata?.resourceVersion ?? '';
    return [
      {
        kind: 'Pod', path: `/api/v1/namespaces/${ns}/pods`, keep: () => true,
        list: async () => { const l = await core.listNamespacedPod({ namespace: ns }); return { items: l.items, resourceVersion: rv(l) }; },
        digest: (o) => ({ pod: podState(o as k8s.V1Pod) }),
      },
      {
        kind: 'PersistentVolumeClaim', path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`, keep: () => true,
        list: async () => { const l = await core.listNamespacedPersistentVolumeClaim({ namespace: ns }); return { items: l.items, resourceVersion: rv(l) }; },
        digest: (o) => ({ pvc: pvcState(o as k8s.V1PersistentVolumeClaim) }),
      },
      {
        // PVs are cluster-scoped: watch them all, keep only those claimed from our namespace.
        kind: 'PersistentVolume', path: '/api/v1/persistentvolumes', keep: (o) => o.spec?.claimRef?.namespace === ns,
        list: async () => { const l = await core.listPersistentVolume(); return { items: l.items, resourceVersion: rv(l) }; },
        digest: (o) => ({ pv: pvState(o as k8s.V1PersistentVolume) }),
      },
      {
        // STS-PDB judges each admitted eviction against the budget's status; without the
        // permission to watch it, the check falls back to the pods alone.
        kind: 'PodDisruptionBudget', path: `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, keep: () => true, optional: true,
        list: async () => { const l = await this.cluster.policy.listNamespacedPodDisruptionBudget({ namespace: ns }); return { items: l.items, resourceVersion: rv(l) }; },
        digest: (o) => ({ pdb: pdbState(o as k8s.V1PodDisruptionBudget) }),
      },
      {
        kind: 'Event', path: `/api/v1/namespaces/${ns}/events`, keep: () => true,
        list: async () => { const l = await core.listNamespacedEvent({ namespace: ns }); return { items: l.items, resourceVersion: rv(l) }; },
        digest: (o) => ({ event: eventState(o as k8s.CoreV1Event) }),
      },
    ];
  }

  private async listAndWatch(spec: KindSpec, initial = true): Promise<void> {
    if (spec.optional) this.optionalKinds.add(spec.kind);
    const { items, resourceVersion } = await spec.list();
    const listed = (items as RawObject[]).filter((o) => spec.keep(o)).map((o) => ({
      name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '', resourceVersion: o.metadata?.resourceVersion ?? '', object: o,
    }));
    const known = this.known.get(spec.kind) ?? new Map<string, Known>();
    this.known.set(spec.kind, known);
    const relisted = !initial;
    const changes = diffRelist(known, listed);
    const reconciled = (this.reconciled.get(spec.kind) ?? 0) + (relisted ? changes.length : 0);
    this.reconciled.set(spec.kind, reconciled);
    for (const c of changes) {
      if (c.type === 'DELETED' || !c.object) {
        this.apply(spec, 'DELETED', { metadata: { name: c.name, uid: c.uid, resourceVersion: c.resourceVersion } }, relisted, true);
      } else {
        this.apply(spec, c.type, c.object, relisted);
      }
    }
    // The gap closes only once a new watch stream is open; a refused watch has already
    // scheduled the next attempt from its done callback.
    if (!(await this.watch(spec, resourceVersion))) return;
    const gap = this.health.reestablished(spec.kind, this.now());
    this.reconciled.delete(spec.kind);
    if (gap) {
      this.mark({ marker: 'watch-gap', ...gap, reconciled });
      this.log(describeGap(gap, reconciled));
    }
  }

  /** Opens the watch; false if it ended before it was established (client-node reports that through `done`, not by rejecting). */
  private async watch(spec: KindSpec, resourceVersion: string): Promise<boolean> {
    if (this.stopped) return false;
    const query: Record<string, string | number | boolean> = { resourceVersion, allowWatchBookmarks: true };
    if (spec.fieldSelector) query.fieldSelector = spec.fieldSelector;
    if (this.opts.watchTimeoutSeconds) query.timeoutSeconds = this.opts.watchTimeoutSeconds;
    let lastRv = resourceVersion;
    let gone = false;
    let ended = false;
    const opened = performance.now();
    const w = new k8s.Watch(this.cluster.kc);
    const ctl = await w.watch(
      spec.path,
      query,
      (type: string, obj: RawObject & { code?: number }) => {
        if (type === 'BOOKMARK') { lastRv = obj.metadata?.resourceVersion ?? lastRv; return; }
        if (type === 'ERROR') { gone = obj.code === 410; return; }
        lastRv = obj.metadata?.resourceVersion ?? lastRv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          if (spec.keep(obj) || this.known.get(spec.kind)?.has(obj.metadata?.name ?? '')) this.apply(spec, type, obj, false);
        }
      },
      (err: unknown) => {
        ended = true;
        if (this.stopped) return;
        // A closed watch (timeout, network) or 410 Gone: list again and diff, so any
        // transition that happened while no watch was open still reaches the timeline.
        this.relists++;
        this.health.closed(spec.kind, this.now());
        const why = gone ? '410 Gone' : err ? describeError(err) : 'closed';
        this.log(`watch on ${spec.kind} ended (${why}) after resourceVersion ${lastRv}; re-listing`);
        // A watch refused outright (ended within a second) counts as a failure, so a
        // refusal loop backs off instead of hammering the API server.
        this.relist(spec, performance.now() - opened < 1000 ? err ?? new Error(why) : undefined);
      },
    );
    if (this.stopped) ctl.abort(); // stop() ran while this watch was connecting
    else this.aborts.set(spec.kind, ctl);
    return !ended && !this.stopped;
  }

  /**
   * List and watch again, with capped backoff after failures, for as long as the recorder
   * runs: an API server outage ends when it ends, and each wait's own deadline decides
   * how long the run can afford it. Gives up (failing every wait) only on 401/403.
   */
  private relist(spec: KindSpec, failure?: unknown): void {
    if (this.stopped) return;
    let delay = 0;
    if (failure !== undefined) {
      const status = (failure as { statusCode?: number } | undefined)?.statusCode ?? httpStatus(failure);
      if (status === 401 || status === 403) {
        const message = `lost the watch on ${spec.kind} in namespace ${this.namespace}: ${describeError(failure)}`;
        if (spec.optional) { this.log(`${message}; going on without it`); return; }
        this.lost = new ClusterError(message, this.describeState());
        this.log(this.lost.message);
        for (const l of [...this.listeners]) l();
        return;
      }
      delay = this.health.failed(spec.kind, this.now(), describeError(failure));
      const n = this.health.outages().find((o) => o.kind === spec.kind)?.failures ?? 1;
      // First failure and then every ~30 s: enough to follow an outage without flooding.
      if (n === 1 || n % 6 === 0) this.log(`re-list of ${spec.kind} failed (${n}x): ${describeError(failure)}; retrying every ${delay / 1000}s`);
    }
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.listAndWatch(spec, false).catch((e: unknown) => this.relist(spec, e));
    }, delay);
    this.retries.add(timer);
  }

  private apply(spec: KindSpec, type: WatchEntry['type'], obj: RawObject, relisted: boolean, gone = false): void {
    const name = obj.metadata?.name ?? '';
    const uid = obj.metadata?.uid ?? '';
    const resourceVersion = obj.metadata?.resourceVersion ?? '';
    const known = this.known.get(spec.kind)!;
    if (spec.sink) {
      if (type === 'DELETED') known.delete(name);
      else known.set(name, { uid, resourceVersion });
      spec.sink(type, obj, relisted);
      return;
    }
    const entry: WatchEntry = { seq: this.timeline.length, t: this.now(), wall: Date.now(), type, kind: spec.kind, name, resourceVersion };
    if (relisted) entry.relisted = true;
    if (!gone) Object.assign(entry, spec.digest(obj));
    else if (spec.kind === 'Pod') entry.pod = { ...(this.pods.get(name) ?? { phase: 'Unknown', ready: false, claims: {} }), uid };
    this.timeline.push(entry);
    if (type === 'DELETED') {
      known.delete(name);
    } else {
      known.set(name, { uid, resourceVersion });
    }
    this.track(entry);
    for (const l of [...this.listeners]) l();
  }

  private track(e: WatchEntry): void {
    const del = e.type === 'DELETED';
    if (e.kind === 'Pod') del ? this.pods.delete(e.name) : e.pod && this.pods.set(e.name, e.pod);
    if (e.kind === 'PersistentVolumeClaim') del ? this.pvcs.delete(e.name) : e.pvc && this.pvcs.set(e.name, e.pvc);
    if (e.kind === 'PersistentVolume') del ? this.pvs.delete(e.name) : e.pv && this.pvs.set(e.name, e.pv);
    if (e.kind === 'Event' && e.event && !del) this.events.push(e.event);
  }
}
