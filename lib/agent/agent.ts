// `ordinal agent`: the node agent (one per node, examples/agent.yaml). Every second it lists
// the fault requests (lib/agent/request.ts), and for each one whose pod runs on its own
// node, in a namespace Ordinal may disrupt (named, labelled and recorded as a run's: the
// rule `ordinal cleanup` uses), applies or heals it and writes back what it did. Whatever
// it applied is in a state file on the node: an agent that starts heals all of it first.
import * as k8s from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { nameOrLabelProblem, RECORD_NAME, recordProblem } from '../run/namespace.ts';
import { RUN_LABEL } from '../workloads/common.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { publishCapabilities } from './capabilities.ts';
import { applyFault, healAllFaults } from './net-faults.ts';
import { podPid } from './node.ts';
import { decide, FAULT_LABEL, type FaultSpec, type FaultStatus, parseSpec, parseStatus } from './request.ts';
import { type AppliedFault, loadState, saveState } from './state.ts';

export interface AgentOptions {
  node: string;
  statePath: string;
  log: (line: string) => void;
  tickMs?: number;
}

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
/** namespace/name/uid: a request deleted and created again under its name is another request. */
const keyOf = (cm: V1ConfigMap): string => `${cm.metadata?.namespace}/${cm.metadata?.name}/${cm.metadata?.uid}`;

export class Agent {
  private held: AppliedFault[] = [];
  private readonly c: Cluster;
  private readonly o: AgentOptions;
  constructor(cluster: Cluster, opts: AgentOptions) {
    this.c = cluster;
    this.o = opts;
  }

  /** Heals what a previous agent on this node left applied, then acts every tick until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.held = await loadState(this.o.statePath);
    await this.healAll('the agent restarted');
    await publishCapabilities(this.c, this.o.node, this.o.log);
    this.o.log(`agent on node ${this.o.node}: watching ConfigMaps labelled ${FAULT_LABEL}`);
    while (!signal.aborted) {
      await this.tick().catch((err: unknown) => this.o.log(`tick failed: ${describeError(err)}`));
      await new Promise((r) => setTimeout(r, this.o.tickMs ?? TIMEOUTS.agentTick));
    }
    // Stopping (SIGTERM on a rollout or uninstall) heals too: nothing outlives the agent.
    await this.healAll('the agent stopped');
  }

  /**
   * Heals everything held and says so in each request that still exists: `healed` is
   * final, so a fault an agent lost track of is never silently applied again and the
   * harness sees its hold was cut short.
   */
  private async healAll(because: string): Promise<void> {
    for (const f of [...this.held]) {
      const [namespace = '', name = ''] = f.key.split('/');
      const cm = await this.c.core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined);
      if (cm && keyOf(cm) === f.key) await this.heal(cm, f, because);
      else await this.healLocal(f, because);
    }
    await saveState(this.o.statePath, []);
  }

  async tick(): Promise<void> {
    const list = await this.c.core.listConfigMapForAllNamespaces({ labelSelector: FAULT_LABEL });
    const live = new Map(list.items.map((cm) => [keyOf(cm), cm]));
    for (const f of [...this.held]) {
      if (!live.has(f.key)) await this.healLocal(f, 'the request was deleted');
    }
    for (const cm of list.items) await this.consider(cm);
  }

  private async consider(cm: V1ConfigMap): Promise<void> {
    const key = keyOf(cm);
    const namespace = cm.metadata?.namespace ?? '';
    const status = parseStatus(cm.data?.status);
    const spec = parseSpec(cm.data);
    const held = this.held.find((f) => f.key === key);
    if (typeof spec === 'string') {
      if (held) await this.heal(cm, held, 'the request became invalid');
      else if (!status) await this.refuse(cm, spec);
      return;
    }
    const pod = await this.c.core.readNamespacedPod({ name: spec.pod, namespace }).catch(() => undefined);
    // Another node's agent acts on it; a pod that is gone has nothing to cut (its replacement is not the pod asked for).
    if (!held && pod?.spec?.nodeName !== this.o.node) return;
    const d = decide(spec, status, held !== undefined, Date.now());
    if (d === 'heal' && held) {
      await this.heal(cm, held, spec.heal ? 'asked' : Date.now() >= spec.expires ? 'expired' : 'its status says healed');
      return;
    }
    if (d !== 'apply') return;
    const refusal =
      (await this.namespaceProblem(namespace)) ??
      (pod?.metadata?.uid !== spec.podUid ? `pod ${spec.pod} has uid ${pod?.metadata?.uid}, not ${spec.podUid}` : undefined);
    if (refusal) {
      if (!status) await this.refuse(cm, refusal);
      return;
    }
    await this.apply(cm, key, spec);
  }

  private async apply(cm: V1ConfigMap, key: string, spec: FaultSpec): Promise<void> {
    const pid = await podPid(spec.podUid);
    if (pid === undefined) return this.refuse(cm, `no process of pod ${spec.pod} (uid ${spec.podUid}) on node ${this.o.node}`);
    // Recorded before the rules go in: a crash between the two still heals on restart.
    const f: AppliedFault = { key, podUid: spec.podUid, pid, appliedAt: Date.now() };
    this.held.push(f);
    await saveState(this.o.statePath, this.held);
    let seen: string;
    try {
      seen = await applyFault(pid, spec);
    } catch (err) {
      this.held = this.held.filter((h) => h !== f);
      await saveState(this.o.statePath, this.held);
      return this.refuse(cm, describeError(err));
    }
    this.o.log(`${key}: applied: ${seen}`);
    await this.write(cm, { phase: 'applied', node: this.o.node, appliedAt: f.appliedAt, seen });
  }

  private async heal(cm: V1ConfigMap, f: AppliedFault, because: string): Promise<void> {
    const seen = await this.healLocal(f, because);
    await this.write(cm, {
      phase: 'healed',
      node: this.o.node,
      appliedAt: f.appliedAt,
      healedAt: Date.now(),
      healedBecause: because,
      seen,
    });
  }

  /** Removes the rules (found again from the pod UID: the pid may have changed), drops it from the state file. */
  private async healLocal(f: AppliedFault, because: string): Promise<string> {
    const pid = (await podPid(f.podUid)) ?? f.pid;
    const clean = await healAllFaults(pid);
    this.held = this.held.filter((h) => h.key !== f.key);
    await saveState(this.o.statePath, this.held);
    const seen = clean
      ? `rules removed from the netns of pid ${pid}`
      : `pod ${f.podUid} has no netns left on this node (nothing to remove)`;
    this.o.log(`${f.key}: healed (${because}): ${seen}`);
    return seen;
  }

  private async refuse(cm: V1ConfigMap, why: string): Promise<void> {
    this.o.log(`${keyOf(cm)}: refused: ${why}`);
    await this.write(cm, { phase: 'refused', node: this.o.node, seen: why });
  }

  private async write(cm: V1ConfigMap, s: FaultStatus): Promise<void> {
    const name = cm.metadata?.name ?? '';
    const namespace = cm.metadata?.namespace ?? '';
    await this.c.core
      .patchNamespacedConfigMap({ name, namespace, body: { data: { status: JSON.stringify(s) } } }, merge)
      .catch((err: unknown) => this.o.log(`${keyOf(cm)}: cannot write status: ${describeError(err)}`));
  }

  /** Why Ordinal may not disrupt `namespace` (the checks `ordinal cleanup` makes before deleting one). */
  private async namespaceProblem(namespace: string): Promise<string | undefined> {
    const ns = await this.c.core.readNamespace({ name: namespace }).catch(() => undefined);
    if (!ns) return `namespace ${namespace} cannot be read`;
    const label = nameOrLabelProblem(ns, ns.metadata?.labels?.[RUN_LABEL] ?? '');
    if (label) return `namespace ${namespace} is not one Ordinal may disrupt: ${label}`;
    const record = await this.c.core.readNamespacedConfigMap({ name: RECORD_NAME, namespace }).catch(() => undefined);
    const problem = recordProblem(ns, record?.data?.['namespace-uid']);
    return problem ? `namespace ${namespace} is not one Ordinal may disrupt: ${problem}` : undefined;
  }
}
