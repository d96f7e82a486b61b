// One kind, listed and then watched, in the shape of client-node's informer (list, watch,
// re-list on 410 Gone or a closed stream, backoff after failures) but with what a
// conformance harness needs on top: every transition missed while no watch was open is
// reconstructed from the re-list (relist.ts), and every stretch without a watch is
// recorded as a gap (watch-gaps.ts). The ListWatch only reports changes; what they mean
// is the recorder's business.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError, httpStatus } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';
import type { WatchEntry } from '../timeline/entries.ts';
import type { KindSpec, RawObject } from './kinds.ts';
import { type Known, diffRelist } from './relist.ts';
import type { WatchGap, WatchHealth } from './watch-gaps.ts';

export type ChangeType = WatchEntry['type'];

export interface ChangeHow {
  /** Learnt from a re-list, not from the watch stream: late by construction. */
  relisted: boolean;
  /** Deleted while no watch was open: only the name and identity are known, not the last state. */
  gone: boolean;
}

export interface ListWatchEvents {
  change(type: ChangeType, obj: RawObject, how: ChangeHow): void;
  /** A watch that had been down is back; `reconciled` changes came from re-lists meanwhile. */
  gap(gap: WatchGap, reconciled: number): void;
  /** A required watch cannot be kept (401/403): nothing it would show can be judged any more. */
  lost(kind: KindSpec['kind'], error: string): void;
}

export interface ListWatchOptions {
  /** Shared by every kind of one recorder, so a wait can say which watches are down. */
  health: WatchHealth;
  now: () => number;
  log: (line: string) => void;
  /** Server-side watch timeout; short values exercise the re-list path in tests. */
  watchTimeoutSeconds?: number;
  /** An optional watch never fails a wait: losing it costs only what it measures. */
  optional?: boolean;
}

/** A watch that ends this soon after opening was refused, not closed: it backs off instead of looping. */
const REFUSED_WITHIN_MS = 1000;

export class ListWatch {
  /** Times the watch ended and a re-list followed. */
  relists = 0;
  readonly spec: KindSpec;
  readonly #cluster: Cluster;
  readonly #events: ListWatchEvents;
  readonly #o: ListWatchOptions;
  readonly #known = new Map<string, Known>();
  readonly #retries = new Set<NodeJS.Timeout>();
  #abort: AbortController | undefined;
  /** Changes re-lists applied since the watch was last established (a list can succeed while its watch fails). */
  #reconciled = 0;
  #stopped = false;
  /** When re-lists began to be refused (401/403), on the options' clock; cleared by a list that succeeds. */
  #refusedSince: number | undefined;

  constructor(cluster: Cluster, spec: KindSpec, events: ListWatchEvents, o: ListWatchOptions) {
    this.#cluster = cluster;
    this.spec = spec;
    this.#events = events;
    this.#o = o;
  }

  /** The first list and watch; rejects if the first list fails (later failures are retried). */
  start(): Promise<void> {
    return this.#listAndWatch(true);
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
    this.#abort = undefined;
    for (const t of this.#retries) clearTimeout(t);
    this.#retries.clear();
  }

  async #listAndWatch(initial: boolean): Promise<void> {
    const { items, resourceVersion } = await this.spec.list();
    this.#refusedSince = undefined;
    const listed = (items as RawObject[])
      .filter((o) => this.spec.keep(o))
      .map((o) => ({
        name: o.metadata?.name ?? '',
        uid: o.metadata?.uid ?? '',
        resourceVersion: o.metadata?.resourceVersion ?? '',
        object: o,
      }));
    const changes = diffRelist(this.#known, listed);
    if (!initial) this.#reconciled += changes.length;
    for (const c of changes) {
      if (c.type === 'DELETED' || !c.object) {
        this.#apply(
          'DELETED',
          { metadata: { name: c.name, uid: c.uid, resourceVersion: c.resourceVersion } },
          { relisted: !initial, gone: true },
        );
      } else {
        this.#apply(c.type, c.object, { relisted: !initial, gone: false });
      }
    }
    // The gap closes only once a new watch stream is open; a refused watch has already
    // scheduled the next attempt from its done callback.
    if (!(await this.#watch(resourceVersion))) return;
    const gap = this.#o.health.reestablished(this.spec.kind, this.#o.now());
    const reconciled = this.#reconciled;
    this.#reconciled = 0;
    if (gap) this.#events.gap(gap, reconciled);
  }

  /** Opens the watch; false if it ended before it was established (client-node reports that through `done`, not by rejecting). */
  async #watch(resourceVersion: string): Promise<boolean> {
    if (this.#stopped) return false;
    const { spec } = this;
    const query: Record<string, string | number | boolean> = { resourceVersion, allowWatchBookmarks: true };
    if (spec.fieldSelector) query.fieldSelector = spec.fieldSelector;
    if (this.#o.watchTimeoutSeconds) query.timeoutSeconds = this.#o.watchTimeoutSeconds;
    let lastRv = resourceVersion;
    let gone = false;
    let ended = false;
    const opened = performance.now();
    const ctl = await new k8s.Watch(this.#cluster.kc).watch(
      spec.path,
      query,
      (type: string, obj: RawObject & { code?: number }) => {
        if (type === 'BOOKMARK') {
          lastRv = obj.metadata?.resourceVersion ?? lastRv;
          return;
        }
        if (type === 'ERROR') {
          gone = obj.code === 410;
          return;
        }
        lastRv = obj.metadata?.resourceVersion ?? lastRv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          if (spec.keep(obj) || this.#known.has(obj.metadata?.name ?? '')) this.#apply(type, obj, { relisted: false, gone: false });
        }
      },
      (err: unknown) => {
        ended = true;
        if (this.#stopped) return;
        // A closed watch (timeout, network) or 410 Gone: list again and diff, so any
        // transition that happened while no watch was open still reaches the timeline.
        this.relists++;
        this.#o.health.closed(spec.kind, this.#o.now());
        const why = gone ? '410 Gone' : err ? describeError(err) : 'closed';
        this.#o.log(`watch on ${spec.kind} ended (${why}) after resourceVersion ${lastRv}; re-listing`);
        this.#relist(performance.now() - opened < REFUSED_WITHIN_MS ? (err ?? new Error(why)) : undefined);
      },
    );
    if (this.#stopped)
      ctl.abort(); // stop() ran while this watch was connecting
    else this.#abort = ctl;
    return !ended && !this.#stopped;
  }

  /**
   * List and watch again, with capped backoff after failures, for as long as the recorder
   * runs: an API server outage ends when it ends, and each wait's own deadline decides
   * how long the run can afford it. Gives up only on 401/403 that outlast TIMEOUTS.authAfterRestart.
   */
  #relist(failure?: unknown): void {
    if (this.#stopped) return;
    const { kind } = this.spec;
    let delay = 0;
    if (failure !== undefined) {
      const status = (failure as { statusCode?: number } | undefined)?.statusCode ?? httpStatus(failure);
      const refused = status === 401 || status === 403;
      const now = this.#o.now();
      if (refused) this.#refusedSince ??= now;
      // A kube-apiserver that has just started answers 403 until its RBAC informers have
      // synced (seen: the first re-lists after a 30 s outage, for the admin user). This watch
      // listed before, so refusal is given TIMEOUTS.authAfterRestart to pass.
      if (refused && now - this.#refusedSince! >= TIMEOUTS.authAfterRestart) {
        const why = `${describeError(failure)} (refused for ${((now - this.#refusedSince!) / 1000).toFixed(0)}s)`;
        if (this.#o.optional) this.#o.log(`lost the watch on ${kind}: ${why}; going on without it`);
        else this.#events.lost(kind, why);
        return;
      }
      delay = this.#o.health.failed(kind, this.#o.now(), describeError(failure));
      const n = this.#o.health.outages().find((o) => o.kind === kind)?.failures ?? 1;
      // First failure and then every ~30 s: enough to follow an outage without flooding.
      if (n === 1 || n % 6 === 0)
        this.#o.log(`re-list of ${kind} failed (${n}x): ${describeError(failure)}; retrying every ${delay / 1000}s`);
    }
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      this.#listAndWatch(false).catch((e: unknown) => this.#relist(e));
    }, delay);
    this.#retries.add(timer);
  }

  #apply(type: ChangeType, obj: RawObject, how: ChangeHow): void {
    const name = obj.metadata?.name ?? '';
    if (type === 'DELETED') this.#known.delete(name);
    else this.#known.set(name, { uid: obj.metadata?.uid ?? '', resourceVersion: obj.metadata?.resourceVersion ?? '' });
    this.#events.change(type, obj, how);
  }
}
