// Cluster access: load a kubeconfig, pick the context, and prove the API server
// answers before anything else happens, so bad input fails fast with exit 2.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ClusterError, UsageError, describeError, httpStatus } from '../errors.ts';
import { canStartLocalCluster, localClusterScripts, localKubeconfigPath, startLocalCluster } from './local.ts';
import type { ClusterFacts } from '../model.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { readUserFile } from '../user-file.ts';

// Real kubeconfigs with embedded certificates for many clusters stay far below this.
const KUBECONFIG_MAX_BYTES = 16 * 2 ** 20;

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** How long to wait for the API server to answer /version. */
  timeoutMs?: number;
  /**
   * With no cluster configured (no --kubeconfig, KUBECONFIG, ~/.kube/config or in-cluster
   * service account): start the built-in local cluster when this machine can (default),
   * or only use it when it is already running (false, e.g. for `ordinal cleanup`).
   */
  startLocal?: boolean;
  /** Progress lines, e.g. that the local cluster is being started. */
  log?: (line: string) => void;
}

export interface Cluster {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  storage: k8s.StorageV1Api;
  policy: k8s.PolicyV1Api;
  server: string;
  context: string;
  version: string;
  /** Where the configuration came from, for the one line that says which cluster is used. */
  source: string;
  /** --target: called before every exec (lib/probes/exec.ts); throws to refuse it (lib/run/subject/target.ts OptIn). */
  beforeExec?: (namespace: string, pod: string) => Promise<void>;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Target = { kind: 'file'; path: string; source: string } | { kind: 'in-cluster' } | { kind: 'local' };

/**
 * Which cluster to use, most explicit first: --kubeconfig, KUBECONFIG (its first entry),
 * ~/.kube/config, the pod's service account when running inside a cluster, and last the
 * built-in local cluster when this machine can run it. Anything else keeps the
 * "kubeconfig not found" error naming ~/.kube/config.
 */
function resolveTarget(opts: ConnectOptions): Target {
  if (opts.kubeconfig) return { kind: 'file', path: opts.kubeconfig, source: `kubeconfig ${opts.kubeconfig} from --kubeconfig` };
  const env = process.env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  if (env) return { kind: 'file', path: env, source: `kubeconfig ${env} from KUBECONFIG` };
  const home = join(homedir(), '.kube', 'config');
  const homeTarget: Target = { kind: 'file', path: home, source: `kubeconfig ${home}` };
  // A --context names a context of some kubeconfig: never guess one.
  if (existsSync(home) || opts.context) return homeTarget;
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(join(SA_DIR, 'token'))) return { kind: 'in-cluster' };
  if (canStartLocalCluster()) return { kind: 'local' };
  return homeTarget;
}

export async function connect(opts: ConnectOptions = {}): Promise<Cluster> {
  const target = resolveTarget(opts);
  const timeoutMs = opts.timeoutMs ?? TIMEOUTS.connect;
  if (target.kind === 'in-cluster') {
    const kc = new k8s.KubeConfig();
    kc.loadFromCluster();
    return finish(kc, 'in-cluster service account', timeoutMs);
  }
  if (target.kind === 'local') return connectLocal(opts, timeoutMs);
  const path = target.path;
  if (!existsSync(path)) {
    // An installed package has no local cluster to offer (cluster/ is not shipped).
    const how = localClusterScripts()
      ? "pass --kubeconfig, set KUBECONFIG, or start the local cluster with 'npm run cluster:up'"
      : 'pass --kubeconfig or set KUBECONFIG';
    throw new UsageError(`kubeconfig not found at ${path}: ${how}`);
  }
  return finish(loadKubeconfig(path, opts.context), target.source, timeoutMs);
}

function loadKubeconfig(path: string, context: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  // Read through readUserFile, not kc.loadFromFile: a FIFO or /dev/zero named as the
  // kubeconfig would block or never end instead of failing with one line.
  const text = readUserFile('kubeconfig', path, KUBECONFIG_MAX_BYTES);
  try {
    kc.loadFromString(text);
    kc.makePathsAbsolute(dirname(path));
  } catch (err) {
    throw new UsageError(`cannot read kubeconfig ${path}: ${describeError(err)}`);
  }
  if (context) {
    if (!kc.getContextObject(context)) {
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || '(none)';
      throw new UsageError(`context "${context}" not found in ${path}; available: ${known}`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentContext() || !kc.getCurrentCluster()?.server) {
    throw new UsageError(`kubeconfig ${path} has no current context with a cluster server; pass --context`);
  }
  return kc;
}

async function finish(kc: k8s.KubeConfig, source: string, timeoutMs: number): Promise<Cluster> {
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '';
  const version = await probeVersion(kc, server, timeoutMs);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    policy: kc.makeApiClient(k8s.PolicyV1Api),
    server,
    context,
    version,
    source,
  };
}

/**
 * No cluster configured, and this machine can run the built-in one: use it if it answers,
 * otherwise start it (cluster/scripts/up.sh repairs a half-started cluster too).
 */
async function connectLocal(opts: ConnectOptions, timeoutMs: number): Promise<Cluster> {
  const kubeconfig = await ensureLocalCluster({
    start: opts.startLocal !== false,
    why: 'no cluster configured (no --kubeconfig, KUBECONFIG or ~/.kube/config) and ',
    ...(opts.log ? { log: opts.log } : {}),
  });
  return finish(
    loadKubeconfig(kubeconfig, undefined),
    `the built-in local cluster, kubeconfig ${kubeconfig} (nothing else configured)`,
    timeoutMs,
  );
}

/**
 * The built-in local cluster's kubeconfig, once its API server answers: as it is when
 * it is up (a 5 s probe), else started by up.sh when `start` (the default), else a
 * UsageError saying how to start it. The test set-up (test/setup/cluster.ts) uses this too.
 */
export async function ensureLocalCluster(opts: { start?: boolean; log?: (line: string) => void; why?: string } = {}): Promise<string> {
  const kubeconfig = localKubeconfigPath();
  let down: string;
  if (existsSync(kubeconfig)) {
    try {
      await finish(loadKubeconfig(kubeconfig, undefined), '', TIMEOUTS.localClusterProbe);
      return kubeconfig;
    } catch (err) {
      down = describeError(err);
    }
  } else {
    down = `no kubeconfig at ${kubeconfig} yet`;
  }
  if (opts.start === false) {
    throw new UsageError(
      `no cluster configured (no --kubeconfig, KUBECONFIG or ~/.kube/config) and the local cluster is not up (${down}): start it with 'npm run cluster:up' or pass --kubeconfig`,
    );
  }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(
    `${opts.why ?? ''}the built-in local cluster is not up (${down}): starting it with cluster/scripts/up.sh; the first start builds Kubernetes from source (~9 min on 2 cores)`,
  );
  return startLocalCluster();
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
export async function clusterFacts(
  cluster: Cluster,
  storageClass: string | undefined,
  image: string,
  fromObject = false,
): Promise<ClusterFacts> {
  let classes: k8s.V1StorageClassList;
  let nodes: k8s.V1NodeList;
  try {
    [classes, nodes] = await Promise.all([cluster.storage.listStorageClass(), cluster.core.listNode()]);
  } catch (err) {
    throw new ClusterError(
      `cannot list storage classes and nodes on ${cluster.server}: ${describeError(err)}; the harness needs list on both (see examples/rbac.yaml)`,
    );
  }
  const isDefault = (sc: k8s.V1StorageClass): boolean =>
    sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
  const names = classes.items.map((sc) => sc.metadata?.name ?? '');
  let chosen: string;
  // --target/--manifest: the class is the object's, shown as found; the run chooses none.
  if (fromObject) chosen = storageClass ?? classes.items.find(isDefault)?.metadata?.name ?? '(the cluster has no default storage class)';
  else if (storageClass) {
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
