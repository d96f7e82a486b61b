// Stopping and starting the local cluster's components for fault specs, only through
// cluster/scripts/component.sh and node.sh (by recorded PID), and the health wait every
// spec ends with so the next one starts on a healthy cluster.
import { execFile } from 'node:child_process';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { describeError } from '../../lib/errors.ts';
import { LOCAL_MAIN_NODE, ROOT, nodeScript } from '../integration/helpers.ts';

export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'containerd',
  'kubelet',
  'kube-proxy',
] as const;
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
  await waitUntil(
    `the cluster to be healthy for ${stableMs / 1000}s (components running, API /readyz, node Ready)`,
    timeoutMs,
    async () => {
      const seen = await unhealthy(cluster);
      if (seen) since = undefined;
      else since ??= performance.now();
      const ok = since !== undefined && performance.now() - since >= stableMs;
      return { ok, seen: seen ?? `healthy for ${((performance.now() - (since ?? 0)) / 1000).toFixed(0)}s` };
    },
  );
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
  if (nodes.items.length === 0 || notReady.length > 0)
    return `nodes not Ready: ${notReady.map((n) => n.metadata?.name).join(', ') || '(no nodes)'}`;
  return undefined;
}

// ---------------------------------------------------------------- waiting

/** Polls `probe` every 500 ms until it gives a value, and returns it; fails after `timeoutMs` with what it last saw (or threw). */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<{ value?: T; seen: string }>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    try {
      const r = await probe();
      if (r.value !== undefined) return r.value;
      seen = r.seen;
    } catch (err) {
      seen = describeError(err);
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${seen}`);
    await sleep(500);
  }
}

/** waitFor, for a probe that only says whether it is so. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<{ ok: boolean; seen: string }>): Promise<void> {
  await waitFor(what, timeoutMs, async () => {
    const r = await probe();
    return { seen: r.seen, ...(r.ok ? { value: true } : {}) };
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
