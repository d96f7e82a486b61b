// The harness side of a fault request (lib/agent/request.ts): write it, renew its expiry
// while the fault is held, wait for the agent's status, ask it to heal, take it away. The
// harness never talks to the agent any other way.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ObservationError, describeError } from '../errors.ts';
import { FAULT_LABEL, type FaultPhase, type FaultSpec, type FaultStatus, parseStatus, specData } from '../agent/request.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { MANAGED_BY } from '../workloads/common.ts';

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export class FaultRequest {
  private timer: NodeJS.Timeout | undefined;
  private renewFailures = 0;
  readonly name: string;
  private readonly cluster: Cluster;
  private readonly namespace: string;
  private readonly log: (line: string) => void;
  constructor(cluster: Cluster, namespace: string, name: string, log: (line: string) => void) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.name = name;
    this.log = log;
  }

  /** Writes the request and starts renewing its expiry. */
  async create(spec: Omit<FaultSpec, 'expires' | 'heal'>): Promise<void> {
    const data = specData({ ...spec, expires: Date.now() + TIMEOUTS.faultExpiry, heal: false });
    try {
      await this.cluster.core.createNamespacedConfigMap({
        namespace: this.namespace,
        body: { metadata: { name: this.name, labels: { ...MANAGED_BY, [FAULT_LABEL]: 'true' } }, data },
      });
    } catch (err) {
      throw new ObservationError(`cannot write fault request ${this.namespace}/${this.name}: ${describeError(err)}`);
    }
    this.timer = setInterval(() => void this.renew(), TIMEOUTS.faultRenewEvery);
  }

  private async renew(): Promise<void> {
    try {
      await this.patch({ expires: String(Date.now() + TIMEOUTS.faultExpiry) });
      this.renewFailures = 0;
    } catch (err) {
      if (this.renewFailures++ === 0)
        this.log(`renewing fault request ${this.name} failed (the agent heals at the expiry): ${describeError(err)}`);
    }
  }

  private async patch(data: Record<string, string>): Promise<void> {
    await this.cluster.core.patchNamespacedConfigMap({ name: this.name, namespace: this.namespace, body: { data } }, merge);
  }

  async status(): Promise<FaultStatus | undefined> {
    const cm = await this.cluster.core.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    return parseStatus(cm.data?.status);
  }

  /** Waits until the agent reports one of `phases` (and `done` holds); throws with the last status seen on the deadline. */
  async waitFor(
    phases: readonly FaultPhase[],
    timeoutMs: number,
    what: string,
    done: (s: FaultStatus) => boolean = () => true,
  ): Promise<FaultStatus> {
    const until = Date.now() + timeoutMs;
    let last: FaultStatus | undefined;
    let lastError = '';
    while (Date.now() < until) {
      try {
        last = await this.status();
        if (last && phases.includes(last.phase) && done(last)) return last;
      } catch (err) {
        lastError = describeError(err);
      }
      await new Promise((r) => setTimeout(r, TIMEOUTS.faultPoll));
    }
    const seen = last
      ? `${last.phase}${last.unfreed ? ` (volume ${last.unfreed})` : ''} on node ${last.node}: ${last.seen}`
      : `no status from any agent${lastError ? ` (${lastError})` : ''}`;
    throw new ObservationError(
      `${what}: fault request ${this.namespace}/${this.name} not ${phases.join(' or ')} within ${timeoutMs / 1000}s; saw ${seen}`,
    );
  }

  /** Holds the fault `ms`, then throws (ObservationError) unless the agent still has it applied. */
  async hold(ms: number, what: string): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const during = await this.status();
    if (during?.phase !== 'applied')
      throw new ObservationError(
        `${what}: the fault ended before its ${ms / 1000}s hold: ${during?.phase ?? 'no status'} (${during?.healedBecause ?? during?.seen ?? ''})`,
      );
  }

  /** Asks the agent to heal now (renewals stop: an expiry heals too, should this patch be lost). */
  async heal(): Promise<void> {
    this.stopRenewing();
    await this.patch({ heal: 'true' });
  }

  stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Removes the request (an agent still holding it heals on seeing it gone). */
  async remove(): Promise<void> {
    this.stopRenewing();
    await this.cluster.core.deleteNamespacedConfigMap({ name: this.name, namespace: this.namespace }).catch((err: unknown) => {
      this.log(`deleting fault request ${this.name} failed: ${describeError(err)}`);
    });
  }
}
