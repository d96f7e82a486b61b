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
import type { V1Pod } from '@kubernetes/client-node';
import { cutChange, cutIps, type NamedCut, resolveCut } from './follow.ts';
import { applyPartition, describeCut, podPid, updatePartition } from './node.ts';
import { applyDisk, diskFields, healDisk, topUp } from './disk-agent.ts';
import { volumePid } from './disk.ts';
import type { DiskProbe } from './disk-request.ts';
import { publishCapabilities } from './capabilities.ts';
import { applyNetFault, healAllFaults } from './net-faults.ts';
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
    // What is left is a volume still to be freed: the next agent on this node goes on trying.
    await saveState(this.o.statePath, this.held);
  }

  async tick(): Promise<void> {
    const list = await this.c.core.listConfigMapForAllNamespaces({ labelSelector: FAULT_LABEL });
    const live = new Map(list.items.map((cm) => [keyOf(cm), cm]));
    for (const f of [...this.held]) {
      if (f.freeing !== undefined) await this.freeAgain(f, live.get(f.key));
      else if (!live.has(f.key)) await this.healLocal(f, 'the request was deleted');
    }
    for (const cm of list.items) await this.consider(cm);
  }

  private async consider(cm: V1ConfigMap): Promise<void> {
    const key = keyOf(cm);
    const namespace = cm.metadata?.namespace ?? '';
    const status = parseStatus(cm.data?.status);
    const spec = parseSpec(cm.data);
    const held = this.held.find((f) => f.key === key && f.freeing === undefined);
    if (typeof spec === 'string') {
      if (held) await this.heal(cm, held, 'the request became invalid');
      else if (!status) await this.refuse(cm, spec);
      return;
    }
    const pod = await this.c.core.readNamespacedPod({ name: spec.pod, namespace }).catch(() => undefined);
    // Another node's agent acts on it. A `following` request whose pod is gone or not yet
    // scheduled is answered by the agent that last held it.
    const mine = pod?.spec?.nodeName ? pod.spec.nodeName === this.o.node : status?.phase === 'following' && status.node === this.o.node;
    if (!held && !mine) return;
    const d = decide(spec, status, held !== undefined, Date.now());
    if (d === 'none' && status?.phase === 'following') {
      // Healed before any replacement was cut: nothing holds it, and the harness waits for `healed`.
      await this.write(cm, { ...status, phase: 'healed', healedAt: Date.now(), healedBecause: 'asked before a replacement was cut' });
      return;
    }
    if (d === 'keep' && held?.fault === 'disk-full') {
      // A full volume is held by topping its fill file up; it follows no identity and cuts no peers.
      const { failed, probe } = await topUp(this.c, held, this.o.node);
      if (failed) this.o.log(`${key}: ${failed}`);
      if (probe && status) await this.write(cm, { ...status, probe });
      return;
    }
    if (d === 'heal' && held) {
      await this.heal(cm, held, spec.heal ? 'asked' : Date.now() >= spec.expires ? 'expired' : 'its status says healed');
      return;
    }
    if (d === 'keep' && held) return this.keep(cm, held, spec, pod, status);
    if (d !== 'apply' || !pod) return;
    // Following: the pod was cut once (a status exists) and this is its replacement.
    const following = spec.follow === true && status !== undefined && pod.metadata?.uid !== status.podUid;
    const refusal =
      (await this.namespaceProblem(namespace)) ??
      (pod.metadata?.uid !== spec.podUid && !following ? `pod ${spec.pod} has uid ${pod.metadata?.uid}, not ${spec.podUid}` : undefined);
    if (refusal) {
      if (!status) await this.refuse(cm, refusal);
      return;
    }
    await this.apply(cm, key, spec, pod, following);
  }

  private async apply(cm: V1ConfigMap, key: string, spec: FaultSpec, pod: V1Pod, following: boolean): Promise<void> {
    const podUid = pod.metadata?.uid ?? '';
    const disk = spec.fault === 'disk-full';
    const pid = disk ? await volumePid(podUid, spec.path ?? '') : await podPid(podUid);
    // A replacement whose sandbox has not started yet is cut on a later tick: that is not a refusal.
    if (pid === undefined && following) return;
    if (pid === undefined)
      return this.refuse(cm, `no process of pod ${spec.pod} (uid ${podUid})${disk ? ` mounts ${spec.path}` : ''} on node ${this.o.node}`);
    const named: NamedCut = disk ? { cut: {}, inFrom: {} } : await this.resolve(cm, spec, undefined);
    // Recorded before the rules go in: a crash between the two still heals on restart.
    const f: AppliedFault = { key, podUid, pid, appliedAt: Date.now(), ...named, ...(disk ? diskFields(spec) : {}) };
    this.held.push(f);
    await saveState(this.o.statePath, this.held);
    const peers = [...new Set([...spec.peers, ...cutIps(named.cut)])];
    let seen: string;
    let probe: DiskProbe | undefined;
    try {
      if (disk) ({ seen, probe } = await applyDisk(pid, spec));
      else seen = spec.fault === 'partition' ? await applyPartition(pid, peers, cutIps(named.inFrom)) : await applyNetFault(pid, spec);
    } catch (err) {
      if (disk) await healDisk(this.c, f, this.o.node).catch(() => undefined);
      this.held = this.held.filter((h) => h !== f);
      await saveState(this.o.statePath, this.held);
      return this.refuse(cm, describeError(err));
    }
    if (following) seen = `followed pod ${spec.pod} to its replacement (uid ${podUid}): ${seen}`;
    this.o.log(`${key}: applied: ${seen}`);
    await this.write(cm, {
      phase: 'applied',
      node: this.o.node,
      appliedAt: f.appliedAt,
      seen,
      podUid,
      cut: peers,
      inFrom: cutIps(named.inFrom),
      ...(probe ? { probe } : {}),
    });
  }

  /**
   * A held request that stays: with `follow`, a pod recreated meanwhile gives its rules up
   * here (its replacement gets them from the agent of its node), and peers named by pod
   * get cut at the IPs they have now.
   */
  private async keep(
    cm: V1ConfigMap,
    held: AppliedFault,
    spec: FaultSpec,
    pod: V1Pod | undefined,
    status: FaultStatus | undefined,
  ): Promise<void> {
    if (spec.follow && pod?.metadata?.uid !== held.podUid) {
      await this.healLocal(held, `pod ${spec.pod} (uid ${held.podUid}) was ${pod ? 'recreated' : 'deleted'}`);
      // The replacement's agent may have cut it already: its status stands.
      const now = await this.c.core.readNamespacedConfigMap({ name: cm.metadata?.name ?? '', namespace: cm.metadata?.namespace ?? '' });
      const status = parseStatus(now.data?.status);
      if (status?.podUid !== held.podUid) return;
      const seen = `pod ${spec.pod} (uid ${held.podUid}) is gone: its replacement is cut once its sandbox runs`;
      await this.write(cm, { phase: 'following', node: this.o.node, appliedAt: held.appliedAt, seen, podUid: held.podUid });
      return;
    }
    const before: NamedCut = { cut: held.cut ?? {}, inFrom: held.inFrom ?? {} };
    const after = spec.peerPods || spec.inFromPods ? await this.resolve(cm, spec, before) : before;
    const change = cutChange(before, after);
    if (!change) {
      // The agent that gave up the pod's old incarnation may have written `following` over this one's `applied`.
      if (spec.follow && (status?.phase !== 'applied' || status.podUid !== held.podUid)) {
        const peers = [...new Set([...spec.peers, ...cutIps(before.cut)])];
        const seen = `followed pod ${spec.pod} to uid ${held.podUid}: ${describeCut(held.pid, peers, cutIps(before.inFrom))}`;
        await this.write(cm, {
          phase: 'applied',
          node: this.o.node,
          appliedAt: held.appliedAt,
          seen,
          podUid: held.podUid,
          cut: peers,
          inFrom: cutIps(before.inFrom),
        });
      }
      return;
    }
    await updatePartition(held.pid, change.add, change.remove);
    Object.assign(held, after);
    await saveState(this.o.statePath, this.held);
    const peers = [...new Set([...spec.peers, ...cutIps(after.cut)])];
    const seen = `peers moved (added ${[...change.add.peers, ...change.add.inFrom].join(', ') || 'none'}, removed ${[...change.remove.peers, ...change.remove.inFrom].join(', ') || 'none'}): ${describeCut(held.pid, peers, cutIps(after.inFrom))}`;
    this.o.log(`${held.key}: ${seen}`);
    await this.write(cm, {
      phase: 'applied',
      node: this.o.node,
      appliedAt: held.appliedAt,
      seen,
      podUid: held.podUid,
      cut: peers,
      inFrom: cutIps(after.inFrom),
    });
  }

  /** The IPs of the pods the request names, now (the last known for a pod that has none). */
  private async resolve(cm: V1ConfigMap, spec: FaultSpec, before: NamedCut | undefined): Promise<NamedCut> {
    const namespace = cm.metadata?.namespace ?? '';
    const names = { cut: spec.peerPods ?? [], inFrom: spec.inFromPods ?? [] };
    const ipOf = new Map<string, string | undefined>();
    for (const name of new Set([...names.cut, ...names.inFrom])) {
      const p = await this.c.core.readNamespacedPod({ name, namespace }).catch(() => undefined);
      ipOf.set(name, p?.metadata?.deletionTimestamp ? undefined : p?.status?.podIP);
    }
    return resolveCut(names, ipOf, before);
  }

  private async heal(cm: V1ConfigMap, f: AppliedFault, because: string): Promise<void> {
    const { seen, probe, unfreed } = await this.healLocal(f, because);
    await this.write(cm, {
      phase: 'healed',
      node: this.o.node,
      appliedAt: f.appliedAt,
      healedAt: Date.now(),
      healedBecause: because,
      seen,
      ...(probe ? { probe } : {}),
      ...(unfreed ? { unfreed } : {}),
    });
  }

  /** Another try at a volume not freed yet; once freed (or given up), the request's status says so, with the agent's write. */
  private async freeAgain(f: AppliedFault, cm: V1ConfigMap | undefined): Promise<void> {
    const r = await this.healLocal(f, 'tried again');
    if (this.held.some((h) => h.key === f.key)) return;
    const status = parseStatus(cm?.data?.status);
    if (!cm || !status) return;
    const { unfreed: _was, probe: _old, ...rest } = status;
    await this.write(cm, { ...rest, seen: r.seen, ...(r.probe ? { probe: r.probe } : {}), ...(r.unfreed ? { unfreed: r.unfreed } : {}) });
  }

  /** Removes the rules (found again from the pod UID: the pid may have changed), drops it from the state file. */
  private async healLocal(f: AppliedFault, because: string): Promise<{ seen: string; probe?: DiskProbe; unfreed?: 'retrying' | 'left' }> {
    if (f.fault === 'disk-full') {
      // A fill file that cannot be reached now is tried again every tick (a replacement
      // mounts the volume once it starts), and said in the status; the harness's heal
      // confirmation (a write) waits for it.
      const { clean, seen, probe } = await healDisk(this.c, f, this.o.node);
      const since = f.freeing ?? Date.now();
      const again = !clean && Date.now() - since < TIMEOUTS.agentFreeRetry;
      this.held = this.held.filter((h) => h.key !== f.key);
      if (again) this.held.push({ ...f, freeing: since });
      await saveState(this.o.statePath, this.held);
      const said = again ? `${seen}; trying again every tick for up to ${TIMEOUTS.agentFreeRetry / 60_000} min` : seen;
      if (f.freeing === undefined || !again) this.o.log(`${f.key}: healed (${because}): ${said}`);
      const unfreed = clean ? undefined : again ? 'retrying' : 'left';
      return { seen: said, ...(probe ? { probe } : {}), ...(unfreed ? { unfreed } : {}) };
    }
    const pid = (await podPid(f.podUid)) ?? f.pid;
    const clean = await healAllFaults(pid);
    this.held = this.held.filter((h) => h.key !== f.key);
    await saveState(this.o.statePath, this.held);
    const seen = clean
      ? `rules removed from the netns of pid ${pid}`
      : `pod ${f.podUid} has no netns left on this node (nothing to remove)`;
    this.o.log(`${f.key}: healed (${because}): ${seen}`);
    return { seen };
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
