// Every budget a wait of Ordinal has, named once with the reason for its size, in the
// spirit of the Kubernetes e2e framework's TimeoutContext. Two kinds:
//  - RunTimeouts: how long the workload may take (its rollout, each round's recovery, a
//    scale-down...). The user controls these with --timeout; all scale with it.
//  - TIMEOUTS: steps whose length is the cluster's or Ordinal's own (an exec, a probe of
//    the API server, a namespace delete), and the pauses and poll intervals between
//    looks. --timeout does not change them: a slower workload does not make them slower.
// test/unit/timeouts.spec.ts fails on a numeric literal passed to a wait anywhere in lib/.

/** --timeout's default, seconds: a rollout of 3 pods pulling a small image, with room for a slow CI machine. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** The budgets --timeout sets, ms. Each is one wait (or one phase of waits) of a run. */
export interface RunTimeouts {
  /** The dry-run create that tells whether the API server supports the StatefulSet options asked for. */
  stsSupport: number;
  /** Every replica Ready at the expected revision after deploy (image pulls, volume provisioning). */
  rollout: number;
  /** One chaos round: its disruptions, any update step, and the recovery of every pod (STS-RECOVERY's limit). */
  round: number;
  /** The traffic client pod to run, and each exec that stops it or reads back what it wrote. */
  traffic: number;
  /** The scale-down to one replica: the controller's ordered deletions. */
  scaleDown: number;
  /** The claims of scaled-away ordinals to settle under the retention policy. */
  claimsSettle: number;
  /** The StatefulSet's deletion and its pods' termination. */
  statefulSetDelete: number;
  /** How long DNS may take to follow a recreated pod (resolver cache TTLs): --dns-budget, not --timeout. */
  dns: number;
}

/**
 * The run's budgets for `--timeout timeoutSeconds` (and `--dns-budget`). Today each is the whole figure: one
 * --timeout is what a user reasons about ("no wait takes longer than this"); a budget
 * that needs a share of it, or a multiple, says so here.
 */
export function runTimeouts(timeoutSeconds: number, dnsBudgetSeconds: number): RunTimeouts {
  const ms = timeoutSeconds * 1000;
  return {
    stsSupport: ms,
    rollout: ms,
    round: ms,
    traffic: ms,
    scaleDown: ms,
    claimsSettle: ms,
    statefulSetDelete: ms,
    dns: dnsBudgetSeconds * 1000,
  };
}

export const TIMEOUTS = {
  /** How often a clock-dependent wait is re-evaluated and a long wait checks whether to report progress. */
  waitTick: 1000,
  /** A wait says what it sees this often, so a slow run shows where it is stuck. */
  waitProgressEvery: 10_000,
  /**
   * The least a wait gets when its deadline has (nearly) passed: one more look at the
   * watch, so a change already delivered is still seen instead of failing unseen.
   */
  lastLook: 1000,
  /** Reading the API server's version when connecting: an API server that is up answers in milliseconds. */
  connect: 10_000,
  /** Whether the built-in local cluster is already up before starting it: it answers at once or is down. */
  localClusterProbe: 5_000,
  /** cluster/scripts/up.sh from nothing: the first run builds Kubernetes from source. */
  localClusterUp: 60 * 60_000,
  /** One node stop or start of a node-fault adapter (a container or VM to stop and boot). */
  nodeCommand: 240_000,
  /** Retrying the run namespace's delete: the API server may be restarting right when the run ends. */
  namespaceDelete: 120_000,
  /** One exec in a pod (a probe, a sentinel write): a shell command that takes milliseconds when the kubelet serves. */
  exec: 30_000,
  /** Retrying the execs that adapt the probes to the image and remove --target sentinels through an API server restart. */
  probeExecs: 30_000,
  /** Snapshot execs ride out an API server restart for the DNS budget, but at least this long. */
  snapshotExecsAtLeast: 30_000,
  /** `ordinal traffic`: the execs that read back what the client wrote. */
  trafficReadBack: 60_000,
  /** Reading a --target pod or StatefulSet before acting on it (ownership and opt-in guards), through an API server restart. */
  targetRead: 60_000,
  /** container-kill's exec of `kill -TERM 1` (its exit status may never come: the container dies). */
  containerKillExec: 30_000,
  /** node-fault with force: a replacement of the force-deleted pod to run, if another node can take it. */
  forceDeleteReplacement: 20_000,
  /** node-fault: tolerations past this are not waited out; the pod is deleted gracefully as the eviction would. */
  taintEvictionToleratedAtMost: 60_000,
  /** node-fault: how long after its toleration the node lifecycle controller may take to evict. */
  taintEvictionSlack: 10_000,
  /** kubelet-restart: pods on the node to report again after the kubelet is back (see kubelet-restart.ts). */
  kubeletSettle: 10_000,
  /** The traffic client's loops to print DONE after the stop file: one write in flight and one sleep. */
  trafficDrain: 30_000,
  /** Between reads of the traffic client's log while it drains. */
  trafficLogPoll: 500,
  /** Between serializable reads of every etcd member while they disagree (a follower catching up; 5 reads at most). */
  trafficMemberReadPause: 2000,
  /** The history client's timeout for one operation: a put commits in ms; a leader election takes ~1 s. */
  clientOp: 2000,
  /** A history client's pause after an operation that did not succeed, so a member that is down is not spun on. */
  clientBackoff: 100,
  /** How often the history client looks for its stop file. */
  clientStopPoll: 200,
  /** How often the history client prints its operation count (a sign of life in its log). */
  clientProgressEvery: 5000,
  /**
   * The history client to print `# done` after its stop file: operations in flight (clientOp
   * each) and, for a set, up to 5 rounds of final reads of every member (3 x clientOp + a pause each).
   */
  historyDrain: 60_000,
  /** Between the set workload's final reads of every member while they disagree. */
  clientFinalReadPause: 1000,
  /** The history client writes a line every clientProgressEvery: a read of its history silent this long has broken and is started again. */
  clientLogStall: 15_000,
  /**
   * One exec that reads the history client's file (lib/traffic/file-follow.ts) ends after
   * this long and the next resumes at its offset: an exec whose socket the harness dropped
   * without the runtime noticing lingers in the pod this long at most.
   */
  historyReadWindow: 30_000,
  /** Between reads of the history client's file after one broke (exec failed or its socket closed). */
  clientLogReconnect: 1000,
  /** The postgres history client: the most a writer waits after a serialization failure (random), so the writers that collided retry apart. */
  clientPgConflictJitter: 20,
  /** The postgres history client: between one bank reader's reads (at most 50 reads/s per pod, leaving the CPU to the transfers). */
  clientPgReadPause: 20,
  /** The postgres history client's set: how long a pod may take to replay the primary's WAL before its final read, asked this often. */
  clientPgCatchUp: 20_000,
  clientPgCatchUpPoll: 200,
  /** The postgres history client's DNS question for a pod's stable name (one try: the connection is retried). */
  clientPgResolve: 2000,
  /** Between reads of a node's Ready condition (nodes have no watch here) and of etcd's member list. */
  nodePoll: 1000,
  /**
   * The postgres sample: after a round converged (every replica Ready, so streaming), how long
   * each replica has to replay a commit on the primary (STS-TOPOLOGY-PRIMARY's bound). A
   * one-row commit replays in ms; the rest is room for a loaded machine.
   */
  postgresCatchUp: 30_000,
  /** Between the replication probe's observations (each is one psql exec per server). */
  postgresObservePause: 500,
  /** The postgres sample's readiness probe (psql on localhost): a server under load answers well within it. */
  postgresReadinessSeconds: 3,
  /** Between reads of the StatefulSet's updateRevision after a template change: the controller answers in ms. */
  revisionPoll: 200,
  /** A watch that listed before is given up on only if its re-lists are refused (401/403) this long: a restarted API server refuses until its authorizer has synced. */
  authAfterRestart: 30_000,
  /** A RoleBinding the run just made takes effect within this (the authorizer's cache)... */
  rbacPropagation: 10_000,
  /** ...asked this often (SelfSubjectAccessReview). */
  rbacPropagationPoll: 250,
  /** OnDelete: how long no pod may change revision before the operator's deletes (STS-UPDATE-ONDELETE). */
  onDeleteHold: 5000,
  /** Retain: how long after the StatefulSet's deletion its claims must still be there (STS-PVC-RETENTION). */
  retainSettle: 3000,
  /**
   * How long the run keeps watching after the scale-down before it deletes the StatefulSet,
   * with whenScaled: Retain. The garbage collector deletes a dependent from its watch of the
   * owner, within ~0.1 s here (test/faults/pvc-retention.spec.ts measures it); its one
   * periodic task, re-discovering resources, runs every 30 s and deletes nothing by itself.
   * Without this window a wrongful deletion right after the scale-down would fall after
   * the StatefulSet delete and be judged under whenDeleted.
   */
  scaleSettle: 10_000,
  /** The canary annotation is rewritten this often during chaos: one detection-latency sample a second. */
  canaryEvery: 1000,
  /** CoreDNS may be between Ready states when a run starts (its kubelet restarting, a rollout): how long to wait for one Ready pod... */
  dnsPodsReady: 30_000,
  /** ...asking this often. */
  dnsPodsPoll: 1000,
  /** One DNS query to one server: a resolver that has not answered by then is counted as not answering. */
  dnsQuery: 5000,
  /** DNS has no watch: between attempts the probe waits out the shortest TTL, but at least this... */
  dnsRetryAtLeast: 500,
  /** ...and at most this, so a long TTL does not use up the DNS budget in one pause. */
  dnsRetryAtMost: 5000,
  /** The in-pod settle loop pauses at least this long: each try is an exec through the API server, not a UDP packet. */
  dnsInPodRetryAtLeast: 1000,
  /** The first re-try after a transient API error (0.5 s, doubling)... */
  backoffFirst: 500,
  /** ...capped here: quick after a blip, gentle on a server that is restarting. */
  backoffMax: 5000,
  /** disk-full: one probe (df and a write) from inside the pod, exec retries included: a container that exited on ENOSPC comes back after its CrashLoopBackOff delay (10 s, doubling). */
  diskFullProbe: 120_000,
  /** The node agent: between its reads of the fault requests. */
  agentTick: 1000,
  /** disk-full: how long the agent goes on trying to free a volume no process mounted at the heal (a replacement not started yet). */
  agentFreeRetry: 10 * 60_000,
  /** disk-full: between the probes that confirm the full volume (the agent tops the fill up each tick, when the pod freed space). */
  diskFullReprobe: 2000,
  /** The node agent: one iptables command inside a pod's network namespace (it waits up to 5 s for the xtables lock). */
  agentIptables: 15_000,
  /**
   * A fault request's dead man's switch (lib/chaos/fault-request.ts): each renewal puts its
   * expiry this far ahead, and an agent heals a request past its expiry by itself. A
   * harness that dies (SIGKILL, lost network) leaves its fault applied at most this long.
   */
  faultExpiry: 10_000,
  /** How often the harness renews a held fault's expiry: three renewals may be lost before the agent heals. */
  faultRenewEvery: 3_000,
  /** Between the harness's reads of a fault request's status. */
  faultPoll: 300,
  /** The agent to report a fault request applied or healed (it reads them every agentTick). */
  faultAgentActs: 20_000,
  /**
   * `ordinal cleanup`: a request with no status this long after its heal was asked was
   * never applied (an agent that applied it writes its status within a tick or two).
   */
  faultUnseen: 3_000,
  /** partition: one connection probe from inside the pod, exec retries included. */
  partitionProbe: 30_000,
  /** partition: a connection attempt that has not connected by then timed out (nc -w, whole seconds). */
  partitionConnect: 2000,
  /** partition: between probe retries, and between the attempts to see healed peers connect again. */
  partitionProbePause: 1000,
  /** partition: during the hold, between looks at the requests' status and at the shape's pods (one recreated is followed). */
  partitionHoldCheck: 1000,
  /** partition on etcd: between asks for the leader while the cut may cause an election (each ask is an exec of its own). */
  partitionLeaderPoll: 200,
  /** partition on etcd: one such ask (etcdctl's own timeouts are 2 s). */
  partitionLeaderAsk: 5_000,
  /** partition on etcd, --partition-shape isolate-leader: how long the moved leadership may take to show. */
  partitionLeaderMove: 15_000,
  /** Before a cut, how long the peers may take to accept connections (an update or another disruption restarting one). */
  partitionPeersOpen: 60_000,
  /**
   * After the agent applied a cut (or healed it), how long the harness may wait to confirm
   * it from inside the pods while it cannot (an exec that cannot run, a pod replaced): a
   * node-fault in the same burst keeps a pod of the shape out of reach from the node's
   * stop until its replacement runs (NotReady, the eviction, a hold of up to 15 s, the
   * node's start). A cut the pods answer is not there, three times, is an error at once.
   */
  partitionConfirm: 180_000,
  /** loss: a connect that has not completed by then failed, where the loss must show (nc -w, whole seconds). */
  lossConnect: 1000,
  /** loss: the same where only its absence must (the uncut control, the heal): a busy machine's slow connect is no loss. */
  lossClearConnect: 2000,
  /** loss, bandwidth: one measurement from inside a pod (a few seconds of work), exec retries included. */
  netFaultMeasure: 60_000,
  /** loss, bandwidth: one exec of it; one that hangs (a kubelet restarting under it) is cut off and tried again. */
  netFaultMeasureTry: 20_000,
} as const;

/** What is left of `deadline` (Date.now() ms), but never less than one last look. */
export function timeLeft(deadline: number): number {
  return Math.max(TIMEOUTS.lastLook, deadline - Date.now());
}
