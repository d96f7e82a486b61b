// The stable names a StatefulSet promises: `<sts>-<ordinal>` for pods,
// `<template>-<sts>-<ordinal>` for their claims, `<pod>.<service>.<ns>.svc.<domain>` and
// the service's SRV name for their DNS records; and the run's own namespace.
// Ordinals start at spec.ordinals.start (--start-ordinal), so every loop over a
// StatefulSet's pods goes through ordinals() rather than 0..replicas-1.
import type { WorkloadInfo } from './model.ts';

/** The first ordinal (spec.ordinals.start; 0 in older recordings). */
export function startOrdinal(workload: Pick<WorkloadInfo, 'options'>): number {
  return workload.options?.startOrdinal ?? 0;
}

/** The StatefulSet's ordinals, lowest first: start .. start+replicas-1. */
export function ordinals(workload: Pick<WorkloadInfo, 'options' | 'replicas'>): number[] {
  const start = startOrdinal(workload);
  return Array.from({ length: workload.replicas }, (_, i) => start + i);
}

/** `ordinal` is the pod's real ordinal (already offset by the start ordinal). */
export function podName(workload: Pick<WorkloadInfo, 'statefulSet'>, ordinal: number): string {
  return `${workload.statefulSet}-${ordinal}`;
}

/** The per-pod DNS name the headless service publishes. */
export function podFqdn(workload: WorkloadInfo, pod: string): string {
  return `${pod}.${workload.service}.${workload.namespace}.svc.${workload.clusterDomain}`;
}

/** The SRV name of the headless service's named port: `_<port>._tcp.<service>.<ns>.svc.<domain>`. */
export function serviceSrvName(workload: WorkloadInfo): string {
  return `_${workload.portName}._tcp.${workload.service}.${workload.namespace}.svc.${workload.clusterDomain}`;
}

/** The claim the controller creates for an ordinal from a volumeClaimTemplate: `<template>-<sts>-<ordinal>`. */
export function claimName(workload: Pick<WorkloadInfo, 'statefulSet'>, template: string, ordinal: number | string): string {
  return `${template}-${workload.statefulSet}-${ordinal}`;
}

/** The claims of the ordinals a scale-down from `from` to `to` replicas removes, highest ordinal first. */
export function scaledAwayClaims(w: WorkloadInfo, from: number, to: number): string[] {
  const first = startOrdinal(w);
  const out: string[] = [];
  for (let o = first + from - 1; o >= first + to; o--) for (const t of w.claimTemplates) out.push(claimName(w, t, o));
  return out;
}

/** The namespace a run creates (and labels with its run ID) for everything it deploys. */
export function runNamespace(runId: string): string {
  return `ordinal-${runId}`;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label, as Kubernetes requires for namespaces, services and pod hostnames. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && LABEL.test(s);
}

/** RFC 1123 subdomain: dot-separated labels, 253 characters at most (a cluster domain). */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every(isDnsLabel);
}

/** The run's creation record: a ConfigMap in each run namespace (lib/run/namespace.ts) that `ordinal cleanup` and the agent read. */
export const RECORD_NAME = 'ordinal-run';
