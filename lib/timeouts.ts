// Every budget a wait of Ordinal has, named once with the reason for its size, in the
// spirit of the Kubernetes e2e framework's TimeoutContext.
export const TIMEOUTS = {
  /** How often a clock-dependent wait is re-evaluated and a long wait checks whether to report progress. */
  waitTick: 1000,
  /** A wait says what it sees this often, so a slow run shows where it is stuck. */
  waitProgressEvery: 10_000,
} as const;
