// Which Ordinal checks cover the behaviour each upstream `[sig-apps] StatefulSet` spec
// asserts (k8s.io/kubernetes v1.34.4 test/e2e/apps/statefulset.go), written by hand from
// the spec's code and docs/checks.md. `checks` lists only IDs that judge the same
// guarantee in a default run (web workload; primary-replica for the clustered apps) or
// in a run with the options the note names (--update, --partition, --pvc-retention, …);
// `partial` says what of the spec they leave out, `gap` what no check covers yet.
// test/unit/bench/upstream-e2e.spec.ts keeps every ID here in the catalog.

export type Coverage = 'covered' | 'partial' | 'none';

/**
 * The Ordinal runs the bench makes (run.sh, through ordinal-runs.ts), each with the
 * options its specs need; every run also gets --replicas 3 --rounds 3 --seed 1.
 */
export const ORDINAL_RUNS = {
  web: ['--workload', 'web', '--update', 'none'],
  'primary-replica': ['--workload', 'primary-replica', '--update', 'none'],
  rollback: ['--workload', 'web', '--update', 'rollback'],
  partition: ['--workload', 'web', '--update', 'template', '--partition', '1'],
  ondelete: ['--workload', 'web', '--update', 'image', '--update-strategy', 'OnDelete'],
  retention: ['--workload', 'web', '--update', 'none', '--pvc-retention', 'whenDeleted=Delete,whenScaled=Delete'],
  'start-ordinal': ['--workload', 'web', '--update', 'none', '--start-ordinal', '3', '--min-ready-seconds', '3'],
} as const satisfies Record<string, readonly string[]>;
export type OrdinalRunName = keyof typeof ORDINAL_RUNS;
export const ORDINAL_COMMON = ['--replicas', '3', '--rounds', '3', '--seed', '1'] as const;

export interface UpstreamSpec {
  /** The spec's leaf text (ginkgo `It`), unique within the StatefulSet describe. */
  spec: string;
  checks: readonly string[];
  /** The Ordinal run that judges it: `web` unless said (`primary-replica` for the clustered apps). */
  run?: OrdinalRunName;
  coverage: Coverage;
  /** What the checks cover of it, or what is missing. */
  note: string;
}

export const UPSTREAM_SPECS: readonly UpstreamSpec[] = [
  {
    spec: 'should provide basic identity',
    checks: ['STS-ORDER-CREATE', 'STS-IDENTITY', 'STS-PVC-BINDING', 'STS-DATA-SENTINEL'],
    coverage: 'covered',
    note: 'in-pod hostname = pod name, serviceName, data on /data survives a restart of every pod (Ordinal: kills instead of scale 0 and back)',
  },
  {
    spec: 'should adopt matching orphans and release non-matching pods',
    checks: [],
    coverage: 'none',
    note: 'adoption and release of pods by ownerReference and labels',
  },
  {
    spec: "should not deadlock when a pod's predecessor fails",
    checks: ['STS-RECOVERY', 'STS-ORDER-RECREATE'],
    coverage: 'partial',
    note: 'a killed lower ordinal comes back, in order; Ordinal never holds a higher ordinal unready while it does',
  },
  {
    spec: 'should perform rolling updates and roll backs of template modifications with PVCs',
    run: 'rollback',
    checks: ['STS-UPDATE-ORDER', 'STS-UPDATE-PARTITION', 'STS-UPDATE-ROLLBACK', 'STS-PVC-BINDING'],
    coverage: 'partial',
    note: '--update rollback: pods replaced highest first, each once the ones above are Ready at the new revision, all ending at it, then back at the original revision in order, claims kept; upstream also halts the update with an unready pod (Ordinal kills pods instead)',
  },
  {
    spec: 'should perform rolling updates and roll backs of template modifications',
    run: 'rollback',
    checks: ['STS-UPDATE-ORDER', 'STS-UPDATE-PARTITION', 'STS-UPDATE-ROLLBACK'],
    coverage: 'partial',
    note: '--update rollback: pods replaced highest first, each once the ones above are Ready at the new revision, all ending at it, then back at the original revision in order; upstream also halts the update with an unready pod (Ordinal kills pods instead)',
  },
  {
    spec: 'should perform canary updates and phased rolling updates of template modifications',
    run: 'partition',
    checks: ['STS-UPDATE-PARTITION', 'STS-UPDATE-ORDER'],
    coverage: 'partial',
    note: '--partition N: pods below it keep the old revision, also when killed mid-update, the rest end new, in order; one partition per run (upstream lowers it in phases)',
  },
  {
    spec: 'should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 without failing container',
    run: 'partition',
    checks: ['STS-UPDATE-PARTITION'],
    coverage: 'partial',
    note: '--partition 1: pod 0 killed during the update comes back at the old revision; upstream deletes it behind a finalizer',
  },
  {
    spec: 'should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 with failing container',
    run: 'partition',
    checks: ['STS-UPDATE-PARTITION'],
    coverage: 'partial',
    note: '--partition 1: pod 0 killed during the update comes back at the old revision; upstream has it end Failed on deletion',
  },
  {
    spec: 'should implement legacy replacement when the update strategy is OnDelete',
    run: 'ondelete',
    checks: ['STS-UPDATE-ONDELETE'],
    coverage: 'covered',
    note: '--update-strategy OnDelete: no pod changes revision until deleted (by chaos or the run), each deleted pod comes back at the update revision',
  },
  {
    spec: 'Scaling should happen in predictable order and halt if any stateful pod is unhealthy',
    checks: ['STS-ORDER-CREATE', 'STS-ORDER-RECREATE', 'STS-ORDER-SCALEDOWN'],
    coverage: 'partial',
    note: 'creation 0..N-1 and removal N-1..0, each only while the others are Ready (a creation or removal while one is not fails); Ordinal does not make a pod unready on purpose',
  },
  {
    spec: 'Burst scaling should run to completion even with unhealthy pods',
    checks: ['STS-RECOVERY'],
    coverage: 'partial',
    note: '--pod-management Parallel: killed pods come back while others are down (burst kills); Ordinal does not scale with unhealthy pods',
  },
  {
    spec: 'Should recreate evicted statefulset',
    checks: ['STS-RECOVERY'],
    coverage: 'partial',
    note: 'a pod that is gone comes back with a new UID; Ordinal deletes pods, it does not make the kubelet reject one (Failed)',
  },
  {
    spec: 'should have a working scale subresource',
    checks: [],
    coverage: 'none',
    note: 'the scale subresource (API surface, not controller behaviour)',
  },
  {
    spec: 'should list, patch and delete a collection of StatefulSets',
    checks: [],
    coverage: 'none',
    note: 'list, patch, deletecollection (API surface)',
  },
  {
    spec: 'should validate Statefulset Status endpoints',
    checks: [],
    coverage: 'none',
    note: 'the status subresource (API surface)',
  },
  {
    spec: 'should creating a working zookeeper cluster',
    checks: ['STS-TOPOLOGY-PRIMARY', 'STS-DATA-SENTINEL'],
    coverage: 'partial',
    note: 'data written through one member is read through another after a restart (Ordinal: its primary-replica workload, not zookeeper)',
  },
  {
    spec: 'should creating a working mysql cluster',
    checks: ['STS-TOPOLOGY-PRIMARY'],
    coverage: 'partial',
    note: 'data written through one member is read through another (Ordinal: its primary-replica workload, not galera)',
  },
  {
    spec: 'should creating a working CockroachDB cluster',
    checks: ['STS-TOPOLOGY-PRIMARY', 'STS-DATA-SENTINEL'],
    coverage: 'partial',
    note: 'data written through one member is read through another after a restart (Ordinal: its primary-replica workload, not CockroachDB)',
  },
  {
    spec: 'MinReadySeconds should be honored when enabled',
    run: 'start-ordinal',
    checks: ['STS-ORDER-CREATE', 'STS-ORDER-RECREATE', 'STS-RECOVERY'],
    coverage: 'partial',
    note: '--min-ready-seconds: each pod created only once its predecessors are Available, replacements Available within the round; status.availableReplicas itself is not checked',
  },
  {
    spec: 'AvailableReplicas should get updated accordingly when MinReadySeconds is enabled',
    checks: [],
    coverage: 'none',
    note: 'availableReplicas re-evaluated when minReadySeconds changes (issue 9: --min-ready-seconds)',
  },
  {
    spec: 'should delete PVCs with a WhenDeleted policy',
    run: 'retention',
    checks: ['STS-PVC-RETENTION'],
    coverage: 'covered',
    note: '--pvc-retention whenDeleted=Delete: the claims go with the StatefulSet when the run deletes it',
  },
  {
    spec: 'should delete PVCs with a OnScaledown policy',
    run: 'retention',
    checks: ['STS-PVC-RETENTION'],
    coverage: 'covered',
    note: '--pvc-retention whenScaled=Delete: the claims of scaled-away ordinals are deleted (kept with Retain)',
  },
  {
    spec: 'should not delete PVC with OnScaledown policy if another controller owns the PVC',
    checks: [],
    coverage: 'none',
    note: 'a claim owned by another controller is kept',
  },
  {
    spec: 'should delete PVCs after adopting pod (WhenDeleted)',
    checks: [],
    coverage: 'none',
    note: 'retention after adopting an orphan pod',
  },
  {
    spec: 'should delete PVCs after adopting pod (WhenScaled)',
    checks: [],
    coverage: 'none',
    note: 'retention after adopting an orphan pod',
  },
  {
    spec: 'should not delete PVCs when there is another controller',
    checks: [],
    coverage: 'none',
    note: 'claims with foreign or stale owner references are left alone',
  },
  {
    spec: 'PVC should be recreated when pod is pending due to missing PVC',
    checks: [],
    coverage: 'none',
    note: 'a deleted claim is recreated for a pending pod (Ordinal checks the opposite case: the same claim UID across recreation, STS-PVC-BINDING)',
  },
  {
    spec: 'Setting .start.ordinal',
    run: 'start-ordinal',
    checks: ['STS-ORDER-CREATE', 'STS-IDENTITY', 'STS-DNS-A'],
    coverage: 'partial',
    note: '--start-ordinal N: pods named from N, created in order, each answering to its name; upstream also sets it on a running StatefulSet',
  },
  {
    spec: 'Increasing .start.ordinal',
    checks: [],
    coverage: 'none',
    note: 'spec.ordinals.start (issue 9: --start-ordinal)',
  },
  {
    spec: 'Decreasing .start.ordinal',
    checks: [],
    coverage: 'none',
    note: 'spec.ordinals.start (issue 9: --start-ordinal)',
  },
  {
    spec: 'Removing .start.ordinal',
    checks: [],
    coverage: 'none',
    note: 'spec.ordinals.start (issue 9: --start-ordinal)',
  },
];

/** What Ordinal checks that no upstream StatefulSet spec does (for the report's footer). */
export const ORDINAL_ONLY: readonly { checks: readonly string[]; note: string }[] = [
  { checks: ['STS-DNS-A', 'STS-DNS-SRV'], note: 'DNS A and SRV records through the headless Service, per pod, after recreation' },
  { checks: ['STS-PVC-BINDING'], note: 'the same claim UID and PV after a pod is recreated' },
  { checks: ['STS-ORDER-RECREATE'], note: 'ordered recreation after several pods die at once (burst kills)' },
  { checks: ['STS-RECOVERY'], note: 'no pod that was not killed is replaced; recovery within a timeout, per pod' },
];
