// Flags for `ordinal run`, kubectl-style (--flag value or --flag=value). One table says,
// per flag, its default, its range or choices, the ORDINAL_* variable `npm run suites`
// reads and whether the replay command repeats it; --help, parsing, the suites' options
// and the replay command are all generated from it, so none of them can miss a flag.
import { toolVersion } from '../run/version.ts';
import { parseArgs } from 'node:util';
import { KILL_PATTERN_OPTIONS, parseSeed, randomSeed, type KillPatternOption } from '../chaos/plan.ts';
import { parseDisruptions } from '../chaos/disruptions/index.ts';
import { parsePdb } from '../chaos/pdb.ts';
import { SHAPE_OPTIONS, type ShapeOption } from '../chaos/partition-shape.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_IMAGE } from '../workloads/common.ts';
import { ETCD_IMAGE, ETCD_MEMBER_COUNTS } from '../workloads/etcd.ts';
import { POSTGRES_IMAGE } from '../workloads/postgres.ts';
import { UPDATE_MODES, type UpdateMode } from '../update/mode.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../workloads/index.ts';
import {
  POD_MANAGEMENT_POLICIES,
  UPDATE_STRATEGIES,
  parsePvcRetention,
  type PodManagementPolicy,
  type UpdateStrategyType,
} from '../workloads/sts-options.ts';
import { FROM_OBJECT, RUN_FLAGS, flagEntries, type FlagSpec, type RunArgs, type RunFlag } from './flags.ts';
import { argvFromEnv, replayCommand, runHelp } from './flag-uses.ts';

// The table (flags.ts) and what else is generated from it (flag-uses.ts), importable from here.
export { RUN_FLAGS, type FlagSpec, type RunArgs, type RunFlag, argvFromEnv, replayCommand, runHelp };
const FLAGS = flagEntries();

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
  if (!CLAIM_SIZE.test(text))
    throw new UsageError(`--claim-size must be a positive Kubernetes quantity such as 64Mi or 1Gi, got "${text}"`);
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

/** node:util's parse of argv against the table; an unknown flag is a usage error. */
function parseValues(argv: string[]): Record<string, string | boolean | undefined> {
  try {
    const options = Object.fromEntries(FLAGS.map(([k, v]) => [k, { type: v.type }]));
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal run --help'`);
  }
}

type Given = (k: RunFlag) => string | undefined;

// Flags with a fixed default in the table.
type DefaultedFlag =
  | 'workload'
  | 'replicas'
  | 'rounds'
  | 'kill-pattern'
  | 'partition-shape'
  | 'chaos'
  | 'toleration-seconds'
  | 'image'
  | 'claim-size'
  | 'timeout'
  | 'dns-budget'
  | 'report-dir'
  | 'pod-management'
  | 'update-strategy'
  | 'partition'
  | 'min-ready-seconds'
  | 'start-ordinal'
  | 'pvc-retention'
  | 'traffic-rate'
  | 'etcd-read';

function seedArg(given: Given): number {
  try {
    const s = given('seed');
    return s === undefined ? randomSeed() : parseSeed(s);
  } catch (err) {
    throw new UsageError(`--seed: ${(err as Error).message}`);
  }
}

/** The flags every run has a value for: given, or the table's default. */
function defaultedArgs(given: Given, values: Record<string, string | boolean | undefined>): RunArgs {
  const text = (k: DefaultedFlag): string => given(k) ?? RUN_FLAGS[k].value;
  // The seed first, as before the split: a bad --seed is the error reported when several are bad.
  const seed = seedArg(given);
  return {
    workload: oneOf<WorkloadKind>('workload', text('workload'), WORKLOAD_KINDS),
    replicas: int('replicas', text('replicas')),
    rounds: int('rounds', text('rounds')),
    seed,
    killPattern: oneOf<KillPatternOption>('kill-pattern', text('kill-pattern'), KILL_PATTERN_OPTIONS),
    chaos: disruptions(text('chaos')),
    partitionShape: oneOf<ShapeOption>('partition-shape', text('partition-shape'), SHAPE_OPTIONS),
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
    traffic: oneOf('traffic', given('traffic') ?? RUN_FLAGS.traffic.value, ['on', 'off', 'register', 'set', 'bank'] as const),
    etcdRead: oneOf('etcd-read', text('etcd-read'), ['linearizable', 'serializable'] as const),
    trafficRate: int('traffic-rate', text('traffic-rate')),
    reportDir: text('report-dir'),
    keepNamespace: values['keep-namespace'] === true,
    dryRun: values['dry-run'] === true,
    help: values.help === true,
  };
}

/** The flags without a fixed default: set on args only when given. */
function optionalArgs(args: RunArgs, given: Given): void {
  const pdb = given('pdb');
  if (pdb !== undefined) {
    try {
      parsePdb(pdb);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    args.pdb = pdb;
  }
  for (const k of [
    'kubeconfig',
    'context',
    'storage-class',
    'dns-server',
    'node-fault-command',
    'target',
    'manifest',
    'sentinel-path',
    'cluster-domain',
    'update-image',
    'client-image',
  ] as const) {
    const v = given(k);
    if (v !== undefined) args[RUN_FLAGS[k].key] = v;
  }
  const maxUnavailable = given('max-unavailable');
  if (maxUnavailable !== undefined) args.maxUnavailable = int('max-unavailable', maxUnavailable);
}

/** Combinations the API server or the etcd sample would refuse, refused before anything is created. */
function checkWorkload(args: RunArgs, given: Given): void {
  if (args.updateStrategy === 'OnDelete') {
    if (args.partition !== 0)
      throw new UsageError(`--partition applies only to --update-strategy RollingUpdate, not OnDelete (got --partition ${args.partition})`);
    if (args.maxUnavailable !== undefined)
      throw new UsageError('--max-unavailable applies only to --update-strategy RollingUpdate, not OnDelete');
  }
  if (given('partition-shape') !== undefined && !args.chaos.includes('partition'))
    throw new UsageError(`--partition-shape applies only with --chaos partition (got --chaos ${args.chaos.join(',')})`);
  if (args.partitionShape === 'isolate-leader' && (args.workload !== 'etcd' || args.target !== undefined || args.manifest !== undefined))
    throw new UsageError('--partition-shape isolate-leader needs the etcd sample (--workload etcd, without --target or --manifest)');
  // The etcd sample needs etcd in its image: its own default, unless --image names one.
  if (args.workload === 'etcd' && given('image') === undefined) args.image = ETCD_IMAGE;
  if (args.workload === 'postgres' && given('image') === undefined) args.image = POSTGRES_IMAGE;
  if (args.workload === 'etcd' && !(ETCD_MEMBER_COUNTS as readonly number[]).includes(args.replicas)) {
    throw new UsageError(
      `--replicas ${args.replicas}: the etcd sample takes ${ETCD_MEMBER_COUNTS.join(', ')} members (an odd count: an even one tolerates no more failures than one member less)`,
    );
  }
}

/** Which sample each history workload runs against. */
const HISTORY_SAMPLES = { register: ['etcd'], set: ['etcd', 'postgres'], bank: ['postgres'] } as const;

/** The history client's workloads exist for the etcd and postgres samples (HISTORY_SAMPLES); its read option only for register. */
function checkTraffic(args: RunArgs, given: Given): void {
  const history = args.traffic === 'register' || args.traffic === 'set' || args.traffic === 'bank';
  if (history) {
    const samples: readonly string[] = HISTORY_SAMPLES[args.traffic as keyof typeof HISTORY_SAMPLES];
    if (!samples.includes(args.workload) || args.target !== undefined || args.manifest !== undefined)
      throw new UsageError(
        `--traffic ${args.traffic} runs against the ${samples.join(' or ')} sample only (--workload ${samples.join('|')}, without --target or --manifest)`,
      );
  }
  if (given('etcd-read') !== undefined && args.traffic !== 'register')
    throw new UsageError(`--etcd-read applies only to --traffic register (got --traffic ${args.traffic})`);
  // The history client runs closed-loop (each logical client starts its next operation when the last one ends): no rate to set.
  if (given('traffic-rate') !== undefined && history)
    throw new UsageError(
      `--traffic-rate applies only to --traffic on (the ${args.traffic} history client runs as fast as ${args.workload} answers)`,
    );
  if (given('client-image') !== undefined && !history)
    throw new UsageError(`--client-image applies only to --traffic register, set or bank (got --traffic ${args.traffic})`);
  // Ordinal's own image at this version (npm run image) carries the history client.
  if (history) args.clientImage ??= `ghcr.io/ordinal-sts/ordinal:${toolVersion()}`;
}

export function parseRunArgs(argv: string[]): RunArgs {
  const values = parseValues(argv);
  const given: Given = (k) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const args = defaultedArgs(given, values);
  optionalArgs(args, given);
  checkWorkload(args, given);
  args.sentinel = oneOf('sentinel', given('sentinel') ?? RUN_FLAGS.sentinel.value, ['on', 'off'] as const);
  checkUpdate(args, given('update'), given('update-image'));
  checkSubject(args, (k) => given(k) !== undefined);
  checkTraffic(args, given);
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
  if (a.target !== undefined)
    throw new UsageError(
      `--update ${mode} cannot be combined with --target: a --target run never changes the user's StatefulSet (deploy it with --manifest to update it)`,
    );
  if (a.rounds === 0)
    throw new UsageError(`--update ${mode} needs at least one chaos round (got --rounds 0): the update starts at a round's start`);
  if (a.chaos.includes('partition'))
    throw new UsageError(
      `--update ${mode} cannot be combined with --chaos partition yet: a cut is confirmed and healed against the peers' addresses, which an update's recreated pods change`,
    );
  const net = a.chaos.filter((c) => c === 'loss' || c === 'bandwidth');
  if (net.length > 0)
    throw new UsageError(
      `--update ${mode} cannot be combined with --chaos ${net.join(',')} yet: the fault is measured and healed against the pod and its peers as they were, which an update's recreated pods change`,
    );
  // A second tag of the same image is known for the default busybox only; a --manifest's image is read at run time.
  if (mode === 'image' && image === undefined && a.manifest === undefined && a.image !== DEFAULT_IMAGE) {
    throw new UsageError(`--update image needs --update-image <ref>: no second tag is known for ${a.image}`);
  }
}

/** The flags of the run's subject (a sample, --manifest or --target): what each takes and refuses. */
function checkSubject(a: RunArgs, isGiven: (k: RunFlag) => boolean): void {
  const subject = a.target !== undefined ? '--target' : a.manifest !== undefined ? '--manifest' : undefined;
  if (a.target !== undefined && a.manifest !== undefined)
    throw new UsageError('--target and --manifest exclude each other: a run either adopts a running StatefulSet or deploys one');
  if (subject === undefined) {
    for (const k of ['sentinel-path', 'cluster-domain'] as const)
      if (isGiven(k)) throw new UsageError(`--${k} applies only with --target or --manifest`);
    return;
  }
  const clash = FROM_OBJECT.find(isGiven);
  if (clash) throw new UsageError(`--${clash} cannot be combined with ${subject}: it comes from the StatefulSet itself`);
  if (a.target !== undefined && a.keepNamespace)
    throw new UsageError('--keep-namespace does not apply to --target: the run creates no namespace');
  // A node fault or kubelet restart reaches every pod on the node, not only the StatefulSet's.
  const wide = a.chaos.filter((d) => d === 'node-fault' || d === 'kubelet-restart');
  if (a.target !== undefined && wide.length > 0)
    throw new UsageError(
      `--chaos ${wide.join(',')} cannot be combined with --target: it disrupts every pod on the node, not only the StatefulSet's`,
    );
  // The node agent acts only in namespaces a run created and recorded; a --target run creates none.
  const agent = a.chaos.filter((d) => ['partition', 'loss', 'bandwidth', 'disk-full', 'delay'].includes(d));
  if (a.target !== undefined && agent.length > 0)
    throw new UsageError(
      `--chaos ${agent.join(',')} cannot be combined with --target: the node agent acts only in namespaces a run created, and a --target run creates none`,
    );
  if (isGiven('pdb'))
    throw new UsageError(
      `--pdb cannot be combined with ${subject}: the run creates no PodDisruptionBudget for a StatefulSet it did not write; give it your own`,
    );
}
