// Cluster access: load a kubeconfig, pick the context, and prove the API server
// answers before anything else happens, so bad input fails fast with exit 2.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ClusterError, UsageError, describeError, httpStatus } from './errors.ts';
import type { ClusterFacts } from './types.ts';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** How long to wait for the API server to answer /version. */
  timeoutMs?: number;
}

export interface Cluster {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  storage: k8s.StorageV1Api;
  server: string;
  context: string;
  version: string;
}

function resolveKubeconfigPath(flag?: string): string {
  if (flag) return flag;
  const env = process.env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  return env ?? join(homedir(), '.kube', 'config');
}

export async function connect(opts: ConnectOptions = {}): Promise<Cluster> {
  const path = resolveKubeconfigPath(opts.kubeconfig);
  if (!existsSync(path)) {
    throw new UsageError(
      `kubeconfig not found at ${path}: pass --kubeconfig, set KUBECONFIG, or start the local cluster with 'npm run cluster:up'`,
    );
  }
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    throw new UsageError(`cannot read kubeconfig ${path}: ${describeError(err)}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || '(none)';
      throw new UsageError(`context "${opts.context}" not found in ${path}; available: ${known}`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!context || !server) {
    throw new UsageError(`kubeconfig ${path} has no current context with a cluster server; pass --context`);
  }
  const version = await probeVersion(kc, server, opts.timeoutMs ?? 10_000);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    server,
    context,
    version,
  };
}

async function probeVersion(kc: k8s.KubeConfig, server: string, timeoutMs: number): Promise<string> {
  const api = kc.makeApiClient(k8s.VersionApi);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    const info = await Promise.race([api.getCode(), timeout]);
    return info.gitVersion;
  } catch (err) {
    const status = httpStatus(err);
    const hint = status === 401 || status === 403 ? 'check the credentials in your kubeconfig' : 'is the cluster running?';
    throw new ClusterError(`cannot reach the API server ${server}: ${describeError(err)}; ${hint}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Facts for the report header; also verifies the storage class exists (exit 2 if not). */
export async function clusterFacts(cluster: Cluster, storageClass: string | undefined, image: string): Promise<ClusterFacts> {
  let classes: k8s.V1StorageClassList;
  let nodes: k8s.V1NodeList;
  try {
    [classes, nodes] = await Promise.all([cluster.storage.listStorageClass(), cluster.core.listNode()]);
  } catch (err) {
    throw new ClusterError(`cannot list storage classes and nodes on ${cluster.server}: ${describeError(err)}; the harness needs list on both (see examples/rbac.yaml)`);
  }
  const isDefault = (sc: k8s.V1StorageClass): boolean =>
    sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
  const names = classes.items.map((sc) => sc.metadata?.name ?? '');
  let chosen: string;
  if (storageClass) {
    if (!names.includes(storageClass)) {
      throw new ClusterError(
        `storage class "${storageClass}" does not exist; available: ${names.join(', ') || '(none)'}. Pass an existing one with --storage-class`,
      );
    }
    chosen = storageClass;
  } else {
    const def = classes.items.find(isDefault)?.metadata?.name;
    if (!def) {
      throw new ClusterError(
        `the cluster has no default storage class; available: ${names.join(', ') || '(none)'}. Pass one with --storage-class`,
      );
    }
    chosen = def;
  }
  return {
    server: cluster.server,
    context: cluster.context,
    version: cluster.version,
    nodes: nodes.items.map((n) => ({
      name: n.metadata?.name ?? '',
      kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
      osImage: n.status?.nodeInfo?.osImage ?? '',
      containerRuntime: n.status?.nodeInfo?.containerRuntimeVersion ?? '',
    })),
    storageClass: chosen,
    image,
  };
}
