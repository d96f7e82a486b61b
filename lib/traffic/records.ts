// What traffic during chaos records: every write the client sent (when, to which pod,
// whether it was acknowledged) and what each store held afterwards. Plain JSON, so the
// STS-WRITES-DURABLE check and the availability figures are pure functions over it.

import type { HistoryEvent } from '../history/events.ts';

/** One write as the client saw it. Times are run ms (the recorder's clock). */
export interface WriteRecord {
  /** The pod the write was sent to, by its stable DNS name. */
  pod: string;
  key: string;
  /** Where the key must be found afterwards: the pod's own volume (web) or the whole cluster (etcd). */
  store: string;
  sentMs: number;
  /**
   * acked: the application answered success; failed: a refusal that shows the write never
   * took effect (no DNS answer, connection refused, a rejected key); unknown: the outcome is
   * not known (a timeout, any other error, or no outcome recorded): Jepsen's `info`.
   */
  outcome: 'acked' | 'failed' | 'unknown';
  doneMs?: number;
  /** Why a write was not acknowledged (DNS, connection refused, timeout, HTTP status). */
  detail?: string;
  /** The pod whose answer acknowledged it (web: the CGI names its pod; etcd: the member that served the put, mapped to its pod). */
  answeredBy?: string;
  /** That pod's UID, when the answer carried it (web, from the downward API). */
  answeredUid?: string;
  /** etcd: the serving member's ID (hex) from the put's response header, before it is mapped to a pod. */
  answeredMember?: string;
  /** The address the client's DNS answer gave for the addressed pod (web). */
  address?: string;
}

/** The keys one member of a store held after chaos, or why they could not be read. */
export interface ReadBack {
  store: string;
  /** The pod the keys were read through: for etcd one ReadBack per member, each a serializable read of that member. */
  pod: string;
  keys?: string[];
  error?: string;
  /** The read never happened (exec transport failure): nothing is known about the store. */
  unobserved?: true;
}

/** How the traffic of one run went: shared by the recording and the results.json summary. */
export interface TrafficRun {
  /** The driver that wrote (`web`, `etcd`); absent with `skip`. */
  driver?: string;
  /** Why no traffic ran (--traffic off, no driver for the workload): STS-WRITES-DURABLE is skipped with it. */
  skip?: string;
  /** The client could not run or its records could not be read: STS-WRITES-DURABLE is `error`. */
  error?: string;
  ratePerSecond?: number;
  startedMs?: number;
  stoppedMs?: number;
}

/** Everything the traffic client recorded in one run (CheckInput.traffic). */
export interface TrafficRecord extends TrafficRun {
  writes: WriteRecord[];
  readBack: ReadBack[];
  /** The history client's operations (--traffic register | set), written to history.jsonl, not to timeline.json. */
  history?: HistoryEvent[];
  /**
   * One instant on both clocks: the history's first invocation (client ns) at the run's
   * traffic-start mark (run ms). Approximate: the client starts its operations as soon as
   * its pod runs, the mark follows the harness seeing it Running (within about a second).
   */
  historyClock?: { ns: number; runMs: number };
  /** etcd: member ID (hex) → pod name, from `member list` at read-back. */
  members?: Record<string, string>;
}

export type KeyClass = 'ok' | 'lost' | 'indeterminate' | 'failed-write';

export interface ClassifiedKey {
  pod: string;
  store: string;
  key: string;
  class: KeyClass;
  sentMs?: number;
}

/** The counts and the keys worth naming, for results.json (lost and indeterminate capped at 50 each). */
export interface WriteCounts {
  sent: number;
  acked: number;
  ok: number;
  lost: number;
  indeterminate: number;
  failedWrites: number;
  /** Keys present in a store that the client never sent (another writer, or a bug). */
  unexpected: number;
  /** Writes whose outcome is unknown (Jepsen's `info`: timed out, or an error that is not a clear refusal). */
  unknown?: number;
  /** Of those, the ones present afterwards: they took effect. */
  recovered?: number;
  /** Acknowledged by a pod other than the one addressed. */
  misrouted?: number;
  /** Members that lack keys other members of their store hold (after the read-back's convergence wait). */
  staleMembers?: number;
}

export interface UnavailableInterval {
  pod: string;
  fromMs: number;
  toMs: number;
  /** The round it started in, and the disruption that pod got in that round, if any. */
  round?: number;
  action?: string;
  /** The interval still ran when traffic stopped. */
  open?: true;
}

export interface PodAvailability {
  pod: string;
  sent: number;
  acked: number;
  /** acked / sent (0..1); absent when nothing was sent. */
  fraction?: number;
}

/** results.json `traffic`: the accounting and the availability figures (not a check). */
export interface TrafficSummary extends TrafficRun {
  counts: WriteCounts;
  lost: { pod: string; key: string; sentMs?: number; answeredBy?: string; answeredUid?: string }[];
  indeterminate: { pod: string; key: string; sentMs?: number }[];
  /** The first 50 writes acknowledged by another pod than the one addressed. */
  misrouted?: { pod: string; key: string; answeredBy: string; answeredUid?: string; address?: string; sentMs?: number }[];
  /** The first 50 keys present that no write sent, with the member that held each. */
  unexpectedKeys?: { store: string; member: string; key: string }[];
  /** Members holding less than their store's other members, with a count of what they lack. */
  stale?: { store: string; member: string; missing: number }[];
  availability: {
    overall: PodAvailability;
    perPod: PodAvailability[];
    /** Per whole second since traffic started: writes sent and acknowledged, overall. */
    perSecond: { second: number; sent: number; acked: number }[];
    /** Per round: the longest interval any pod refused writes, with the pod. */
    rounds: { round: number; longestUnavailableMs: number; pod?: string }[];
    intervals: UnavailableInterval[];
    /** Per fault kind (partition, ...): the writes during its faults' windows; absent when the run held no fault. */
    byFault?: FaultAvailability[];
  };
}

/**
 * Availability while faults of one kind were held: each fault's window runs from its
 * confirmation to its confirmed heal (to the end of traffic when no heal was confirmed),
 * so a write counts when it was sent inside a window. A figure, not a check.
 */
export interface FaultAvailability {
  kind: string;
  /** Faults of this kind with traffic running in their window. */
  faults: number;
  /** Every pod's writes sent in the windows. */
  all: Omit<PodAvailability, 'pod'>;
  /** Only the writes addressed to the pods the fault was applied to. */
  targets: Omit<PodAvailability, 'pod'>;
  /**
   * Per window, the longest time any pod acknowledged nothing inside it (the part of an
   * unavailable interval that falls in the window); nearest-rank p50 and p95, and the max, over the windows.
   */
  longestUnavailableMs: { p50?: number; p95?: number; max?: number };
}
