// The recorder's memory of when each watch stopped observing, kept apart from the I/O
// so the gap bookkeeping is unit-tested without a cluster. A gap opens when a watch
// closes and a re-list or re-watch then fails; it closes when a list and a new watch
// both succeed. Times are run ms (the recorder's monotonic clock).
import { backoffMs } from '../cluster/retry.ts';
import type { WatchedKind } from '../timeline/entries.ts';

export interface WatchGap {
  kind: WatchedKind;
  /** When the watch stopped delivering (its stream closed), run ms. */
  from: number;
  /** When a re-list and a new watch succeeded again, run ms. */
  to: number;
  /** The first error that kept it down. */
  reason: string;
}

export interface WatchOutage {
  kind: WatchedKind;
  since: number;
  failures: number;
  firstError: string;
  lastError: string;
}

export class WatchHealth {
  readonly #closedAt = new Map<WatchedKind, number>();
  readonly #down = new Map<WatchedKind, WatchOutage>();

  /** The watch's stream ended at `t` (for whatever reason): observation stopped then. */
  closed(kind: WatchedKind, t: number): void {
    if (!this.#closedAt.has(kind)) this.#closedAt.set(kind, t);
  }

  /** A list or watch attempt failed at `t`; returns how long to wait before the next one. */
  failed(kind: WatchedKind, t: number, error: string): number {
    const o = this.#down.get(kind);
    if (o) {
      o.failures++;
      o.lastError = error;
      return backoffMs(o.failures);
    }
    const since = this.#closedAt.get(kind) ?? t;
    this.#down.set(kind, { kind, since, failures: 1, firstError: error, lastError: error });
    return backoffMs(1);
  }

  /** A list and a new watch succeeded at `t`: the gap it closes, if there was one. */
  reestablished(kind: WatchedKind, t: number): WatchGap | undefined {
    this.#closedAt.delete(kind);
    const o = this.#down.get(kind);
    if (!o) return undefined;
    this.#down.delete(kind);
    return { kind, from: o.since, to: t, reason: o.firstError };
  }

  /** Watches that are down now, longest first. */
  outages(): WatchOutage[] {
    return [...this.#down.values()].sort((a, b) => a.since - b.since);
  }

  /** One line for an error message: which watches are down (except `ignore`), since when, the last error. */
  describe(now: number, ignore: ReadonlySet<WatchedKind> = new Set()): string | undefined {
    const down = this.outages().filter((o) => !ignore.has(o.kind));
    if (down.length === 0) return undefined;
    return down
      .map(
        (o) =>
          `the watch on ${o.kind} has been down since t=${(o.since / 1000).toFixed(1)}s (${((now - o.since) / 1000).toFixed(1)}s, ${o.failures} failed attempts; last error: ${o.lastError})`,
      )
      .join('; ');
  }
}

/** The console line for a closed gap. */
export function describeGap(g: WatchGap, reconciled: number): string {
  const changes = `${reconciled} change${reconciled === 1 ? '' : 's'} reconciled`;
  return `API watch on ${g.kind} was down ${((g.to - g.from) / 1000).toFixed(1)}s; re-listed, ${changes} (${g.reason})`;
}
