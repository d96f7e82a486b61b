// Which subject a run has: the one place that looks at --target and --manifest.
import type { Cluster } from '../../cluster/cluster.ts';
import type { RunOptions } from '../options.ts';
import { manifestSubject } from './manifest.ts';
import { sampleSubject } from './sample.ts';
import type { Subject } from '../context.ts';
import { targetSubject } from './target.ts';

export type { Subject } from '../context.ts';

/** Reads (and for --target, vets) the subject; creates nothing. */
export function prepareSubject(cluster: Cluster, o: RunOptions, runId: string): Promise<Subject> {
  if (o.target !== undefined) return targetSubject(cluster, o, o.target);
  if (o.manifest !== undefined) return manifestSubject(cluster, o, o.manifest, runId);
  return sampleSubject(cluster, o, runId);
}
