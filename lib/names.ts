// The stable names a StatefulSet promises: `<sts>-<ordinal>` for pods and
// `<pod>.<service>.<ns>.svc.<domain>` for their DNS records; and the run's own namespace.
import type { WorkloadInfo } from './types.ts';

export function podName(workload: Pick<WorkloadInfo, 'statefulSet'>, ordinal: number): string {
  return `${workload.statefulSet}-${ordinal}`;
}

/** The per-pod DNS name the headless service publishes. */
export function podFqdn(workload: WorkloadInfo, pod: string): string {
  return `${pod}.${workload.service}.${workload.namespace}.svc.${workload.clusterDomain}`;
}

/** The namespace a run creates (and labels with its run ID) for everything it deploys. */
export function runNamespace(runId: string): string {
  return `ordinal-${runId}`;
}
