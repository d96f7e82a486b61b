// Detection latency, measured: a canary ConfigMap in the run namespace whose annotation
// the harness rewrites every second during chaos with a high-resolution timestamp. The
// recorder's watch times each arrival against the timestamp it carries; writer and
// reader share one process clock (performance.timeOrigin + performance.now()), so there
// is no clock skew and no 1-second quantisation, unlike the kubelet's lastTransitionTime.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import type { DetectionLatency } from '../model.ts';
import { nearestRank } from '../percentile.ts';
import type { RawObject } from './kinds.ts';
import type { ChangeHow, ChangeType } from './list-watch.ts';
import { MANAGED_BY, RUN_LABEL } from '../workloads/common.ts';
import { TIMEOUTS } from '../timeouts.ts';

export const CANARY_NAME = 'ordinal-canary';
export const CANARY_ANNOTATION = 'ordinal.dev/canary-sent';

/** The harness clock in ms with sub-ms resolution, comparable across the process. */
export const hiresNow = (): number => performance.timeOrigin + performance.now();

export interface Canary {
  /** Begin annotating every `intervalMs`; a no-op if already running. */
  start(intervalMs?: number): void;
  stop(): void;
  /** Patches that failed (e.g. during an API outage); those seconds have no sample. */
  failedWrites(): number;
}

export async function createCanary(cluster: Cluster, namespace: string, runId: string, log: (l: string) => void): Promise<Canary> {
  await cluster.core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: CANARY_NAME, labels: { ...MANAGED_BY, [RUN_LABEL]: runId } },
      data: { purpose: 'ordinal detection-latency canary' },
    },
  });
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  let failed = 0;
  const write = async (): Promise<void> => {
    // A patch still in flight (slow or stalled API server) is not stacked on: each
    // sample is one write, so a slow second is measured once, not queued behind.
    if (inFlight) return;
    inFlight = true;
    try {
      const body = { metadata: { annotations: { [CANARY_ANNOTATION]: hiresNow().toFixed(3) } } };
      await cluster.core.patchNamespacedConfigMap({ name: CANARY_NAME, namespace, body }, merge);
    } catch (err) {
      if (failed++ === 0) log(`canary write failed (detection latency has a hole): ${describeError(err)}`);
    } finally {
      inFlight = false;
    }
  };
  return {
    start(intervalMs: number = TIMEOUTS.canaryEvery) {
      if (timer) return;
      void write();
      timer = setInterval(() => void write(), intervalMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    failedWrites: () => failed,
  };
}

/**
 * The reading side: each arrival of the canary carrying a new `annotation` timestamp
 * becomes one latency sample, ms between the write and the watch delivering it.
 */
export class CanarySampler {
  /** Canary arrivals: ms between the harness writing a timestamp and the watch delivering it. */
  readonly samples: number[] = [];
  readonly #annotation: string;
  #last = '';

  constructor(annotation: string) {
    this.#annotation = annotation;
  }

  change(type: ChangeType, obj: RawObject, how: ChangeHow): void {
    const arrived = hiresNow();
    const sent = obj.metadata?.annotations?.[this.#annotation];
    // Re-listed objects arrive late by construction: they time the re-list, not the watch.
    if (type !== 'MODIFIED' || how.relisted || !sent || sent === this.#last) return;
    this.#last = sent;
    const ms = arrived - Number(sent);
    if (Number.isFinite(ms)) this.samples.push(Math.round(ms * 1000) / 1000);
  }
}

/** p50/p95/max of the canary samples (nearest rank: always a value actually observed). */
export function latencyStats(samples: readonly number[]): DetectionLatency {
  if (samples.length === 0) return { samples: 0 };
  return { samples: samples.length, p50Ms: nearestRank(samples, 50), p95Ms: nearestRank(samples, 95), maxMs: Math.max(...samples) };
}
