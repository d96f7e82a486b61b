// The table of `ordinal run` flags and RunArgs, what they parse into (lib/cli/args.ts parses,
// flag-uses.ts documents and replays from it). One flag per entry, so a reviewer sees each
// flag's default, range, ORDINAL_* variable and replay rule together.
import { KILL_PATTERN_OPTIONS } from '../chaos/plan.ts';
import { DEFAULT_DISRUPTIONS, DISRUPTION_NAMES } from '../chaos/disruptions/index.ts';
import { DEFAULT_PDB } from '../chaos/pdb.ts';
import { SHAPE_OPTIONS } from '../chaos/partition-shape.ts';
import { DEFAULT_IMAGE, REPLICA_RANGE, START_ORDINAL_RANGE } from '../workloads/common.ts';
import { ETCD_IMAGE } from '../workloads/etcd.ts';
import { POSTGRES_IMAGE } from '../workloads/postgres.ts';
import { SECOND_BUSYBOX_IMAGE, UPDATE_MODES } from '../update/mode.ts';
import { WORKLOAD_KINDS } from '../workloads/index.ts';
import { DEFAULT_STS_OPTIONS, POD_MANAGEMENT_POLICIES, UPDATE_STRATEGIES, formatPvcRetention } from '../workloads/sts-options.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../timeouts.ts';
import type { RunOptions } from '../run/options.ts';

/** Everything `ordinal run` takes: the run's own options plus what only the CLI uses. */
export interface RunArgs extends Omit<RunOptions, 'log'> {
  reportDir: string;
  dryRun: boolean;
  help: boolean;
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Where the parsed value goes. */
  key: keyof RunArgs;
  help: string;
  /** The value taken when the flag is absent; the replay command leaves out a flag at it. */
  value?: string;
  /** What --help says when the default is not a fixed value ("the current context"). */
  defaultText?: string;
  /** Integers: the allowed range. */
  range?: readonly [number, number];
  /** The ORDINAL_* environment variable `npm run suites` turns into this flag. */
  env?: string;
  /**
   * Whether the replay command repeats the flag: `always` (what a reader needs to see),
   * `changed` (only when given and not the default) or `never` (where reports go,
   * debugging switches: they do not shape the run).
   */
  replay: 'always' | 'changed' | 'never';
}

// biome-ignore format: one flag per line keeps the table readable; the formatter would spread
// each short entry over eight lines.
export const RUN_FLAGS = {
  kubeconfig: { type: 'string', key: 'kubeconfig', help: 'path to the kubeconfig file', defaultText: '$KUBECONFIG or ~/.kube/config', replay: 'changed' },
  context: { type: 'string', key: 'context', help: 'kubeconfig context to use', defaultText: 'the current context', env: 'ORDINAL_CONTEXT', replay: 'changed' },
  workload: { type: 'string', key: 'workload', help: `sample workload: ${WORKLOAD_KINDS.join(' | ')}`, value: 'web', replay: 'always' },
  replicas: { type: 'string', key: 'replicas', help: 'StatefulSet replicas', value: '3', range: REPLICA_RANGE, env: 'ORDINAL_REPLICAS', replay: 'always' },
  rounds: { type: 'string', key: 'rounds', help: 'chaos rounds', value: '3', range: [0, 100], env: 'ORDINAL_ROUNDS', replay: 'always' },
  seed: { type: 'string', key: 'seed', help: 'chaos seed (uint32, decimal or 0x hex); same seed, same kills', defaultText: 'random, printed', env: 'ORDINAL_SEED', replay: 'always' },
  'kill-pattern': {
    type: 'string',
    key: 'killPattern',
    help: `how a round's kills go out: ${KILL_PATTERN_OPTIONS.join(' | ')} (sequential: lowest ordinal first, each once the watch shows it; reverse: highest first; burst: all at once; mixed: the seed picks per round)`,
    value: 'mixed',
    env: 'ORDINAL_KILL_PATTERN',
    replay: 'changed',
  },
  chaos: {
    type: 'string',
    key: 'chaos',
    help: `disruptions the seed chooses among, comma-separated: ${DISRUPTION_NAMES.join(', ')} (see docs/disruptions.md)`,
    value: DEFAULT_DISRUPTIONS.join(','),
    env: 'ORDINAL_CHAOS',
    replay: 'changed',
  },
  'node-fault-command': {
    type: 'string',
    key: 'nodeFaultCommand',
    help: "how node-fault and kubelet-restart stop and start a node on other clusters: '<cmd> {action} {node}' ({action}: stop | start; built in: the local cluster, kind). Pass secrets through environment variables the command reads (it inherits Ordinal's environment), never inline: the command and its output go into the replay line and every report, where credential-shaped parts (-u user:pass, --password x, token=x, Authorization: x, https://user:pass@) are redacted",
    env: 'ORDINAL_NODE_FAULT_COMMAND',
    replay: 'changed',
  },
  'toleration-seconds': {
    type: 'string',
    key: 'tolerationSeconds',
    help: 'how long the sample pods stay on an unreachable or not-ready node before taint-based eviction (Kubernetes default: 300)',
    value: '10',
    range: [0, 3600],
    env: 'ORDINAL_TOLERATION_SECONDS',
    replay: 'changed',
  },
  pdb: {
    type: 'string',
    key: 'pdb',
    help: 'PodDisruptionBudget the run creates over its pods: max-unavailable=N | min-available=N | none',
    defaultText: `${DEFAULT_PDB} when --chaos includes evict, else none`,
    env: 'ORDINAL_PDB',
    replay: 'changed',
  },
  image: { type: 'string', key: 'image', help: `container image (air-gapped clusters: a preloaded or mirrored busybox; for --workload etcd: ${ETCD_IMAGE}; postgres: ${POSTGRES_IMAGE})`, value: DEFAULT_IMAGE, env: 'ORDINAL_IMAGE', replay: 'always' },
  'storage-class': { type: 'string', key: 'storageClass', help: 'storage class for the volume claims', defaultText: 'the cluster default', env: 'ORDINAL_STORAGE_CLASS', replay: 'changed' },
  'partition-shape': {
    type: 'string', key: 'partitionShape',
    help: `--chaos partition: the shape every partition takes: ${SHAPE_OPTIONS.join(' | ')} (seeded: drawn per partition; isolate-leader, etcd sample only: the leadership is moved to the pod first, then the pod is isolated)`,
    value: 'seeded', replay: 'changed',
  },
  'claim-size': { type: 'string', key: 'claimSize', help: 'size of each volume claim', value: '64Mi', env: 'ORDINAL_CLAIM_SIZE', replay: 'changed' },
  timeout: { type: 'string', key: 'timeoutSeconds', help: 'seconds each wait (rollout, each round) may take', value: String(DEFAULT_TIMEOUT_SECONDS), range: [10, 86_400], env: 'ORDINAL_TIMEOUT', replay: 'changed' },
  'dns-server': { type: 'string', key: 'dnsServer', help: 'host:port of a DNS server to probe instead of port-forwarding to kube-dns', env: 'ORDINAL_DNS_SERVER', replay: 'changed' },
  'pod-management': {
    type: 'string', key: 'podManagementPolicy', help: `StatefulSet podManagementPolicy: ${POD_MANAGEMENT_POLICIES.join(' | ')} (Parallel: the ordering checks are skipped)`,
    value: DEFAULT_STS_OPTIONS.podManagementPolicy, env: 'ORDINAL_POD_MANAGEMENT', replay: 'changed',
  },
  'update-strategy': {
    type: 'string', key: 'updateStrategy', help: `StatefulSet updateStrategy.type: ${UPDATE_STRATEGIES.join(' | ')}`,
    value: DEFAULT_STS_OPTIONS.updateStrategy, env: 'ORDINAL_UPDATE_STRATEGY', replay: 'changed',
  },
  partition: {
    type: 'string', key: 'partition', help: 'updateStrategy.rollingUpdate.partition (RollingUpdate only)',
    value: String(DEFAULT_STS_OPTIONS.partition), range: [0, 100], env: 'ORDINAL_PARTITION', replay: 'changed',
  },
  'max-unavailable': {
    type: 'string', key: 'maxUnavailable',
    help: 'updateStrategy.rollingUpdate.maxUnavailable (RollingUpdate only); left out, with the reason, when the cluster drops it (feature gate MaxUnavailableStatefulSet)',
    defaultText: 'unset (1)', range: [1, 100], env: 'ORDINAL_MAX_UNAVAILABLE', replay: 'changed',
  },
  'min-ready-seconds': {
    type: 'string', key: 'minReadySeconds', help: 'StatefulSet minReadySeconds; with > 0 every check reads "Ready" as Available (Ready that long)',
    value: String(DEFAULT_STS_OPTIONS.minReadySeconds), range: [0, 3600], env: 'ORDINAL_MIN_READY_SECONDS', replay: 'changed',
  },
  'start-ordinal': {
    type: 'string', key: 'startOrdinal', help: 'spec.ordinals.start: pods are <sts>-<start> .. <sts>-<start+replicas-1>',
    value: String(DEFAULT_STS_OPTIONS.startOrdinal), range: START_ORDINAL_RANGE, env: 'ORDINAL_START_ORDINAL', replay: 'changed',
  },
  'pvc-retention': {
    type: 'string', key: 'pvcRetention', help: 'persistentVolumeClaimRetentionPolicy: whenDeleted=Retain|Delete,whenScaled=Retain|Delete (a key left out stays Retain)',
    value: formatPvcRetention(DEFAULT_STS_OPTIONS.pvcRetention), env: 'ORDINAL_PVC_RETENTION', replay: 'changed',
  },
  update: {
    type: 'string', key: 'update',
    help: `an update phase at the start of a seeded round, with that round's kills going out while it rolls: ${UPDATE_MODES.join(' | ')} (template: a pod template annotation; image: --update-image; rollback: template, then the original template back; not with --target)`,
    defaultText: 'chosen by the seed', env: 'ORDINAL_UPDATE', replay: 'always',
  },
  'update-image': {
    type: 'string', key: 'updateImage', help: '--update image: the image the container changes to',
    defaultText: `${SECOND_BUSYBOX_IMAGE} when the image is ${DEFAULT_IMAGE}`, env: 'ORDINAL_UPDATE_IMAGE', replay: 'changed',
  },
  'dns-budget': { type: 'string', key: 'dnsBudgetSeconds', help: 'seconds DNS may take to follow a recreated pod (resolver cache TTLs)', value: '60', range: [0, 3600], env: 'ORDINAL_DNS_BUDGET', replay: 'changed' },
  target: { type: 'string', key: 'target', help: '<namespace>/<statefulset>: run against a StatefulSet already running, labelled ordinal.dev/chaos=allowed (never scaled or deleted)', replay: 'changed' },
  manifest: { type: 'string', key: 'manifest', help: 'a YAML file (regular, at most 4 MiB, at most 100 aliases a document) with one StatefulSet, its headless Service and anything else, deployed into the run namespace instead of a sample', replay: 'changed' },
  sentinel: { type: 'string', key: 'sentinel', help: 'on | off: write a sentinel file into each pod\'s claim mount before chaos and read it back after', value: 'on', env: 'ORDINAL_SENTINEL', replay: 'changed' },
  'sentinel-path': { type: 'string', key: 'sentinelPath', help: '--target/--manifest: the claim template (by name) or a directory inside its mount where the sentinel goes', defaultText: 'the first claim\'s mount path', replay: 'changed' },
  'cluster-domain': { type: 'string', key: 'clusterDomain', help: '--target/--manifest: the cluster DNS domain, when no pod\'s /etc/resolv.conf can be read', defaultText: 'read from a pod\'s resolv.conf', replay: 'changed' },
  traffic: {
    type: 'string', key: 'traffic', help: 'on | off | register | set | bank: on writes unique keys to every pod through its DNS name during chaos and checks none acknowledged is lost (STS-WRITES-DURABLE; skipped for workloads without a traffic driver); register (read, write, compare-and-set on hot keys) and set (unique adds, read from every member at the end) run the history client (etcd; set also postgres) and write history.jsonl; bank (transfers between accounts in SERIALIZABLE transactions, all balances read on every pod; postgres only) is judged by STS-BANK-INVARIANT',
    value: 'on', env: 'ORDINAL_TRAFFIC', replay: 'changed',
  },
  'etcd-read': { type: 'string', key: 'etcdRead', help: 'linearizable | serializable: how --traffic register reads etcd (serializable: each member answers from its own store and may be stale, the control)', value: 'linearizable', replay: 'changed' },
  'client-image': { type: 'string', key: 'clientImage', help: 'the image of the history client pod (--traffic register | set | bank): Ordinal\'s own, from npm run image', defaultText: 'ghcr.io/ordinal-sts/ordinal:<this version>', replay: 'changed' },
  'traffic-rate': { type: 'string', key: 'trafficRate', help: 'writes per second across all pods while traffic is on', value: '20', range: [1, 1000], env: 'ORDINAL_TRAFFIC_RATE', replay: 'changed' },
  'report-dir': { type: 'string', key: 'reportDir', help: 'where reports go (<dir>/<run-id>/, <dir>/latest, <dir>/index.html)', value: 'reports', env: 'ORDINAL_REPORT_DIR', replay: 'never' },
  'keep-namespace': { type: 'boolean', key: 'keepNamespace', help: 'leave the run namespace in place for debugging', replay: 'never' },
  'dry-run': { type: 'boolean', key: 'dryRun', help: 'print the namespace, objects and kill plan; create and delete nothing', replay: 'never' },
  help: { type: 'boolean', key: 'help', help: 'show this help', replay: 'never' },
} as const satisfies Record<string, FlagSpec>;

export type RunFlag = keyof typeof RUN_FLAGS;

export const flagEntries = (): [RunFlag, FlagSpec][] => Object.entries(RUN_FLAGS) as [RunFlag, FlagSpec][];

// Flags a --target or --manifest run takes from the StatefulSet object instead.
export const FROM_OBJECT: readonly RunFlag[] = [
  'workload',
  'replicas',
  'image',
  'storage-class',
  'claim-size',
  'pod-management',
  'update-strategy',
  'partition',
  'max-unavailable',
  'min-ready-seconds',
  'start-ordinal',
  'pvc-retention',
];
