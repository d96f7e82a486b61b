// A user's StatefulSet as a subject (--manifest, --target): what its object tells the
// report header, and, once the pods run, what the probes can do in the user's image,
// the cluster domain, and (--target) taking the run's sentinel files out again.
import type { Cluster } from '../../cluster/cluster.ts';
import { ClusterError } from '../../errors.ts';
import { podName, startOrdinal } from '../../names.ts';
import { clusterExec } from '../../probes/exec.ts';
import { adaptToImage, clusterDomainFrom, probeImage, removeSentinel } from '../../probes/image.ts';
import type { Workload } from '../../workloads/common.ts';
import type { DerivedWorkload } from '../../workloads/derive.ts';
import { TIMEOUTS } from '../../timeouts.ts';

type StatefulSetFacts = {
  spec?: {
    volumeClaimTemplates?: { spec?: { storageClassName?: string } }[];
    template?: { spec?: { containers?: { name?: string; image?: string }[] } };
  };
};

/** The claims' storage class (undefined: the cluster default) and the container's image, for the report header. */
export function imageFacts(w: DerivedWorkload, sts: StatefulSetFacts): { storageClass: string | undefined; image: string } {
  const container = sts.spec?.template?.spec?.containers?.find((c) => c.name === w.container);
  return { storageClass: sts.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName, image: container?.image ?? '' };
}

/**
 * Once the pods run: what the image lets the probes do (skip reasons on the workload)
 * and the cluster domain, from the first pod's resolv.conf unless --cluster-domain says.
 */
export async function adaptProbes(
  cluster: Cluster,
  w: Workload,
  clusterDomain: string | undefined,
  log: (l: string) => void,
): Promise<void> {
  const first = podName(w.info, startOrdinal(w.info));
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
