// The timeline a run records: watch entries for the kinds the recorder watches, and the
// harness's own markers, in one append-only list ordered by `seq`. Markers are a union
// discriminated on `marker`, each with its own typed payload, so no reader parses text.
import type { DisruptionName, Expectation, KillPattern, LeaderRecord, NetFaultKind } from '../model.ts';

/** Resource kinds the recorder watches. */
export type WatchedKind = 'Pod' | 'PersistentVolumeClaim' | 'PersistentVolume' | 'Event' | 'ConfigMap' | 'PodDisruptionBudget';

/** What the harness observed about a pod at one moment (a digest of the object). */
export interface PodState {
  uid: string;
  phase: string; // Pending | Running | Succeeded | Failed | Unknown
  ready: boolean;
  /** status.conditions[Ready].lastTransitionTime, RFC 3339 (second precision, the kubelet's clock). */
  readySince?: string;
  /** metadata.creationTimestamp, RFC 3339 (second precision, the API server's clock); absent in older recordings. */
  created?: string;
  ip?: string;
  hostname?: string;
  subdomain?: string;
  node?: string;
  /** Set once the API server has marked the pod for deletion. */
  deletionTimestamp?: string;
  /** controller-revision-hash label. */
  revision?: string;
  /** volume name -> claim name, for persistentVolumeClaim volumes. */
  claims: Record<string, string>;
  /** Sum of the containers' restart counts; absent when 0 (and in older recordings). */
  restartCount?: number;
  /** Short reasons for not-ready containers (e.g. ImagePullBackOff), for evidence. */
  waiting?: string[];
  /**
   * The reason of a true DisruptionTarget condition: who is about to delete the pod
   * (`DeletionByTaintManager`, `EvictionByEvictionAPI`, …); absent otherwise and in older recordings.
   */
  disruptionTarget?: string;
  /**
   * status.reason and status.message, set when the kubelet ends the pod itself (`Evicted`
   * under node pressure or over an ephemeral-storage limit, `Terminated` at node shutdown).
   */
  reason?: string;
  message?: string;
}

export interface PvcState {
  uid: string;
  phase: string; // Pending | Bound | Lost
  volumeName?: string;
  storageClass?: string;
  deletionTimestamp?: string;
}

export interface PvState {
  uid: string;
  phase: string;
  claimUid?: string;
  claimName?: string;
  /**
   * The node a `spec.nodeAffinity` pins the volume to (node-local storage: local-node,
   * kind's local-path); absent for a shared or network volume and in older recordings.
   */
  pinnedNode?: string;
}

/** A PodDisruptionBudget's status as the disruption controller (or an admitted eviction) last wrote it. */
export interface PdbState {
  uid: string;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  /** metadata.generation and status.observedGeneration: the Eviction API refuses while they differ. */
  generation?: number;
  observedGeneration?: number;
  /** status.disruptedPods: pods an admitted eviction has claimed that the controller has not yet seen go. */
  disruptedPods?: string[];
}

export interface EventState {
  uid: string;
  reason: string;
  message: string;
  type: string; // Normal | Warning
  involved: string; // "Pod/web-0"
  count?: number;
}

export interface EntryBase {
  /** Arrival order, strictly increasing. */
  seq: number;
  /** Milliseconds since the run started, from a monotonic clock. */
  t: number;
  /** Wall-clock arrival time (ms since epoch), to relate to cluster timestamps. */
  wall: number;
}

/** A watch event, or a synthetic one made when a re-list found a change the watch missed. */
export interface WatchEntry extends EntryBase {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: WatchedKind;
  name: string;
  resourceVersion: string;
  /** True when produced by re-listing after a closed watch or 410 Gone. */
  relisted?: boolean;
  pod?: PodState;
  pvc?: PvcState;
  pv?: PvState;
  event?: EventState;
  pdb?: PdbState;
}

/** What a marker says, by marker name. */
export type MarkerPayload =
  | { marker: 'deploy' } // objects created; initial rollout begins
  | { marker: 'rollout-complete' }
  | { marker: 'baseline' }
  | {
      marker: 'round-start';
      round: number;
      pattern: KillPattern;
      /** The controller revision every pod must be at once the round has recovered. */
      revision?: string;
      /**
       * Per pod, where it differs from `revision`: after an update with a partition, the
       * ordinals below startOrdinal + partition stay at the old revision (lib/update/).
       */
      revisions?: Record<string, string>;
    }
  | {
      marker: 'kill';
      round: number;
      pod: string;
      /** The UID the disruption aimed at. */
      uid: string;
      /** The disruption (lib/chaos/disruptions/). */
      action: DisruptionName;
      /** What the StatefulSet must do; absent in older recordings, where every kill was a deletion (`replaced`). */
      expect?: Expectation;
      /** restartCount summed over the pod's containers when the disruption went out. */
      restartCount?: number;
      /** The seeded values the plan drew for this kill. */
      params?: Record<string, number>;
    }
  | {
      /** The API refused the kill just before this (e.g. an eviction a PodDisruptionBudget forbids: 429). */
      marker: 'kill-refused';
      round: number;
      pod: string;
      uid: string;
      status: number;
      reason: string;
    }
  | {
      marker: 'round-end';
      round: number;
      converged: boolean;
      /** Set when the wait ended because the harness lost observation, not because it timed out. */
      unobserved?: string;
    }
  /**
   * A node fault (lib/chaos/node-fault/): `down` once the node was stopped, `up` once it
   * was started again; `pod`/`uid` name the pod whose node it is. STS-AT-MOST-ONE judges
   * what left the API between the two.
   */
  | { marker: 'node-down'; round: number; node: string; pod: string; uid: string }
  | { marker: 'node-up'; round: number; node: string }
  /**
   * A partition (lib/chaos/disruptions/partition.ts), confirmed from inside the pod:
   * `partition` once its peers time out and the API server still connects (confirmMs
   * since the request went out), `partition-healed` once every peer connects again
   * (healConfirmMs since the heal was asked for).
   */
  | {
      marker: 'partition';
      round: number;
      pod: string;
      uid: string;
      peers: string[];
      node: string;
      confirmMs: number;
      /** The shape (lib/chaos/partition-shape.ts) and who cannot reach whom; absent in older recordings (isolate). */
      shape?: string;
      cut?: string;
    }
  /** `leader`: on etcd, the leader before the cut and the election the cut caused (lib/chaos/partition-leader.ts). */
  | { marker: 'partition-healed'; round: number; pod: string; uid: string; healConfirmMs: number; leader?: LeaderRecord }
  /** A pod of the partition recreated during the hold, cut again by the agent (new UID and IP): confirmed confirmMs after it was seen. */
  | { marker: 'partition-followed'; round: number; pod: string; uid: string; confirmMs: number }
  /**
   * A full volume (lib/chaos/disruptions/disk-full.ts), confirmed from inside the pod:
   * `disk-full` once a write there fails with ENOSPC (confirmMs since the request went out;
   * sizeKiB the filesystem as the pod sees it), `disk-full-healed` once a write succeeds again.
   */
  | {
      marker: 'disk-full';
      round: number;
      pod: string;
      uid: string;
      node: string;
      path: string;
      sizeKiB: number;
      confirmMs: number;
      /** `agent`: the container could not be entered (it exited on ENOSPC), so the agent's write on the same filesystem confirmed it. */
      by?: 'agent';
    }
  | { marker: 'disk-full-healed'; round: number; pod: string; uid: string; healConfirmMs: number; by?: 'agent' }
  /**
   * A loss or bandwidth fault (lib/chaos/net-fault-round.ts), confirmed from inside the pod:
   * `net-fault` once the measurement shows it (`measured`: what was measured, e.g. the
   * share of connections lost), `net-fault-healed` once the opposite was confirmed.
   */
  | {
      marker: 'net-fault';
      kind: NetFaultKind;
      round: number;
      pod: string;
      uid: string;
      peers: string[];
      node: string;
      confirmMs: number;
      params: Record<string, number>;
      measured: Record<string, number>;
    }
  | { marker: 'net-fault-healed'; kind: NetFaultKind; round: number; pod: string; uid: string; healConfirmMs: number }
  /** The harness force-deleted a pod on a down node, as an operator would to unblock it. */
  | { marker: 'operator-force-delete'; round: number; pod: string; uid: string; node: string }
  | {
      /** The harness is about to change the pod template (step 'forward') or put the original back (step 'rollback'). */
      marker: 'update-start';
      step: 'forward' | 'rollback';
      mode: 'template' | 'image' | 'rollback';
      strategy: 'RollingUpdate' | 'OnDelete';
      /** rollingUpdate.partition in effect (0 for OnDelete). Ordinals below startOrdinal + partition keep `from`. */
      partition: number;
      maxUnavailable?: number;
      /** The revision every pod ran just before this step (StatefulSet status.currentRevision / pods' controller-revision-hash). */
      from: string;
    }
  | {
      /** The controller's status.updateRevision once it names the step's target revision (observedGeneration caught up). */
      marker: 'update-revision';
      step: 'forward' | 'rollback';
      to: string;
    }
  | {
      /** RollingUpdate: every ordinal is at its expected revision (>= partition at `to`, below at `from`), Running and Ready (Available with minReadySeconds).
       *  OnDelete: the harness has deleted each pod (as an operator would, marker 'operator-delete') and every pod is back at `to`. */
      marker: 'update-complete';
      step: 'forward' | 'rollback';
      converged: boolean;
      aborted?: string; // timed out: what was seen
      unobserved?: string; // the harness lost sight of the cluster (→ checks say `error`, never `failed`)
    }
  | {
      /** OnDelete: the harness deleted this pod to let it take the update revision (not a chaos kill). */
      marker: 'operator-delete';
      pod: string;
      uid: string;
    }
  | { marker: 'after' }
  | { marker: 'traffic-start'; driver: string; ratePerSecond: number } // the client pod's writes begin
  | { marker: 'traffic-stop' } // the client was told to stop; its last writes finish after this
  | { marker: 'scale-down'; from: number; to: number } // replicas lowered after the after-snapshot
  | { marker: 'scale-down-complete'; aborted?: string }
  | {
      marker: 'claims-scaled';
      /** persistentVolumeClaimRetentionPolicy.whenScaled, and the claims of the ordinals the scale-down removed. */
      policy: 'Retain' | 'Delete';
      claims: string[];
      /** With Retain: how long the run watched after the scale-down before going on (absent in older recordings). */
      settledMs?: number;
      /** With Delete: the wait for those claims to go ended without them all gone (timeout). */
      aborted?: string;
      /** …or because the harness lost sight of the cluster. */
      unobserved?: string;
    }
  | { marker: 'statefulset-delete'; claims: string[] } // the run deletes the StatefulSet; the claims present then
  | {
      marker: 'statefulset-deleted';
      /** persistentVolumeClaimRetentionPolicy.whenDeleted. */
      policy: 'Retain' | 'Delete';
      /** The wait (pods gone; with Delete the claims gone too) ended without it (timeout, refused delete). */
      aborted?: string;
      unobserved?: string;
    }
  | {
      marker: 'watch-gap';
      kind: WatchedKind;
      /** Run ms when the watch went down and when the re-list caught up again. */
      from: number;
      to: number;
      reason: string;
      /** How many changes the re-list found that the watch had missed. */
      reconciled?: number;
    };

export type MarkerName = MarkerPayload['marker'];

/** A harness action or phase boundary, written into the same timeline. */
export type MarkerEntry = EntryBase & { type: 'MARKER' } & MarkerPayload;

/** The marker entry with name `N`, with its payload typed. */
export type MarkerOf<N extends MarkerName> = Extract<MarkerEntry, { marker: N }>;

export type TimelineEntry = WatchEntry | MarkerEntry;
