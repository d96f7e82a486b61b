// Flags for `ordinal run`, kubectl-style (--flag value or --flag=value). One table says,
// per flag, its default, its range or choices, the ORDINAL_* variable `npm run suites`
// reads and whether the replay command repeats it; --help, parsing, the suites' options
// and the replay command are all generated from it, so none of them can miss a flag.
import { parseArgs } from 'node:util';
import { KILL_PATTERN_OPTIONS, parseSeed, randomSeed, type KillPatternOption } from '../chaos/plan.ts';
import { DEFAULT_DISRUPTIONS, DISRUPTION_NAMES, parseDisruptions } from '../chaos/disruptions/index.ts';
import { DEFAULT_PDB, parsePdb } from '../chaos/pdb.ts';
import { UsageError } from '../errors.ts';
import { redact } from '../redact.ts';
import { DEFAULT_IMAGE, REPLICA_RANGE, START_ORDINAL_RANGE } from '../workloads/common.ts';
import { ETCD_IMAGE, ETCD_MEMBER_COUNTS } from '../workloads/etcd.ts';
import type { RunOptions } from '../run/options.ts';
import type { RunPlan } from '../run/plan.ts';
import { SECOND_BUSYBOX_IMAGE, UPDATE_MODES, type UpdateMode } from '../update/mode.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../workloads/index.ts';
import {
  DEFAULT_STS_OPTIONS, POD_MANAGEMENT_POLICIES, UPDATE_STRATEGIES, formatPvcRetention, parsePvcRetention,
  type PodManagementPolicy, type UpdateStrategyType,
} from '../workloads/sts-options.ts';

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
  image: { type: 'string', key: 'image', help: `container image (air-gapped clusters: a preloaded or mirrored busybox; for --workload etcd: ${ETCD_IMAGE})`, value: DEFAULT_IMAGE, env: 'ORDINAL_IMAGE', replay: 'always' },
  'storage-class': { type: 'string', key: 'storageClass', help: 'storage class for the volume claims', defaultText: 'the cluster default', env: 'ORDINAL_STORAGE_CLASS', replay: 'changed' },
  'claim-size': { type: 'string', key: 'claimSize', help: 'size of each volume claim', value: '64Mi', env: 'ORDINAL_CLAIM_SIZE', replay: 'changed' },
  timeout: { type: 'string', key: 'timeoutSeconds', help: 'seconds each wait (rollout, each round) may take', value: '300', range: [10, 86_400], env: 'ORDINAL_TIMEOUT', replay: 'changed' },
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
    type: 'string', key: 'traffic', help: 'on | off: write unique keys to every pod through its DNS name during chaos and check none acknowledged is lost (STS-WRITES-DURABLE; web; skipped for workloads without a traffic driver)',
    value: 'on', env: 'ORDINAL_TRAFFIC', replay: 'changed',
  },
  'traffic-rate': { type: 'string', key: 'trafficRate', help: 'writes per second across all pods while traffic is on', value: '20', range: [1, 1000], env: 'ORDINAL_TRAFFIC_RATE', replay: 'changed' },
  'report-dir': { type: 'string', key: 'reportDir', help: 'where reports go (<dir>/<run-id>/, <dir>/latest, <dir>/index.html)', value: 'reports', env: 'ORDINAL_REPORT_DIR', replay: 'never' },
  'keep-namespace': { type: 'boolean', key: 'keepNamespace', help: 'leave the run namespace in place for debugging', replay: 'never' },
  'dry-run': { type: 'boolean', key: 'dryRun', help: 'print the namespace, objects and kill plan; create and delete nothing', replay: 'never' },
  help: { type: 'boolean', key: 'help', help: 'show this help', replay: 'never' },
} as const satisfies Record<string, FlagSpec>;

export type RunFlag = keyof typeof RUN_FLAGS;
const FLAGS = Object.entries(RUN_FLAGS) as [RunFlag, FlagSpec][];

function int(flag: RunFlag, text: string): number {
  const [min, max] = (RUN_FLAGS[flag] as FlagSpec).range ?? [0, Number.MAX_SAFE_INTEGER];
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

function oneOf<T extends string>(flag: RunFlag, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

// A storage request as Kubernetes writes it ("64Mi", "1G", "500M"). Manifests are no
// longer schema-validated at run time, so a bad size is caught here, before anything is
// created, instead of by the API server after the namespace exists.
const CLAIM_SIZE = /^(?=.*[1-9])\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function claimSize(text: string): string {
  if (!CLAIM_SIZE.test(text)) throw new UsageError(`--claim-size must be a positive Kubernetes quantity such as 64Mi or 1Gi, got "${text}"`);
  return text;
}

function pvcRetention(text: string): RunArgs['pvcRetention'] {
  try {
    return parsePvcRetention(text);
  } catch (err) {
    throw new UsageError(`--pvc-retention: ${(err as Error).message}`);
  }
}

function disruptions(text: string): RunArgs['chaos'] {
  try {
    return parseDisruptions(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseRunArgs(argv: string[]): RunArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(FLAGS.map(([k, v]) => [k, { type: v.type }]));
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal run --help'`);
  }
  const given = (k: RunFlag): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  // Flags with a fixed default: the table's value when absent.
  const text = (
    k: 'workload' | 'replicas' | 'rounds' | 'kill-pattern' | 'chaos' | 'toleration-seconds' | 'image' | 'claim-size' | 'timeout' | 'dns-budget' | 'report-dir' |
      'pod-management' | 'update-strategy' | 'partition' | 'min-ready-seconds' | 'start-ordinal' | 'pvc-retention' | 'traffic-rate',
  ): string => given(k) ?? RUN_FLAGS[k].value;
  let seed: number;
  try {
    const s = given('seed');
    seed = s === undefined ? randomSeed() : parseSeed(s);
  } catch (err) {
    throw new UsageError(`--seed: ${(err as Error).message}`);
  }
  const args: RunArgs = {
    workload: oneOf<WorkloadKind>('workload', text('workload'), WORKLOAD_KINDS),
    replicas: int('replicas', text('replicas')),
    rounds: int('rounds', text('rounds')),
    seed,
    killPattern: oneOf<KillPatternOption>('kill-pattern', text('kill-pattern'), KILL_PATTERN_OPTIONS),
    chaos: disruptions(text('chaos')),
    tolerationSeconds: int('toleration-seconds', text('toleration-seconds')),
    image: text('image'),
    claimSize: claimSize(text('claim-size')),
    timeoutSeconds: int('timeout', text('timeout')),
    dnsBudgetSeconds: int('dns-budget', text('dns-budget')),
    podManagementPolicy: oneOf<PodManagementPolicy>('pod-management', text('pod-management'), POD_MANAGEMENT_POLICIES),
    updateStrategy: oneOf<UpdateStrategyType>('update-strategy', text('update-strategy'), UPDATE_STRATEGIES),
    partition: int('partition', text('partition')),
    minReadySeconds: int('min-ready-seconds', text('min-ready-seconds')),
    startOrdinal: int('start-ordinal', text('start-ordinal')),
    pvcRetention: pvcRetention(text('pvc-retention')),
    traffic: oneOf('traffic', given('traffic') ?? RUN_FLAGS.traffic.value, ['on', 'off'] as const),
    trafficRate: int('traffic-rate', text('traffic-rate')),
    reportDir: text('report-dir'),
    keepNamespace: values['keep-namespace'] === true,
    dryRun: values['dry-run'] === true,
    help: values.help === true,
  };
  const pdb = given('pdb');
  if (pdb !== undefined) {
    try {
      parsePdb(pdb);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    args.pdb = pdb;
  }
  for (const k of ['kubeconfig', 'context', 'storage-class', 'dns-server', 'node-fault-command', 'target', 'manifest', 'sentinel-path', 'cluster-domain', 'update-image'] as const) {
    const v = given(k);
    if (v !== undefined) args[RUN_FLAGS[k].key] = v;
  }
  const maxUnavailable = given('max-unavailable');
  if (maxUnavailable !== undefined) args.maxUnavailable = int('max-unavailable', maxUnavailable);
  // The API server refuses rollingUpdate settings with OnDelete: say so before anything is created.
  if (args.updateStrategy === 'OnDelete') {
    if (args.partition !== 0) throw new UsageError(`--partition applies only to --update-strategy RollingUpdate, not OnDelete (got --partition ${args.partition})`);
    if (args.maxUnavailable !== undefined) throw new UsageError('--max-unavailable applies only to --update-strategy RollingUpdate, not OnDelete');
  }
  // The etcd sample needs etcd in its image: its own default, unless --image names one.
  if (args.workload === 'etcd' && given('image') === undefined) args.image = ETCD_IMAGE;
  if (args.workload === 'etcd' && !(ETCD_MEMBER_COUNTS as readonly number[]).includes(args.replicas)) {
    throw new UsageError(`--replicas ${args.replicas}: the etcd sample takes ${ETCD_MEMBER_COUNTS.join(', ')} members (an odd count: an even one tolerates no more failures than one member less)`);
  }
  args.sentinel = oneOf('sentinel', given('sentinel') ?? RUN_FLAGS.sentinel.value, ['on', 'off'] as const);
  checkUpdate(args, given('update'), given('update-image'));
  checkSubject(args, (k) => given(k) !== undefined);
  args.replayOf = (plan) => replayCommand(args, plan);
  return args;
}

/**
 * An explicit --update that cannot run is refused here, before anything is created; the
 * seed's choice (when --update is absent) is drawn by the plan (lib/run/plan.ts planRun).
 */
function checkUpdate(a: RunArgs, given: string | undefined, image: string | undefined): void {
  if (given === undefined) return;
  const mode = oneOf<UpdateMode>('update', given, UPDATE_MODES);
  a.update = mode;
  if (image !== undefined && mode !== 'image') throw new UsageError(`--update-image applies only to --update image, not --update ${mode}`);
  if (mode === 'none') return;
  if (a.target !== undefined) throw new UsageError(`--update ${mode} cannot be combined with --target: a --target run never changes the user's StatefulSet (deploy it with --manifest to update it)`);
  if (a.rounds === 0) throw new UsageError(`--update ${mode} needs at least one chaos round (got --rounds 0): the update starts at a round's start`);
  // A second tag of the same image is known for the default busybox only; a --manifest's image is read at run time.
  if (mode === 'image' && image === undefined && a.manifest === undefined && a.image !== DEFAULT_IMAGE) {
    throw new UsageError(`--update image needs --update-image <ref>: no second tag is known for ${a.image}`);
  }
}

// Flags a --target or --manifest run takes from the StatefulSet object instead.
const FROM_OBJECT: readonly RunFlag[] = [
  'workload', 'replicas', 'image', 'storage-class', 'claim-size',
  'pod-management', 'update-strategy', 'partition', 'max-unavailable', 'min-ready-seconds', 'start-ordinal', 'pvc-retention',
];

/** The flags of the run's subject (a sample, --manifest or --target): what each takes and refuses. */
function checkSubject(a: RunArgs, isGiven: (k: RunFlag) => boolean): void {
  const subject = a.target !== undefined ? '--target' : a.manifest !== undefined ? '--manifest' : undefined;
  if (a.target !== undefined && a.manifest !== undefined) throw new UsageError('--target and --manifest exclude each other: a run either adopts a running StatefulSet or deploys one');
  if (subject === undefined) {
    for (const k of ['sentinel-path', 'cluster-domain'] as const) if (isGiven(k)) throw new UsageError(`--${k} applies only with --target or --manifest`);
    return;
  }
  const clash = FROM_OBJECT.find(isGiven);
  if (clash) throw new UsageError(`--${clash} cannot be combined with ${subject}: it comes from the StatefulSet itself`);
  if (a.target !== undefined && a.keepNamespace) throw new UsageError('--keep-namespace does not apply to --target: the run creates no namespace');
  // A node fault or kubelet restart reaches every pod on the node, not only the StatefulSet's.
  const wide = a.chaos.filter((d) => d === 'node-fault' || d === 'kubelet-restart');
  if (a.target !== undefined && wide.length > 0) throw new UsageError(`--chaos ${wide.join(',')} cannot be combined with --target: it disrupts every pod on the node, not only the StatefulSet's`);
  if (isGiven('pdb')) throw new UsageError(`--pdb cannot be combined with ${subject}: the run creates no PodDisruptionBudget for a StatefulSet it did not write; give it your own`);
}

const quote = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/**
 * The command that repeats a run: every option that shapes it, with the seed made
 * explicit; the `always` flags first, then whatever differs from its default.
 */
export function replayCommand(a: RunArgs, plan: Pick<RunPlan, 'update'>): string {
  // The update as planned: the seed's choice is named, so a reader sees it in the command.
  const shown: RunArgs = { ...a, update: plan.update.mode };
  const parts = ['npx', 'ordinal', 'run'];
  for (const pass of ['always', 'changed'] as const) {
    for (const [flag, spec] of FLAGS) {
      if (spec.replay !== pass || spec.type !== 'string') continue;
      if ((a.target !== undefined || a.manifest !== undefined) && FROM_OBJECT.includes(flag)) continue;
      const v = shown[spec.key];
      if (v === undefined || typeof v === 'function') continue;
      const t = Array.isArray(v) ? v.join(',') : typeof v === 'object' ? formatPvcRetention(v) : String(v);
      if (pass === 'changed' && t === spec.value) continue;
      // The replay line reaches every report: an inline secret in the user's command does not.
      parts.push(`--${flag}`, flag === 'node-fault-command' ? redact(t) : t);
    }
  }
  return parts.map(quote).join(' ');
}

/** The ORDINAL_* variables `npm run suites` reads, as `ordinal run` flags (unset or empty ones left out). */
export function argvFromEnv(env: Record<string, string | undefined>): string[] {
  const argv: string[] = [];
  for (const [flag, spec] of FLAGS) {
    const v = spec.env === undefined ? undefined : env[spec.env];
    if (v) argv.push(`--${flag}`, v);
  }
  return argv;
}

export function runHelp(): string {
  const rows = FLAGS.map(([k, v]) => {
    const flag = v.type === 'string' ? `--${k} <value>` : `--${k}`;
    const notes = [
      v.range ? `${v.range[0]}-${v.range[1]}` : undefined,
      v.value ?? v.defaultText ? `default: ${v.value ?? v.defaultText}` : undefined,
      v.env ? `suites: ${v.env}` : undefined,
    ].filter((n) => n !== undefined);
    return `  ${flag.padEnd(26)} ${v.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  return ['Usage: ordinal run [flags]', '', 'Deploys a sample StatefulSet into a fresh namespace (or yours: --manifest; or adopts a', 'running one labelled ordinal.dev/chaos=allowed: --target), kills pods in seeded rounds,', 'and checks ordering, identity, DNS, volume binding and data.', '', 'Flags:', ...rows, '', 'Exit codes: 0 all checks passed, 1 a check failed, 2 usage, configuration or cluster error.'].join('\n');
}
