// `ordinal traffic export-k6` writes a k6 script driving the same writes as the in-run
// client; `ordinal verify-writes` reads the keys back from the pods and classifies the
// acknowledged ones like STS-WRITES-DURABLE (0 none lost, 1 lost, 2 bad input or unread).
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { forTerminal } from '../report/escape.ts';
import { classifyWrites } from '../traffic/classify.ts';
import { k6NameProblems, k6Script, parseAcked } from '../traffic/k6.ts';
import type { WriteRecord } from '../traffic/records.ts';
import type { WorkloadInfo } from '../model.ts';
import { newRunId } from '../run/run-id.ts';
import { readUserFile, writeUserFile } from '../user-file.ts';
import { TIMEOUTS } from '../timeouts.ts';

/** A k6 console log of a day-long run at the highest --rate stays well below this. */
const MAX_ACKED_BYTES = 256 * 2 ** 20;

const flags = (names: string[]): Record<string, { type: 'string' | 'boolean' }> => ({
  ...Object.fromEntries(names.map((k) => [k, { type: 'string' as const }])),
  help: { type: 'boolean' },
});

function parse(
  argv: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  cmd: string,
): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal ${cmd} --help'`);
  }
}

function intIn(name: string, v: string | boolean | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${String(v)}"`);
  return n;
}

const SAMPLES = {
  web: { statefulSet: 'web', service: 'nginx', container: 'web' },
  etcd: { statefulSet: 'etcd', service: 'etcd', container: 'etcd' },
} as const;

export function trafficCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  const help =
    'Usage: ordinal traffic export-k6 --workload web|etcd --namespace <ns> [--statefulset name] [--service name] [--replicas 3] [--start-ordinal 0] [--cluster-domain cluster.local] [--rate 20] [--duration 60] [--out script.ts]';
  if (sub === '--help' || sub === undefined) {
    console.log(help);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'export-k6') throw new UsageError(`unknown traffic command "${sub}"\n${help}`);
  const v = parse(
    rest,
    flags(['workload', 'namespace', 'statefulset', 'service', 'replicas', 'start-ordinal', 'cluster-domain', 'rate', 'duration', 'out']),
    'traffic',
  );
  if (v.help) {
    console.log(help);
    return 0;
  }
  const workload = v.workload;
  if (workload !== 'web' && workload !== 'etcd') throw new UsageError(`--workload must be web or etcd, got "${String(workload ?? '')}"`);
  if (typeof v.namespace !== 'string') throw new UsageError('--namespace <ns> is required (a DNS label)');
  const names = {
    namespace: v.namespace,
    statefulSet: typeof v.statefulset === 'string' ? v.statefulset : SAMPLES[workload].statefulSet,
    service: typeof v.service === 'string' ? v.service : SAMPLES[workload].service,
    clusterDomain: typeof v['cluster-domain'] === 'string' ? v['cluster-domain'] : 'cluster.local',
  };
  // Each name becomes part of a URL and of the generated code: anything but a DNS name is refused.
  const problem = k6NameProblems(names)[0];
  if (problem) throw new UsageError(problem);
  const script = k6Script({
    workload,
    ...names,
    replicas: intIn('replicas', v.replicas, 3, 1, 100),
    startOrdinal: intIn('start-ordinal', v['start-ordinal'], 0, 0, 1_000_000),
    ratePerSecond: intIn('rate', v.rate, 20, 1, 1000),
    durationSeconds: intIn('duration', v.duration, 60, 1, 86_400),
    prefix: `k6-${newRunId()}`,
  });
  if (typeof v.out === 'string') {
    writeUserFile('--out', v.out, script);
    console.error(`wrote ${v.out}`);
  } else process.stdout.write(script);
  return 0;
}

/** The longest prefix every acknowledged key shares: what an etcd read-back asks for. */
function commonPrefix(keys: readonly string[]): string {
  let p = keys[0] ?? '';
  for (const k of keys) while (!k.startsWith(p)) p = p.slice(0, -1);
  return p;
}

export async function verifyWritesCommand(argv: string[]): Promise<number> {
  const help = [
    'Usage: ordinal verify-writes --acked <file> (--namespace <ns> | --target <ns>/<statefulset>) [--workload web|etcd] [--statefulset name] [--kubeconfig path] [--context name]',
    '',
    'Reads the keys listed as "ACK <store> <key>" (a k6 console log from `ordinal traffic export-k6`) back from the pods',
    'and classifies them like STS-WRITES-DURABLE. Exit codes: 0 none lost, 1 lost, 2 bad input or a store that could not be read.',
  ].join('\n');
  const v = parse(argv, flags(['acked', 'namespace', 'target', 'workload', 'statefulset', 'kubeconfig', 'context']), 'verify-writes');
  if (v.help) {
    console.log(help);
    return 0;
  }
  if (typeof v.acked !== 'string') throw new UsageError(`--acked <file> is required\n${help}`);
  const { parseTargetRef } = await import('../run/subject/target.ts');
  const ref = typeof v.target === 'string' ? parseTargetRef(v.target) : undefined;
  const ns = ref?.namespace ?? v.namespace;
  if (typeof ns !== 'string' || ns === '') throw new UsageError(`--namespace or --target is required\n${help}`);
  const workload = v.workload ?? 'web';
  if (workload !== 'web' && workload !== 'etcd') throw new UsageError(`--workload must be web or etcd, got "${String(workload)}"`);
  const sts = ref?.name ?? (typeof v.statefulset === 'string' ? v.statefulset : SAMPLES[workload].statefulSet);
  const acked = parseAcked(readUserFile('--acked', v.acked, MAX_ACKED_BYTES));
  if (acked.length === 0) throw new UsageError(`${v.acked} holds no "ACK <store> <key>" lines`);
  const { connect } = await import('../cluster/cluster.ts');
  const { clusterExec } = await import('../probes/exec.ts');
  const { etcdDriver, webDriver } = await import('../traffic/driver.ts');
  const { podsOfStatefulSet } = await import('../traffic/owned-pods.ts');
  const cluster = await connect({
    ...(typeof v.kubeconfig === 'string' ? { kubeconfig: v.kubeconfig } : {}),
    ...(typeof v.context === 'string' ? { context: v.context } : {}),
    startLocal: false,
  });
  // Only pods the StatefulSet owns are exec'd into, whatever the acked file names.
  const owned = await podsOfStatefulSet(cluster, ns, sts);
  // etcd is one store for the whole cluster: every member is asked.
  let pods = workload === 'etcd' ? owned : [...new Set(acked.map((a) => a.store))].sort();
  const foreign = pods.filter((p) => !owned.includes(p));
  for (const p of foreign) console.log(forTerminal(`UNREAD  ${p}: not a pod of StatefulSet ${ns}/${sts}; not read`));
  pods = pods.filter((p) => owned.includes(p));
  // A key whose store was not read is neither present nor lost: it is left out, and exit 2 says so.
  const readable = workload === 'etcd' ? acked : acked.filter((a) => pods.includes(a.store));
  const driver = workload === 'etcd' ? etcdDriver(2379) : webDriver('/usr/share/nginx/html');
  const exec = clusterExec(cluster, ns, Date.now() + TIMEOUTS.trafficReadBack);
  const info: WorkloadInfo = {
    kind: workload,
    namespace: ns,
    statefulSet: sts,
    service: SAMPLES[workload].service,
    replicas: pods.length,
    claimTemplates: [],
    clusterDomain: 'cluster.local',
    portName: '',
    podManagementPolicy: 'OrderedReady',
  };
  const readBack = await driver.readBack(exec, info, SAMPLES[workload].container, pods, commonPrefix(readable.map((a) => a.key)));
  const writes: WriteRecord[] = readable.map((a) => ({ pod: a.store, key: a.key, store: a.store, sentMs: 0, outcome: 'acked' }));
  const c = classifyWrites(writes, readBack);
  // The error is the pod's own output (exec stderr): no escape sequence of it reaches the terminal.
  for (const r of c.unread) console.log(forTerminal(`UNREAD  ${r.pod}: ${r.error ?? 'no keys'}`));
  for (const store of [...new Set(readable.map((a) => a.store))].sort()) {
    const lost = c.keys.filter((k) => k.store === store && k.class === 'lost');
    const ok = c.keys.filter((k) => k.store === store && k.class === 'ok').length;
    console.log(
      `${lost.length > 0 ? 'LOST   ' : 'OK     '} ${store}: ${ok} acknowledged keys present, ${lost.length} missing${
        lost.length
          ? `: ${lost
              .slice(0, 10)
              .map((k) => k.key)
              .join(', ')}${lost.length > 10 ? ' …' : ''}`
          : ''
      }`,
    );
  }
  const prefixes = new Set(readable.map((a) => a.key.replace(/-\d+$/, '')));
  const extra = c.unexpected.filter((u) => prefixes.has(u.key.replace(/-\d+$/, ''))).length;
  console.log(
    `${c.counts.acked} acknowledged, ${c.counts.ok} ok, ${c.counts.lost} lost; ${extra} present but not acknowledged (indeterminate)`,
  );
  if (c.counts.lost > 0) return 1;
  return c.unread.length > 0 || foreign.length > 0 ? 2 : 0;
}
