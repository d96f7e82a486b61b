// Bring your own StatefulSet: what lib/run.ts needs to run against `--target` (adopted,
// never created, scaled or deleted) or `--manifest` (deployed into the run namespace),
// in place of a sample. The run's phases are the same; this decides the workload, where
// it lives, how it is deployed (if at all), the guard every kill passes, and, once the
// pods run, what the probes can do in the user's image and the cluster domain.
import type { Cluster } from './cluster.ts';
import { ClusterError } from './errors.ts';
import { podName } from './names.ts';
import { clusterExec } from './probes/exec.ts';
import { adaptToImage, clusterDomainFrom, probeImage, removeSentinel } from './probes/image.ts';
import type { RunOptions } from './run.ts';
import { killGuard, parseTargetRef, readTarget, targetWorkload } from './target.ts';
import type { Workload } from './workloads/common.ts';
import type { DerivedWorkload } from './workloads/derive.ts';
import { checkManifestAccess, deployManifest, manifestWorkload, placeManifest, readManifest } from './workloads/manifest.ts';
import { TIMEOUTS } from './timeouts.ts';

export interface OwnWorkload {
  mode: 'target' | 'manifest';
  workload: Workload;
  /** What the progress line calls it: `target ns/sts` or `manifest file (StatefulSet x)`. */
  label: string;
  /** The claims' storage class, for the report header (undefined: the cluster default). */
  storageClass: string | undefined;
  image: string;
  /** --manifest: creates the file's objects in the run namespace. */
  deploy?: () => Promise<void>;
  /** --target: refuses a kill unless the pod is the StatefulSet's own, with that UID. */
  guard?: (pod: string, uid: string) => Promise<void>;
}

type OwnOptions = Pick<RunOptions, 'target' | 'manifest' | 'sentinel' | 'sentinelPath'>;

function facts(w: DerivedWorkload, sts: { spec?: { volumeClaimTemplates?: { spec?: { storageClassName?: string } }[]; template?: { spec?: { containers?: { name?: string; image?: string }[] } } } }) {
  const container = sts.spec?.template?.spec?.containers?.find((c) => c.name === w.container);
  return { storageClass: sts.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName, image: container?.image ?? '' };
}

/** undefined for a sample run; otherwise reads (and for --target, vets) the user's StatefulSet. Touches nothing. */
export async function prepareOwn(cluster: Cluster, o: OwnOptions, namespace: string, runId: string): Promise<OwnWorkload | undefined> {
  const sentinel = { sentinel: o.sentinel ?? 'on', ...(o.sentinelPath ? { sentinelPath: o.sentinelPath } : {}) };
  if (o.target !== undefined) {
    const t = await readTarget(cluster, parseTargetRef(o.target));
    const workload = targetWorkload(t, sentinel);
    return { mode: 'target', workload, label: `target ${t.ref.namespace}/${t.ref.name}`, ...facts(workload, t.sts), guard: killGuard(cluster, t) };
  }
  if (o.manifest !== undefined) {
    const placed = placeManifest(readManifest(o.manifest), namespace, runId);
    const workload = manifestWorkload(placed, namespace, sentinel);
    const sts = placed.find((x) => x.kind === 'StatefulSet') as Parameters<typeof facts>[1];
    await checkManifestAccess(cluster, placed, namespace);
    return {
      mode: 'manifest', workload, label: `manifest ${o.manifest} (StatefulSet ${workload.info.statefulSet})`, ...facts(workload, sts),
      deploy: () => deployManifest(cluster, placed),
    };
  }
  return undefined;
}

/**
 * Once the pods run: what the image lets the probes do (skip reasons on the workload)
 * and the cluster domain, from the first pod's resolv.conf unless --cluster-domain says.
 */
export async function adaptProbes(cluster: Cluster, w: Workload, clusterDomain: string | undefined, log: (l: string) => void): Promise<void> {
  const first = podName(w.info, 0);
  const exec = clusterExec(cluster, w.info.namespace, Date.now() + TIMEOUTS.probeExecs);
  const img = await probeImage(exec, first, w.container, w.dataPath);
  log(adaptToImage(w, img));
  const domain = clusterDomain ?? clusterDomainFrom(img.resolvConf, w.info.namespace);
  if (!domain) {
    const seen = img.noShell ?? `its search line: ${img.resolvConf.find((l) => l.startsWith('search')) ?? '(none)'}`;
    throw new ClusterError(`cannot learn the cluster domain from pod ${first}'s /etc/resolv.conf (${seen}); pass --cluster-domain`);
  }
  w.info.clusterDomain = domain;
  log(`cluster domain ${domain} (${clusterDomain ? '--cluster-domain' : `from ${first}'s /etc/resolv.conf`})`);
}

/** --target: takes the run's sentinel files out of the user's volumes again; problems are logged, never thrown. */
export async function removeSentinels(cluster: Cluster, w: Workload, pods: string[], log: (l: string) => void): Promise<void> {
  const exec = clusterExec(cluster, w.info.namespace, Date.now() + TIMEOUTS.probeExecs);
  for (const pod of pods) {
    const err = await removeSentinel(exec, pod, w);
    log(err ? `could not remove the sentinel from ${pod}: ${err}` : `removed the sentinel from ${pod}`);
  }
}
