// A --manifest subject: the user's YAML (one StatefulSet, its headless Service and
// anything else), placed into the run's namespace and deployed there in place of a sample.
import { type Cluster, clusterFacts } from '../../cluster/cluster.ts';
import { runNamespace } from '../../names.ts';
import { checkManifestAccess, deployManifest, manifestWorkload, placeManifest, readManifest } from '../../workloads/manifest.ts';
import type { RunOptions } from '../options.ts';
import { RunNamespace } from './run-namespace.ts';
import type { Subject } from '../context.ts';
import { adaptProbes, imageFacts } from './user-image.ts';

export async function manifestSubject(cluster: Cluster, o: RunOptions, file: string, runId: string): Promise<Subject> {
  const namespace = runNamespace(runId);
  const placed = placeManifest(readManifest(file), namespace, runId);
  const workload = manifestWorkload(placed, namespace, {
    sentinel: o.sentinel ?? 'on',
    ...(o.sentinelPath ? { sentinelPath: o.sentinelPath } : {}),
  });
  const sts = placed.find((x) => x.kind === 'StatefulSet') as Parameters<typeof imageFacts>[1];
  await checkManifestAccess(cluster, placed, namespace);
  const { storageClass, image } = imageFacts(workload, sts);
  const facts = await clusterFacts(cluster, storageClass, image, true);
  const ns = new RunNamespace(namespace);
  return {
    kind: 'manifest',
    workload,
    facts,
    label: `manifest ${file} (StatefulSet ${workload.info.statefulSet})`,
    header: [],
    open: (ctx) => ns.open(ctx),
    openCanary: (ctx) => ns.openCanary(ctx),
    deploy: () => deployManifest(cluster, placed),
    adapt: (ctx) => adaptProbes(ctx.cluster, workload, o.clusterDomain, ctx.log),
    trafficSkip: 'no traffic driver for a --manifest workload',
    claimSentinels: () => {},
    cleanUp: (ctx) => ns.cleanUp(ctx),
  };
}
