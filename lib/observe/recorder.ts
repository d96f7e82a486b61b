// The run's observer: one ListWatch per watched kind (kinds.ts) feeding an append-only
// timeline. The recorder's own job is appending: each change becomes a timeline entry,
// which then updates the state store (store.ts) and re-evaluates the pending waits
// (waits.ts). The canary's changes are latency samples (canary.ts), not timeline entries.
// The state and wait members below are the store's and the waits', so a phase needs
// only the recorder.
import type { Cluster } from '../cluster/cluster.ts';
import { type ClusterError, ObservationError, describeError } from '../errors.ts';
import type { EntryBase, MarkerEntry, MarkerPayload, TimelineEntry, WatchEntry } from '../timeline/entries.ts';
import { CanarySampler } from './canary.ts';
import { type KindSpec, type RawObject, configMapKind, namespaceKinds } from './kinds.ts';
import { type ChangeHow, type ChangeType, ListWatch, type ListWatchEvents } from './list-watch.ts';
import { StateStore } from './store.ts';
import { type WaitOptions, Waits } from './waits.ts';
import { WatchHealth, describeGap } from './watch-gaps.ts';

export type { WaitOptions } from './waits.ts';

export interface RecorderOptions {
  /** Server-side watch timeout; short values exercise the re-list path in tests. */
  watchTimeoutSeconds?: number;
  log?: (line: string) => void;
}

export class Recorder {
  readonly timeline: TimelineEntry[] = [];
  readonly state = new StateStore();
  readonly pods = this.state.pods;
  readonly pvcs = this.state.pvcs;
  readonly pvs = this.state.pvs;
  readonly events = this.state.events;
  readonly #watches: ListWatch[] = [];
  readonly #health = new WatchHealth();
  readonly #optional = new Set<KindSpec['kind']>();
  readonly #t0 = performance.now();
  readonly #log: (line: string) => void;
  readonly #waits: Waits;
  #canary: CanarySampler | undefined;
  /** Set when a required watch cannot be kept (no permission): every wait then fails at once. */
  #lost: ClusterError | undefined;

  readonly #cluster: Cluster;
  readonly #namespace: string;
  readonly #opts: RecorderOptions;
  constructor(cluster: Cluster, namespace: string, opts: RecorderOptions = {}) {
    this.#cluster = cluster;
    this.#namespace = namespace;
    this.#opts = opts;
    this.#log = opts.log ?? (() => {});
    this.#waits = new Waits({
      now: () => this.now(),
      log: this.#log,
      summary: () => this.state.podSummary(),
      dump: () => this.state.describe(),
      trouble: () => this.observationTrouble(),
      lost: () => this.#lost,
    });
  }

  /** Run ms on a monotonic clock, 0.1 ms resolution: every entry's `t`. */
  now(): number {
    return Math.round((performance.now() - this.#t0) * 10) / 10;
  }

  async start(): Promise<void> {
    await Promise.all(
      namespaceKinds(this.#cluster, this.#namespace).map((spec) => {
        const watching = this.#watch(spec, (type, obj, how) => this.#append(spec, type, obj, how), spec.optional);
        return spec.optional
          ? watching.catch((err: unknown) =>
              this.#log(`going on without a watch on ${spec.kind} in namespace ${this.#namespace}: ${describeError(err)}`),
            )
          : watching;
      }),
    );
  }

  /**
   * Watches the canary ConfigMap `name` (see canary.ts) and samples detection latency
   * from its `annotation`. Optional: if it cannot be listed (RBAC), the run goes on
   * without the figure.
   */
  async watchCanary(name: string, annotation: string): Promise<boolean> {
    const sampler = new CanarySampler(annotation);
    this.#canary = sampler;
    try {
      await this.#watch(configMapKind(this.#cluster, this.#namespace, name), sampler.change.bind(sampler), true);
      return true;
    } catch (err) {
      this.#log(`detection latency will not be measured: cannot watch ConfigMap ${name}: ${describeError(err)}`);
      return false;
    }
  }

  /** Detection-latency samples, ms (empty without a canary watch). */
  get canarySamples(): readonly number[] {
    return this.#canary?.samples ?? [];
  }

  /** Times a watch ended and a re-list followed, over all kinds. */
  get relists(): number {
    return this.#watches.reduce((n, w) => n + w.relists, 0);
  }

  /** What a wait that ran out while a required watch was down must say instead of "timed out". */
  observationTrouble(): string | undefined {
    return this.#health.describe(this.now(), this.#optional);
  }

  stop(): void {
    for (const w of this.#watches) w.stop();
  }

  /** Writes a typed marker (lib/timeline/entries.ts MarkerPayload) into the timeline. */
  mark<P extends MarkerPayload>(payload: P): EntryBase & { type: 'MARKER' } & P {
    const e = { seq: this.timeline.length, t: this.now(), wall: Date.now(), type: 'MARKER' as const, ...payload };
    this.timeline.push(e as MarkerEntry);
    return e;
  }

  /** See waits.ts: resolves once until() is defined, rejects on its deadline with what was seen. */
  waitFor<T>(w: WaitOptions<T>): Promise<T> {
    return this.#waits.waitFor(w);
  }

  /**
   * The UID of `pod` once it is present, not terminating, and (per `needs`) scheduled on a
   * node or Running: the pod a disruption must aim at while an update may be replacing it.
   */
  livePod(pod: string, needs: 'node' | 'running' | undefined, timeoutMs: number, why: string): Promise<string> {
    const also = needs === 'node' ? ', scheduled on a node' : needs === 'running' ? ', Running' : '';
    return this.waitFor({
      describe: `${pod} present and not terminating${also} ${why}`,
      timeoutMs,
      until: () => {
        const s = this.pods.get(pod);
        if (!s || s.deletionTimestamp) return undefined;
        if (needs === 'node' && !s.node) return undefined;
        if (needs === 'running' && s.phase !== 'Running') return undefined;
        return s.uid;
      },
    });
  }

  podSummary(): string {
    return this.state.podSummary();
  }

  /** Pods, PVCs and the last events: what a timeout message shows. */
  describeState(): string {
    return this.state.describe();
  }

  async #watch(spec: KindSpec, change: ListWatchEvents['change'], optional = false): Promise<void> {
    if (optional) this.#optional.add(spec.kind);
    const lw = new ListWatch(
      this.#cluster,
      spec,
      { change, ...this.#watchEvents() },
      {
        health: this.#health,
        now: () => this.now(),
        log: this.#log,
        optional,
        ...(this.#opts.watchTimeoutSeconds ? { watchTimeoutSeconds: this.#opts.watchTimeoutSeconds } : {}),
      },
    );
    this.#watches.push(lw);
    await lw.start();
  }

  /** Gaps become markers; a lost required watch fails every wait. */
  #watchEvents(): Omit<ListWatchEvents, 'change'> {
    return {
      gap: (gap, reconciled) => {
        this.mark({ marker: 'watch-gap', ...gap, reconciled });
        this.#log(describeGap(gap, reconciled));
      },
      lost: (kind, error) => {
        this.#lost = new ObservationError(`lost the watch on ${kind} in namespace ${this.#namespace}: ${error}`, this.state.describe());
        this.#log(this.#lost.message);
        this.#waits.notify();
      },
    };
  }

  #append(spec: KindSpec, type: ChangeType, obj: RawObject, how: ChangeHow): void {
    const name = obj.metadata?.name ?? '';
    const entry: WatchEntry = {
      seq: this.timeline.length,
      t: this.now(),
      wall: Date.now(),
      type,
      kind: spec.kind,
      name,
      resourceVersion: obj.metadata?.resourceVersion ?? '',
    };
    if (how.relisted) entry.relisted = true;
    if (!how.gone) Object.assign(entry, spec.digest(obj));
    else if (spec.kind === 'Pod') entry.pod = this.state.lastPod(name, obj.metadata?.uid ?? '');
    this.timeline.push(entry);
    this.state.apply(entry);
    this.#waits.notify();
  }
}
