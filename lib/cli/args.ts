// Flags for `ordinal run`, kubectl-style (--flag value or --flag=value), with their
// defaults in one table so --help, parsing and the replay command agree.
import { parseArgs } from 'node:util';
import { KILL_PATTERN_OPTIONS, parseSeed, randomSeed, type KillPatternOption } from '../chaos/plan.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_IMAGE } from '../workloads/common.ts';
import type { RunOptions } from '../run.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../workloads/index.ts';

interface FlagSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string;
}

export const RUN_FLAGS: Record<string, FlagSpec> = {
  kubeconfig: { type: 'string', help: 'path to the kubeconfig file', default: '$KUBECONFIG or ~/.kube/config' },
  context: { type: 'string', help: 'kubeconfig context to use', default: 'the current context' },
  workload: { type: 'string', help: `sample workload: ${WORKLOAD_KINDS.join(' | ')}`, default: 'web' },
  replicas: { type: 'string', help: 'StatefulSet replicas', default: '3' },
  rounds: { type: 'string', help: 'chaos rounds', default: '3' },
  seed: { type: 'string', help: 'chaos seed (uint32, decimal or 0x hex); same seed, same kills', default: 'random, printed' },
  'kill-pattern': {
    type: 'string',
    help: `how a round's kills go out: ${KILL_PATTERN_OPTIONS.join(' | ')} (sequential: lowest ordinal first, each once the watch shows it; reverse: highest first; burst: all at once; mixed: the seed picks per round)`,
    default: 'mixed',
  },
  image: { type: 'string', help: 'container image (air-gapped clusters: a preloaded or mirrored busybox)', default: DEFAULT_IMAGE },
  'storage-class': { type: 'string', help: 'storage class for the volume claims', default: 'the cluster default' },
  'claim-size': { type: 'string', help: 'size of each volume claim', default: '64Mi' },
  timeout: { type: 'string', help: 'seconds each wait (rollout, each round) may take', default: '300' },
  'dns-server': { type: 'string', help: 'host:port of a DNS server to probe instead of port-forwarding to kube-dns' },
  'dns-budget': { type: 'string', help: 'seconds DNS may take to follow a recreated pod (resolver cache TTLs)', default: '60' },
  'report-dir': { type: 'string', help: 'where reports go (<dir>/<run-id>/, <dir>/latest)', default: 'reports' },
  'keep-namespace': { type: 'boolean', help: 'leave the run namespace in place for debugging' },
  'dry-run': { type: 'boolean', help: 'print the namespace, objects and kill plan; create and delete nothing' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Everything `ordinal run` takes: the run's own options plus what only the CLI uses. */
export interface RunArgs extends Omit<RunOptions, 'log'> {
  reportDir: string;
  dryRun: boolean;
  help: boolean;
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

// A storage request as Kubernetes writes it ("64Mi", "1G", "500M"). Manifests are no
// longer schema-validated at run time, so a bad size is caught here, before anything is
// created, instead of by the API server after the namespace exists.
const CLAIM_SIZE = /^(?=.*[1-9])\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function claimSize(text: string): string {
  if (!CLAIM_SIZE.test(text)) throw new UsageError(`--claim-size must be a positive Kubernetes quantity such as 64Mi or 1Gi, got "${text}"`);
  return text;
}

export function parseRunArgs(argv: string[]): RunArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(RUN_FLAGS).map(([k, v]) => [k, { type: v.type }]));
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal run --help'`);
  }
  const s = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const workload = s('workload') ?? 'web';
  if (!(WORKLOAD_KINDS as readonly string[]).includes(workload)) {
    throw new UsageError(`--workload must be one of ${WORKLOAD_KINDS.join(', ')}, got "${workload}"`);
  }
  const killPattern = s('kill-pattern') ?? 'mixed';
  if (!(KILL_PATTERN_OPTIONS as readonly string[]).includes(killPattern)) {
    throw new UsageError(`--kill-pattern must be one of ${KILL_PATTERN_OPTIONS.join(', ')}, got "${killPattern}"`);
  }
  let seed: number;
  try {
    seed = s('seed') === undefined ? randomSeed() : parseSeed(s('seed') as string);
  } catch (err) {
    throw new UsageError(`--seed: ${(err as Error).message}`);
  }
  const args: RunArgs = {
    workload: workload as WorkloadKind,
    replicas: int('replicas', s('replicas') ?? '3', 1, 100),
    rounds: int('rounds', s('rounds') ?? '3', 0, 100),
    seed,
    killPattern: killPattern as KillPatternOption,
    image: s('image') ?? DEFAULT_IMAGE,
    claimSize: claimSize(s('claim-size') ?? '64Mi'),
    timeoutSeconds: int('timeout', s('timeout') ?? '300', 10, 86_400),
    dnsBudgetSeconds: int('dns-budget', s('dns-budget') ?? '60', 0, 3600),
    reportDir: s('report-dir') ?? 'reports',
    keepNamespace: values['keep-namespace'] === true,
    dryRun: values['dry-run'] === true,
    help: values.help === true,
    replay: '',
  };
  for (const [k, key] of [['kubeconfig', 'kubeconfig'], ['context', 'context'], ['storage-class', 'storageClass'], ['dns-server', 'dnsServer']] as const) {
    const v = s(k);
    if (v !== undefined) args[key] = v;
  }
  args.replay = replayCommand(args);
  return args;
}

const quote = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** The command that repeats a run: every option that shapes it, with the seed made explicit. */
export function replayCommand(a: RunArgs): string {
  const parts = ['npx', 'ordinal', 'run', '--workload', a.workload, '--replicas', String(a.replicas), '--rounds', String(a.rounds), '--seed', String(a.seed), '--image', a.image];
  if (a.killPattern !== 'mixed') parts.push('--kill-pattern', a.killPattern);
  if (a.kubeconfig) parts.push('--kubeconfig', a.kubeconfig);
  if (a.context) parts.push('--context', a.context);
  if (a.storageClass) parts.push('--storage-class', a.storageClass);
  if (a.claimSize !== '64Mi') parts.push('--claim-size', a.claimSize);
  if (a.timeoutSeconds !== 300) parts.push('--timeout', String(a.timeoutSeconds));
  if (a.dnsServer) parts.push('--dns-server', a.dnsServer);
  if (a.dnsBudgetSeconds !== 60) parts.push('--dns-budget', String(a.dnsBudgetSeconds));
  return parts.map(quote).join(' ');
}

export function runHelp(): string {
  const rows = Object.entries(RUN_FLAGS).map(([k, v]) => {
    const flag = v.type === 'string' ? `--${k} <value>` : `--${k}`;
    return `  ${flag.padEnd(26)} ${v.help}${v.default ? ` (default: ${v.default})` : ''}`;
  });
  return ['Usage: ordinal run [flags]', '', 'Deploys a sample StatefulSet into a fresh namespace, kills pods in seeded rounds,', 'and checks ordering, identity, DNS, volume binding and data.', '', 'Flags:', ...rows, '', 'Exit codes: 0 all checks passed, 1 a check failed, 2 usage, configuration or cluster error.'].join('\n');
}
