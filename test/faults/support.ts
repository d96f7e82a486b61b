// Shared by the fault specs: run Ordinal in-process against the real local cluster with
// a hook that plants a fault mid-run, kubectl-like operations in the run's own namespace,
// stopping and starting cluster components through cluster/scripts/component.sh (by
// recorded PID), and the assertions every spec makes (check status, named subject, exit
// code). Nothing here talks to an address off this machine.
import { execFile } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import type { Cluster } from '../../lib/cluster.ts';
import { describeError } from '../../lib/errors.ts';
import { execIn } from '../../lib/probes/exec.ts';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { executeRun, type HookContext, type RunHook } from '../../lib/run.ts';
import type { CheckResult, CheckStatus, DisruptionName, Evidence, KillPattern, RunResult } from '../../lib/types.ts';
import { LOCAL_MAIN_NODE, ROOT, connectTestCluster, nodeScript } from '../integration/helpers.ts';

export { connectTestCluster };

// ---------------------------------------------------------------- running a run

export interface FaultRun {
  result: RunResult;
  exitCode: 0 | 1 | 2;
  log: string[];
  ms: number;
}

/**
 * One run of the web workload (3 replicas unless argv says otherwise) on the cluster
 * in $KUBECONFIG, with `hook` planting the fault. A hook that throws ends the run with
 * result.error, so a fault that could not be planted fails the spec instead of passing.
 */
export async function runWithFault(argv: string[], hook: RunHook): Promise<FaultRun> {
  if (!process.env.KUBECONFIG) throw new Error('no cluster: run `npm run cluster:up` and export KUBECONFIG');
  // A --target run takes workload and replicas from the StatefulSet and refuses them as flags.
  const sample = argv.includes('--target') ? [] : ['--workload', 'web', '--replicas', '3'];
  // No update phase unless the spec asks for one (--update): the seed's default would change what it plants into.
  const update = argv.some((a) => a === '--update' || a.startsWith('--update=')) ? [] : ['--update', 'none'];
  const args = parseRunArgs([...sample, '--dns-budget', '5', ...update, ...argv]);
  const log: string[] = [];
  const started = performance.now();
  const out = await executeRun({
    ...args,
    kubeconfig: process.env.KUBECONFIG,
    hook,
    log: (line) => {
      log.push(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`);
      if (process.env.ORDINAL_FAULTS_VERBOSE) console.log(log.at(-1));
    },
  });
  return { result: out.result, exitCode: exitCodeOf(out.result), log, ms: performance.now() - started };
}

/** What a fault spec's tests read: set by the `before` that faultRun adds. */
export interface FaultContext {
  readonly run: FaultRun;
  readonly cluster: Cluster;
}

export interface FaultRunSpec {
  /** The run's flags (runWithFault adds the web sample's); a function when they depend on `setup`. */
  argv: string[] | (() => string[]);
  hook: RunHook;
  /** For the whole describe: the run, the tests and the health wait (default 360 s). */
  timeoutMs?: number;
  /** Before the run, once connected: what the fault needs in place first. */
  setup?: (cluster: Cluster) => Promise<void>;
  /** In `after`, whatever happened and before the health wait: undo what the fault left behind. */
  cleanup?: (cluster: Cluster | undefined) => Promise<void>;
  /** The health wait in `after` (expectClusterHealthy's options). */
  healthy?: { timeoutMs?: number; stableMs?: number };
  /** More for the run's summary line; awaited in `before`, so a rejection fails the spec. */
  summary?: (run: FaultRun) => string | Promise<string>;
}

/**
 * A describe with one fault run in `before` and the cluster's health checked in `after`
 * (so the next spec does not start on a cluster the fault left broken); `tests` adds
 * the `it`s, which read the run and the cluster from the context once `before` is done.
 */
export function faultRun(title: string, spec: FaultRunSpec, tests: (t: FaultContext) => void): void {
  describe(title, function () {
    this.timeout(spec.timeoutMs ?? 360_000);
    let cluster: Cluster | undefined;
    let run: FaultRun | undefined;
    const t: FaultContext = {
      get run() {
        if (!run) throw new Error('no fault run: its before hook did not finish');
        return run;
      },
      get cluster() {
        if (!cluster) throw new Error('no cluster: the before hook did not connect');
        return cluster;
      },
    };

    before(async function () {
      cluster = await connectTestCluster();
      await spec.setup?.(cluster);
      const r = await runWithFault(typeof spec.argv === 'function' ? spec.argv() : spec.argv, spec.hook);
      run = r;
      const more = spec.summary ? `; ${await spec.summary(r)}` : '';
      console.log(`      run ${r.result.runId}: ${(r.ms / 1000).toFixed(1)}s, exit ${r.exitCode}${more}`);
    });

    after(async function () {
      await spec.cleanup?.(cluster);
      if (cluster) await expectClusterHealthy(cluster, spec.healthy);
    });

    tests(t);
  });
}

/**
 * The first seed whose round 1 (of `opts.replicas`, default 3) kills exactly `pods`, each with `action`
 * when given (drawn from `opts.chaos`, in `opts.pattern`, when given): found from the planner itself, so a spec states what it needs killed and
 * stays right if the planner's draws change. The run log prints the seed for replay.
 */
export function seedKilling(
  statefulSet: string, pods: string[], action?: DisruptionName, opts: { chaos?: DisruptionName[]; pattern?: KillPattern; replicas?: number } = {},
): number {
  const want = [...pods].sort().join(',');
  for (let seed = 1; seed < 100_000; seed++) {
    const round = planRounds({ seed, statefulSet, replicas: opts.replicas ?? 3, rounds: 1, ...(opts.chaos ? { actions: opts.chaos } : {}) })[0];
    const kills = round?.kills ?? [];
    if (opts.pattern && round?.pattern !== opts.pattern) continue;
    if (kills.map((k) => k.pod).sort().join(',') === want && kills.every((k) => !action || k.action === action)) return seed;
  }
  throw new Error(`no seed below 100000 kills exactly ${want} in round 1`);
}

/** A hook that acts only at `phase` (and `round`, if given); every other phase passes through. */
export function at(phase: HookContext['phase'], fn: (ctx: HookContext) => Promise<void>, round?: number): RunHook {
  return async (ctx) => {
    if (ctx.phase === phase && (round === undefined || ctx.round === round)) await fn(ctx);
  };
}

/** Several phase hooks as one. */
export function hooks(...all: RunHook[]): RunHook {
  return async (ctx) => {
    for (const h of all) await h(ctx);
  };
}

// ---------------------------------------------------------------- assertions

const showEvidence = (e: Evidence[]): string =>
  e.slice(0, 15).map((x) => `  - ${x.subject}${x.expected !== undefined ? ` | expected ${x.expected}` : ''}${x.observed !== undefined ? ` | observed ${x.observed}` : ''}${x.note ? ` (${x.note})` : ''}`).join('\n');

export function describeRun(run: FaultRun): string {
  const checks = run.result.checks.map((c) => `  ${c.id}: ${c.status}: ${c.message}`).join('\n');
  const err = run.result.error ? `\nrun error: ${run.result.error.message}${run.result.error.detail ? `\n${run.result.error.detail}` : ''}` : '';
  return `exit ${run.exitCode} after ${(run.ms / 1000).toFixed(0)}s${err}\nchecks:\n${checks || '  (none)'}\nrun log (last 40 lines):\n${run.log.slice(-40).join('\n')}`;
}

/**
 * Asserts `id` ended with `status` and that one evidence item names `subject` (exact
 * match, or a pattern). Returns the check for further assertions.
 */
export function expectCheck(run: FaultRun, id: string, status: CheckStatus, subject: string | RegExp): CheckResult {
  const c = run.result.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no result for ${id}\n${describeRun(run)}`);
  const detail = `${id} ${c.status}: ${c.message}\n${showEvidence(c.evidence)}`;
  expect(c.status, `${detail}\n\n${describeRun(run)}`).to.equal(status);
  const named = c.evidence.some((e) => (typeof subject === 'string' ? e.subject === subject : subject.test(e.subject)));
  expect(named, `no evidence of ${id} names ${String(subject)}:\n${detail}`).to.equal(true);
  console.log(`      ${id} ${c.status}: ${c.message}`);
  return c;
}

export function expectExit(run: FaultRun, code: 0 | 1 | 2): void {
  expect(run.exitCode, describeRun(run)).to.equal(code);
}

/** The evidence of `check` as one string, for "mentions X" assertions. */
export const evidenceText = (c: CheckResult): string =>
  [c.message, ...c.evidence.map((e) => `${e.subject} ${e.expected ?? ''} ${e.observed ?? ''} ${e.note ?? ''}`)].join('\n');

// ---------------------------------------------------------------- cluster components

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'containerd', 'kubelet', 'kube-proxy'] as const;
export type Component = (typeof COMPONENTS)[number];
const SCRIPT = path.join(ROOT, 'cluster', 'scripts', 'component.sh');

/** component.sh ACTION NAME; rejects with its output when it exits non-zero (status: 1 = stopped). */
export function componentScript(action: 'stop' | 'start' | 'status', name: Component): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, action, name], { timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 2) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * Components a spec stopped, so its `after` can start them again whatever happened.
 * start() is idempotent (component.sh skips what runs), so restoring twice is harmless.
 * On a cluster with extra nodes (cluster:up --nodes N), stopping the kubelet stops every
 * node's (node.sh kubelet-stop), so "the kubelet is gone" holds for pods on any node.
 */
export class Outage {
  readonly stopped = new Set<Component>();
  readonly log: string[] = [];
  readonly nodeKubelets = new Set<string>();

  private readonly cluster: (() => Cluster) | undefined;

  /** `cluster`: where to find extra nodes (none without it). */
  constructor(cluster?: () => Cluster) {
    this.cluster = cluster;
  }

  private async extraNodes(): Promise<string[]> {
    if (!this.cluster) return [];
    const nodes = await this.cluster().core.listNode();
    return nodes.items.map((n) => n.metadata?.name ?? '').filter((n) => n && n !== LOCAL_MAIN_NODE);
  }

  private async nodeKubelet(verb: 'kubelet-stop' | 'kubelet-start', node: string): Promise<void> {
    const r = await nodeScript(verb, node);
    this.log.push(r.output);
    if (r.code !== 0) throw new Error(`node.sh ${verb} ${node} exited ${r.code}:\n${r.output}`);
    if (verb === 'kubelet-stop') this.nodeKubelets.add(node);
    else this.nodeKubelets.delete(node);
  }

  async stop(name: Component): Promise<number> {
    const t = performance.now();
    const r = await componentScript('stop', name);
    this.log.push(r.output);
    if (r.code !== 0) throw new Error(`component.sh stop ${name} exited ${r.code}:\n${r.output}`);
    this.stopped.add(name);
    if (name === 'kubelet') for (const n of await this.extraNodes()) await this.nodeKubelet('kubelet-stop', n);
    return performance.now() - t;
  }

  async start(name: Component): Promise<number> {
    const t = performance.now();
    const r = await componentScript('start', name);
    this.log.push(r.output);
    if (r.code !== 0) throw new Error(`component.sh start ${name} exited ${r.code}:\n${r.output}`);
    this.stopped.delete(name);
    if (name === 'kubelet') for (const n of [...this.nodeKubelets]) await this.nodeKubelet('kubelet-start', n);
    return performance.now() - t;
  }

  /** Starts everything this outage stopped; for `after` hooks. */
  async restore(): Promise<void> {
    for (const name of [...this.stopped]) await this.start(name);
    for (const n of [...this.nodeKubelets]) await this.nodeKubelet('kubelet-start', n);
  }
}

/**
 * The cluster is healthy again: every component runs, the API server says /readyz, the
 * node is Ready, and all of that holds for `stableMs` without a break. The window matters
 * after an API server outage: the node lifecycle controller may mark the node NotReady
 * once more after it first looked Ready (its lease timestamps went stale meanwhile), and
 * the next run on the cluster must not start on a flapping node.
 */
export async function expectClusterHealthy(cluster: Cluster, opts: { timeoutMs?: number; stableMs?: number } = {}): Promise<void> {
  const { timeoutMs = 120_000, stableMs = 5000 } = opts;
  let since: number | undefined;
  await waitUntil(`the cluster to be healthy for ${stableMs / 1000}s (components running, API /readyz, node Ready)`, timeoutMs, async () => {
    const seen = await unhealthy(cluster);
    if (seen) since = undefined;
    else since ??= performance.now();
    const ok = since !== undefined && performance.now() - since >= stableMs;
    return { ok, seen: seen ?? `healthy for ${((performance.now() - (since ?? 0)) / 1000).toFixed(0)}s` };
  });
}

/** What is wrong with the cluster right now, or undefined when nothing is. */
async function unhealthy(cluster: Cluster): Promise<string | undefined> {
  for (const c of COMPONENTS) {
    const s = await componentScript('status', c);
    if (s.code !== 0) return s.output;
  }
  const ready = await new k8s.Health(cluster.kc).readyz({ timeout: 5000 }).catch(() => false);
  if (!ready) return 'API /readyz not ok';
  const nodes = await cluster.core.listNode();
  const notReady = nodes.items.filter((n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (nodes.items.length === 0 || notReady.length > 0) return `nodes not Ready: ${notReady.map((n) => n.metadata?.name).join(', ') || '(no nodes)'}`;
  return undefined;
}

// ---------------------------------------------------------------- waiting

/** Polls `probe` every 500 ms until it says ok; fails after `timeoutMs` with what it last saw. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<{ ok: boolean; seen: string }>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    try {
      const r = await probe();
      if (r.ok) return;
      seen = r.seen;
    } catch (err) {
      seen = describeError(err);
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${seen}`);
    await sleep(500);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- kubectl-like operations

/**
 * A pod the StatefulSet will adopt as ordinal `ordinal`: its template, its labels
 * (including the current revision, so the rolling update does not replace it), its
 * claim, and the hostname the caller chooses (the controller sets it only on pods it
 * creates itself). Waits for the controller to publish the update revision.
 */
export async function adoptablePod(ctx: HookContext, ordinal: number, hostname?: string): Promise<k8s.V1Pod> {
  const { cluster, workload } = ctx;
  const { namespace, statefulSet, service } = workload.info;
  let sts: k8s.V1StatefulSet | undefined;
  await waitUntil(`StatefulSet ${statefulSet} to publish its update revision`, 30_000, async () => {
    sts = await cluster.apps.readNamespacedStatefulSet({ name: statefulSet, namespace });
    return { ok: Boolean(sts.status?.updateRevision), seen: JSON.stringify(sts.status ?? {}) };
  });
  const spec = sts?.spec;
  if (!spec) throw new Error(`StatefulSet ${statefulSet} has no spec`);
  const name = `${statefulSet}-${ordinal}`;
  const volumes = (spec.volumeClaimTemplates ?? []).map((c) => ({
    name: c.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: `${c.metadata?.name}-${name}` },
  }));
  return {
    metadata: {
      name,
      namespace,
      labels: {
        ...spec.template.metadata?.labels,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'controller-revision-hash': sts?.status?.updateRevision ?? '',
      },
    },
    spec: { ...spec.template.spec, containers: spec.template.spec?.containers ?? [], hostname: hostname ?? name, subdomain: service, volumes: [...(spec.template.spec?.volumes ?? []), ...volumes] },
  };
}

export async function createPod(ctx: HookContext, pod: k8s.V1Pod): Promise<k8s.V1Pod> {
  const made = await ctx.cluster.core.createNamespacedPod({ namespace: ctx.workload.info.namespace, body: pod });
  ctx.log(`fault: created pod ${made.metadata?.name} by hand (uid ${made.metadata?.uid}, hostname ${made.spec?.hostname})`);
  return made;
}

export async function deletePod(ctx: HookContext, name: string): Promise<void> {
  await ctx.cluster.core.deleteNamespacedPod({ name, namespace: ctx.workload.info.namespace });
  ctx.log(`fault: deleted pod ${name} by hand`);
}

/** Deletes `claim` and waits (on the run's own watch) until it is marked for deletion: pvc-protection holds it while its pod runs. */
export async function deleteClaim(ctx: HookContext, claim: string): Promise<void> {
  await ctx.cluster.core.deleteNamespacedPersistentVolumeClaim({ name: claim, namespace: ctx.workload.info.namespace });
  await ctx.recorder.waitFor({
    describe: `PVC ${claim} to be marked for deletion`,
    timeoutMs: 30_000,
    until: () => (ctx.recorder.pvcs.get(claim)?.deletionTimestamp ? true : undefined),
  });
  ctx.log(`fault: PVC ${claim} deleted (held by pvc-protection while its pod runs)`);
}

/** Waits (on the run's own watch) until `pod` is absent, or present and matching `until`. */
export function waitPod(ctx: HookContext, pod: string, describe: string, until: (p: ReturnType<HookContext['recorder']['pods']['get']>) => boolean, timeoutMs = 60_000): Promise<true> {
  return ctx.recorder.waitFor({ describe: `${pod} ${describe}`, timeoutMs, until: () => (until(ctx.recorder.pods.get(pod)) ? true : undefined) });
}

/** Runs `script` with sh in the workload's container; throws unless it exits 0. */
export async function shIn(ctx: HookContext, pod: string, script: string): Promise<string> {
  const r = await execIn(ctx.cluster, ctx.workload.info.namespace, pod, ctx.workload.container, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`sh -c '${script}' in ${pod} exited ${r.exitCode}: ${r.stderr.trim()}`);
  ctx.log(`fault: ran in ${pod}: ${script}`);
  return r.stdout;
}

/** The CoreDNS pods' IPs (Ready ones), reachable from this host over the pod bridge. */
export async function corednsPodIps(cluster: Cluster): Promise<string[]> {
  const pods = await cluster.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
  return pods.items
    .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && p.status.podIP)
    .map((p) => p.status?.podIP ?? '');
}

// ---------------------------------------------------------------- a loopback TCP proxy

export interface TcpProxy {
  /** host:port to give --dns-server. */
  address: string;
  connections: () => number;
  /** Stops listening and resets every open connection: the DNS server is gone. */
  close: () => Promise<void>;
}

/** Listens on 127.0.0.1 and pipes each connection to target:port (a pod IP on this machine). */
export function tcpProxy(target: string, port: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((client) => {
    count++;
    const upstream = createConnection({ host: target, port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: local } = server.address() as { port: number };
      resolve({
        address: `127.0.0.1:${local}`,
        connections: () => count,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.resetAndDestroy();
            server.close(() => done());
          }),
      });
    });
  });
}
