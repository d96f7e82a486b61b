// kubectl-like operations fault specs use to plant a fault: in the run's own namespace
// (pods, claims, a shell in a pod), plus a loopback TCP proxy for DNS outages.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { execIn } from '../../lib/probes/exec.ts';
import type { HookContext } from '../../lib/run/execute.ts';
import { waitUntil } from './components.ts';

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
    spec: {
      ...spec.template.spec,
      containers: spec.template.spec?.containers ?? [],
      hostname: hostname ?? name,
      subdomain: service,
      volumes: [...(spec.template.spec?.volumes ?? []), ...volumes],
    },
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
export function waitPod(
  ctx: HookContext,
  pod: string,
  describe: string,
  until: (p: ReturnType<HookContext['recorder']['pods']['get']>) => boolean,
  timeoutMs = 60_000,
): Promise<true> {
  return ctx.recorder.waitFor({
    describe: `${pod} ${describe}`,
    timeoutMs,
    until: () => (until(ctx.recorder.pods.get(pod)) ? true : undefined),
  });
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
