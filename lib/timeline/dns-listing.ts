// What cluster DNS may answer for a StatefulSet's pods at a given moment, from the
// timeline: the probe settles against it and STS-DNS-A/SRV judge each answer by it.
// DNS follows readiness through the EndpointSlice controller and CoreDNS's watch, and
// resolvers cache an answer for its TTL, so an answer given at t may show any listing
// the pod had during [t - TTL - PROPAGATION_MS, t]: a readiness blink is tolerated for
// that long, a record older than that is stale. When the API server was unreachable
// (a watch-gap marker), CoreDNS's own watch was down too and re-lists only after its
// back-off: until `budgetMs` after the API came back, its view may date from the gap's start.
import type { PodState, TimelineEntry } from './entries.ts';
import { inOrder, isPodEntry, isReady, ordinalOf } from './queries.ts';

/** Endpoint update to CoreDNS after the watch event reached the harness (measured well under 1 s on the local cluster). */
export const PROPAGATION_MS = 1000;
/** CoreDNS's kubernetes plugin's default record TTL, for answers recorded without one. */
export const DEFAULT_TTL_S = 5;

export interface ListingOptions {
  statefulSet: string;
  /** The Service publishes not-ready pods too (spec.publishNotReadyAddresses). */
  publishNotReadyAddresses?: boolean;
  /** How long DNS may take to follow a change once the API is reachable (--dns-budget). */
  budgetMs?: number;
}

/**
 * The IP DNS publishes for a pod in `state`, or undefined when it publishes none:
 * the EndpointSlice controller lists a pod with an IP that is not terminal, marked
 * ready when it is Ready and not terminating, or always with publishNotReadyAddresses;
 * CoreDNS serves only ready endpoints (upstream endpointslice podToEndpoint).
 */
export function publishedIp(state: PodState | undefined, publishNotReady: boolean): string | undefined {
  if (!state?.ip || state.phase === 'Succeeded' || state.phase === 'Failed') return undefined;
  return publishNotReady || isReady(state) ? state.ip : undefined;
}

interface Stretch {
  from: number;
  ip: string | undefined;
}

/** What an answer given at one moment may say about one pod. */
export interface PodWindow {
  /** Every IP the pod was published at during the window. */
  ips: string[];
  /** The pod was unpublished (absent, not ready, deleted) at some moment of the window. */
  unlisted: boolean;
  /** Published throughout the window at this one IP: an answer must list it. */
  required?: string;
  /** The window's start (run ms) and why it reaches that far back. */
  from: number;
  why: string;
}

export class DnsListing {
  readonly #stretches = new Map<string, Stretch[]>();
  readonly #gaps: { from: number; to: number }[] = [];
  readonly #budgetMs: number;

  constructor(timeline: readonly TimelineEntry[], o: ListingOptions) {
    this.#budgetMs = o.budgetMs ?? 60_000;
    for (const e of inOrder(timeline)) {
      if (e.type === 'MARKER') {
        if (e.marker === 'watch-gap' && e.kind === 'Pod') this.#gaps.push({ from: e.from, to: e.to });
        continue;
      }
      if (!isPodEntry(e) || ordinalOf(o.statefulSet, e.name) === undefined) continue;
      const ip = e.type === 'DELETED' ? undefined : publishedIp(e.pod, !!o.publishNotReadyAddresses);
      const list = this.#stretches.get(e.name) ?? [];
      this.#stretches.set(e.name, list);
      if (list.length === 0 || list.at(-1)?.ip !== ip) list.push({ from: e.t, ip });
    }
  }

  /** Pods the timeline shows, by name. */
  pods(): string[] {
    return [...this.#stretches.keys()].sort();
  }

  /** The window an answer given at `t` with TTL `ttlS` is judged over. */
  windowStart(t: number, ttlS: number | undefined): { from: number; why: string } {
    const ttl = (ttlS ?? DEFAULT_TTL_S) * 1000;
    let from = t - ttl - PROPAGATION_MS;
    let why = `one record TTL (${ttl / 1000} s) + ${PROPAGATION_MS / 1000} s propagation`;
    for (const g of this.#gaps) {
      if (t >= g.from && t <= g.to + this.#budgetMs && g.from - ttl < from) {
        from = g.from - ttl;
        why = `the API server was unreachable t=${g.from}..${g.to}ms and CoreDNS's watch may re-list up to the DNS budget (${this.#budgetMs / 1000} s) later`;
      }
    }
    return { from, why };
  }

  /** What an answer about `pod` given at `t` (TTL `ttlS`) may say. */
  at(pod: string, t: number, ttlS?: number): PodWindow {
    const { from, why } = this.windowStart(t, ttlS);
    const list = this.#stretches.get(pod) ?? [];
    const ips = new Set<string>();
    let unlisted = list.length === 0 || (list[0]?.from ?? 0) > from;
    list.forEach((s, i) => {
      const end = list[i + 1]?.from ?? Number.POSITIVE_INFINITY;
      if (s.from > t || end < from) return;
      if (s.ip === undefined) unlisted = true;
      else ips.add(s.ip);
    });
    const only = ips.size === 1 ? [...ips][0] : undefined;
    return { ips: [...ips].sort(), unlisted, ...(only && !unlisted ? { required: only } : {}), from, why };
  }

  /** The pods an SRV answer given at `t` must list (published throughout) and may list (published at some moment). */
  srvAt(t: number, ttlS?: number): { required: string[]; allowed: string[]; from: number; why: string } {
    const { from, why } = this.windowStart(t, ttlS);
    const required: string[] = [];
    const allowed: string[] = [];
    for (const pod of this.pods()) {
      const w = this.at(pod, t, ttlS);
      if (w.ips.length > 0) allowed.push(pod);
      if (!w.unlisted) required.push(pod);
    }
    return { required, allowed, from, why };
  }

  /** The IP published for `pod` at `t` exactly (undefined: none). */
  now(pod: string, t: number): string | undefined {
    const list = this.#stretches.get(pod) ?? [];
    let ip: string | undefined;
    for (const s of list) if (s.from <= t) ip = s.ip;
    return ip;
  }
}
