// Every "wait until" of a run: a predicate re-evaluated on each new timeline entry (and
// once a second for predicates that also depend on the clock), so a change is seen as
// soon as the API server sends it, with no polling. Each wait names what it waits for,
// says how it is doing every few seconds, and on its deadline reports what it saw.
import { ObservationError, WaitTimeoutError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';

export interface WaitOptions<T> {
  /** What is awaited, as the timeout message and progress lines name it. */
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

/** What the waits read from the rest of the observer. */
export interface WaitSources {
  now(): number;
  log(line: string): void;
  /** One line of what is being watched, for progress lines. */
  summary(): string;
  /** The namespace dump a timeout message carries. */
  dump(): string;
  /** Why observation is impaired right now (a watch down), if it is. */
  trouble(): string | undefined;
  /** Set once a required watch is lost for good: every wait then fails with it. */
  lost(): Error | undefined;
}

export class Waits {
  readonly #pending = new Set<() => void>();
  readonly #src: WaitSources;

  constructor(src: WaitSources) {
    this.#src = src;
  }

  /** Re-evaluates every pending wait: after each timeline entry, and when a watch is lost. */
  notify(): void {
    for (const check of [...this.#pending]) check();
  }

  /** Resolves with until()'s value as soon as an entry makes it defined; rejects on timeout with what was seen. */
  waitFor<T>(w: WaitOptions<T>): Promise<T> {
    const src = this.#src;
    return new Promise<T>((resolve, reject) => {
      const started = src.now();
      let nextReport = TIMEOUTS.waitProgressEvery;
      const finish = (fn: () => void): void => {
        this.#pending.delete(check);
        clearTimeout(timer);
        clearInterval(ticker);
        fn();
      };
      const check = (): void => {
        const lost = src.lost();
        if (lost) {
          finish(() => reject(lost));
          return;
        }
        const failure = w.failFast?.();
        if (failure) {
          finish(() => reject(failure));
          return;
        }
        const v = w.until();
        if (v !== undefined) finish(() => resolve(v));
      };
      const timer = setTimeout(() => {
        // A deadline that passes while a watch is down says nothing about the cluster:
        // the harness could not see it, so the wait ends as lost observation.
        const trouble = src.trouble();
        const err = trouble
          ? new ObservationError(
              `could not observe the cluster while waiting ${w.timeoutMs / 1000}s for ${w.describe}: ${trouble}`,
              src.dump(),
            )
          : new WaitTimeoutError(`timed out after ${w.timeoutMs / 1000}s waiting for ${w.describe}`, src.dump());
        finish(() => reject(err));
      }, w.timeoutMs);
      // Progress, and for clock-dependent waits a re-check; otherwise the verdict comes
      // from check() on watch entries.
      const ticker = setInterval(() => {
        if (w.clock) {
          check();
          if (!this.#pending.has(check)) return;
        }
        const waited = src.now() - started;
        if (waited >= nextReport) {
          src.log(`waiting for ${w.describe} (${Math.round(waited / 1000)}s of ${w.timeoutMs / 1000}s): ${src.summary()}`);
          nextReport += TIMEOUTS.waitProgressEvery;
        }
      }, TIMEOUTS.waitTick);
      this.#pending.add(check);
      check();
    });
  }
}
