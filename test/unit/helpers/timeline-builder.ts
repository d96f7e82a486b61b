// Realistic CheckInput for a 3-replica `web` StatefulSet (service nginx, claim template
// www), shaped like what the recorder writes: one ordered rollout, then chaos rounds
// whose pods go Terminating -> DELETED -> ADDED (Pending) -> Running -> Ready.
import type { TrafficRecord, WriteRecord } from '../../../lib/traffic/records.ts';
import { createHash } from 'node:crypto';
import { DISRUPTIONS } from '../../../lib/chaos/disruptions/index.ts';
import { podGenerations } from '../../../lib/timeline/queries.ts';
import { recoveriesForRound } from '../../../lib/timeline/recovery.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { DisruptionName, KillPattern, PdbInfo, RoundPlan, RoundResult, WorkloadInfo } from '../../../lib/model.ts';
import type { PodSnapshot, Snapshot } from '../../../lib/probes/records.ts';
import type { MarkerPayload, PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { DEFAULT_STS_OPTIONS, type StsOptions } from '../../../lib/workloads/sts-options.ts';

export const NAMESPACE = 'ordinal-abc123';
export const FQDN_SUFFIX = `nginx.${NAMESPACE}.svc.cluster.local`;
const EPOCH = Date.parse('2025-05-01T12:00:00Z');
const SENTINEL_PATH = '/usr/share/nginx/html/.ordinal-sentinel';
export const REVISION = 'web-7c9f8d6b5';

export const DEFAULT_ROUNDS: [number, DisruptionName][][] = [
  [[1, 'delete']],
  [
    [0, 'force-delete'],
    [2, 'delete'],
  ],
  [
    [0, 'delete'],
    [1, 'force-delete'],
    [2, 'delete'],
  ],
];

export const uidOf = (pod: string, generation: number): string => `${pod}-uid-${generation}`;
export const ipOf = (ordinal: number, generation: number): string => `10.244.${generation + 1}.${10 + ordinal}`;
export const fqdnOf = (pod: string): string => `${pod}.${FQDN_SUFFIX}`;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

type Body = Pick<WatchEntry, 'pod' | 'pvc' | 'pv'>;

class Writer {
  readonly entries: TimelineEntry[] = [];
  readonly live = new Map<string, PodState>();
  readonly generation = new Map<string, number>();
  nodeOf: (ordinal: number, generation: number) => string = () => 'ordinal-worker';
  t = 0;

  tick(ms: number): void {
    this.t += ms;
  }

  marker(payload: MarkerPayload): void {
    this.entries.push({ ...this.stamp(), type: 'MARKER', ...payload });
  }

  watch(type: WatchEntry['type'], kind: WatchEntry['kind'], name: string, body: Body): void {
    const stamp = this.stamp();
    this.entries.push({ ...stamp, type, kind, name, resourceVersion: String(1000 + stamp.seq), ...body });
  }

  pod(type: WatchEntry['type'], name: string, patch: Partial<PodState>): void {
    this.tick(40);
    const prev = this.live.get(name);
    const state = { ...(type === 'ADDED' ? {} : prev), ...patch } as PodState;
    if (type === 'DELETED') this.live.delete(name);
    else this.live.set(name, state);
    this.watch(type, 'Pod', name, { pod: state });
  }

  private stamp(): { seq: number; t: number; wall: number } {
    return { seq: this.entries.length + 1, t: this.t, wall: EPOCH + this.t };
  }
}

/** Creates pod `web-<ordinal>` and walks it to Ready, as the kubelet reports it; then `holdMs` pass with nothing recorded. */
function bringUp(w: Writer, ordinal: number, holdMs = 0): void {
  const name = `web-${ordinal}`;
  const gen = w.generation.get(name) ?? 0;
  w.pod('ADDED', name, {
    uid: uidOf(name, gen),
    // The API server stamps the creation a little before the watch delivers it, to the second.
    created: new Date(Math.floor((EPOCH + w.t - 40) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    phase: 'Pending',
    ready: false,
    hostname: name,
    subdomain: 'nginx',
    revision: REVISION,
    claims: { www: `www-web-${ordinal}` },
  });
  w.pod('MODIFIED', name, { node: w.nodeOf(ordinal, gen), waiting: ['ContainerCreating'] });
  w.tick(900);
  w.pod('MODIFIED', name, { phase: 'Running', ip: ipOf(ordinal, gen), waiting: [] });
  w.tick(1200);
  // The kubelet stamps readiness a little before the watch delivers it, to the second.
  const readySince = new Date(Math.floor((EPOCH + w.t - 150) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  w.pod('MODIFIED', name, { ready: true, readySince });
  w.tick(holdMs);
}

/** With `pinned`, the PV is pinned (spec.nodeAffinity) to the node of the claim's first pod, as local-path provisioners do. */
function createClaim(w: Writer, ordinal: number, pinned = false): void {
  const claim = `www-web-${ordinal}`;
  const pvc = { uid: `pvc-uid-${ordinal}`, phase: 'Pending', storageClass: 'standard' };
  w.tick(10);
  w.watch('ADDED', 'PersistentVolumeClaim', claim, { pvc });
  w.tick(300);
  w.watch('ADDED', 'PersistentVolume', `pv-${ordinal}`, {
    pv: {
      uid: `pv-uid-${ordinal}`,
      phase: 'Bound',
      claimUid: pvc.uid,
      claimName: claim,
      ...(pinned ? { pinnedNode: w.nodeOf(ordinal, 0) } : {}),
    },
  });
  w.watch('MODIFIED', 'PersistentVolumeClaim', claim, { pvc: { ...pvc, phase: 'Bound', volumeName: `pv-${ordinal}` } });
}

/** When the after snapshot's settled DNS answers come, after its `after` marker. */
export const AFTER_SETTLED_MS = 8000;

function snapshot(w: Writer, answers: (pod: PodSnapshot) => { t: number; ip: string }[]): Snapshot {
  const pods: PodSnapshot[] = [...w.live.entries()].map(([name, s]) => {
    const ordinal = Number(name.split('-')[1]);
    return {
      name,
      ordinal,
      uid: s.uid,
      ip: s.ip ?? '',
      hostname: s.hostname ?? '',
      subdomain: s.subdomain ?? '',
      hostnameInPod: name,
      node: s.node ?? '',
      ready: s.ready,
      claims: {
        www: {
          claimName: `www-web-${ordinal}`,
          pvcUid: `pvc-uid-${ordinal}`,
          pvName: `pv-${ordinal}`,
          pvUid: `pv-uid-${ordinal}`,
          pvcPhase: 'Bound',
          pvClaimUid: `pvc-uid-${ordinal}`,
        },
      },
    };
  });
  pods.sort((a, b) => a.ordinal - b.ordinal);
  const t = w.t;
  return {
    t,
    pods,
    dnsA: pods.map((p) => ({
      fqdn: fqdnOf(p.name),
      pod: p.name,
      answers: answers(p).map((a) => ({ t: a.t, rcode: 'NOERROR', addresses: [a.ip], ttl: 5 })),
    })),
    // Resolvers return names with the root dot; the check must not care.
    dnsSrv: {
      qname: `_web._tcp.${FQDN_SUFFIX}`,
      t,
      rcode: 'NOERROR',
      targets: pods.map((p) => ({ target: `${fqdnOf(p.name)}.`, port: 80 })),
    },
    sentinels: pods.map((p) => {
      const token = sha256(`token-${p.name}`).slice(0, 32);
      return { pod: p.name, path: SENTINEL_PATH, sha256: sha256(token), bytes: token.length, token };
    }),
  };
}

export const HEARTBEAT_PATH = '/usr/share/nginx/html/.ordinal-heartbeat';
export const BOOT_ID = 'boot-1';
/** Uptime (ms) of the machine at run ms 0: heartbeat times are uptime, not run time. */
export const UPTIME_AT_START = 5_000_000;

/** Each generation writes from Running until 200 ms before it leaves the API (or now), one writer after another. */
function heartbeats(w: Writer): NonNullable<Snapshot['heartbeats']> {
  const gens = podGenerations(w.entries);
  return [...w.live.keys()].sort().map((pod) => ({
    pod,
    path: HEARTBEAT_PATH,
    writers: (gens.get(pod) ?? []).map((g) => {
      const first = UPTIME_AT_START + (g.running?.t ?? g.first.t);
      const last = UPTIME_AT_START + (g.deleted ? g.deleted.t - 200 : w.t);
      return {
        uid: g.uid,
        start: String(first / 1000),
        bootId: BOOT_ID,
        beats: Math.max(1, Math.floor((last - first) / 500)),
        firstUptimeMs: first,
        lastUptimeMs: last,
      };
    }),
  }));
}

/** [ordinal, action], or [ordinal, action, 'refused'] for a kill the API refuses (429). */
export type ScenarioKill = [number, DisruptionName] | [number, DisruptionName, 'refused'];

export interface WebScenario {
  /** Kills per round, in sending order; defaults to DEFAULT_ROUNDS. */
  rounds?: ScenarioKill[][];
  /** The run's PodDisruptionBudget (none by default). */
  pdb?: PdbInfo;
  /** Kill pattern per round (default sequential). `burst` sends every kill before any takes effect. */
  patterns?: KillPattern[];
  podManagementPolicy?: WorkloadInfo['podManagementPolicy'];
  /** Replicas after the final scale-down (default 1); null records no scale-down. */
  scaleDownTo?: number | null;
  /** StatefulSet options recorded in the workload, over the defaults. */
  options?: Partial<StsOptions>;
  /** How long each pod stays Ready before anything else is recorded (minReadySeconds scenarios). */
  readyHoldMs?: number;
  /** The node of pod generation `generation` (0 = the first) of ordinal `ordinal`; default every pod on ordinal-worker. */
  nodeOf?: (ordinal: number, generation: number) => string;
  /** PVs pinned to their first pod's node (node-local storage); default shared volumes. */
  pinnedVolumes?: boolean;
}

export function buildWebInput(scenario: WebScenario = {}): CheckInput {
  const workload: WorkloadInfo = {
    kind: 'web',
    namespace: NAMESPACE,
    statefulSet: 'web',
    service: 'nginx',
    replicas: 3,
    claimTemplates: ['www'],
    clusterDomain: 'cluster.local',
    portName: 'web',
    podManagementPolicy: scenario.podManagementPolicy ?? scenario.options?.podManagementPolicy ?? 'OrderedReady',
    options: { ...DEFAULT_STS_OPTIONS, ...scenario.options },
    ...(scenario.pdb ? { pdb: scenario.pdb } : {}),
  };
  const hold = scenario.readyHoldMs ?? 0;
  const w = new Writer();
  if (scenario.nodeOf) w.nodeOf = scenario.nodeOf;
  w.marker({ marker: 'deploy' });
  for (let k = 0; k < 3; k++) {
    createClaim(w, k, scenario.pinnedVolumes);
    bringUp(w, k, hold);
  }
  w.tick(100);
  w.marker({ marker: 'rollout-complete' });
  w.tick(500);
  w.marker({ marker: 'baseline' });
  const baseline = snapshot(w, (p) => [{ t: w.t + 20, ip: p.ip }]);
  const oldIps = new Map(baseline.pods.map((p) => [p.name, p.ip]));

  const rounds: RoundResult[] = [];
  for (const [i, kills] of (scenario.rounds ?? DEFAULT_ROUNDS).entries()) {
    const pattern = scenario.patterns?.[i] ?? 'sequential';
    const plan: RoundPlan = {
      round: i + 1,
      pattern,
      kills: kills.map(([ordinal, action]) => ({ pod: `web-${ordinal}`, ordinal, action })),
    };
    const refused = new Set(kills.filter((k) => k[2] === 'refused').map(([o]) => `web-${o}`));
    // A node fault (`blocked`) is replaced once the operator force-deletes the pod on the down node.
    const replaced = plan.kills.filter((k) => !refused.has(k.pod) && ['replaced', 'blocked'].includes(DISRUPTIONS[k.action].expect));
    const downNodes: string[] = [];
    const inPlace = plan.kills.filter((k) => !refused.has(k.pod) && DISRUPTIONS[k.action].expect === 'restarted-in-place');
    w.tick(1000);
    const startedAt = w.t;
    w.marker({ marker: 'round-start', round: plan.round, pattern, revision: REVISION });
    const takeEffect = (k: (typeof plan.kills)[number]): void => {
      // A kubelet restart (`unaffected`) shows nothing on the pod.
      if (refused.has(k.pod) || ['unaffected', 'stays'].includes(DISRUPTIONS[k.action].expect)) return;
      if (k.action === 'node-fault') {
        const live = w.live.get(k.pod);
        const node = live?.node ?? '';
        downNodes.push(node);
        w.marker({ marker: 'node-down', round: plan.round, node, pod: k.pod, uid: live?.uid ?? '' });
        return;
      }
      const deletionTimestamp = new Date(EPOCH + w.t).toISOString();
      if (k.action === 'container-kill')
        w.pod('MODIFIED', k.pod, { ready: false, restartCount: (w.live.get(k.pod)?.restartCount ?? 0) + 1 });
      else if (k.action === 'force-delete') w.pod('DELETED', k.pod, { deletionTimestamp });
      else w.pod('MODIFIED', k.pod, { deletionTimestamp });
    };
    for (const k of plan.kills) {
      w.tick(pattern === 'burst' ? 1 : 30);
      const uid = w.live.get(k.pod)?.uid ?? '';
      const restartCount = w.live.get(k.pod)?.restartCount ?? 0;
      w.marker({
        marker: 'kill',
        round: plan.round,
        pod: k.pod,
        uid,
        action: k.action,
        expect: DISRUPTIONS[k.action].expect,
        restartCount,
      });
      if (refused.has(k.pod)) {
        w.tick(5);
        w.marker({
          marker: 'kill-refused',
          round: plan.round,
          pod: k.pod,
          uid,
          status: 429,
          reason: "Cannot evict pod as it would violate the pod's disruption budget.",
        });
      }
      if (pattern !== 'burst') takeEffect(k);
    }
    if (pattern === 'burst') for (const k of plan.kills) takeEffect(k);
    for (const k of replaced.filter((x) => x.action !== 'force-delete')) {
      w.tick(800);
      if (k.action === 'node-fault') {
        const live = w.live.get(k.pod);
        w.marker({ marker: 'operator-force-delete', round: plan.round, pod: k.pod, uid: live?.uid ?? '', node: live?.node ?? '' });
      }
      w.pod('MODIFIED', k.pod, { ready: false });
      w.pod('DELETED', k.pod, {});
    }
    for (const k of inPlace) {
      w.tick(700);
      w.pod('MODIFIED', k.pod, { ready: true });
    }
    // The controller brings replacements back lowest ordinal first, whatever the kill order.
    for (const k of [...replaced].sort((a, b) => a.ordinal - b.ordinal)) {
      w.generation.set(k.pod, (w.generation.get(k.pod) ?? 0) + 1);
      bringUp(w, k.ordinal, hold);
    }
    for (const node of downNodes) {
      w.tick(50);
      w.marker({ marker: 'node-up', round: plan.round, node });
    }
    w.tick(100);
    w.marker({ marker: 'round-end', round: plan.round, converged: true });
    const window = { start: startedAt, end: w.t };
    rounds.push({
      plan,
      startedAt,
      endedAt: w.t,
      converged: true,
      recoveries: recoveriesForRound(w.entries, plan, window, scenario.options?.minReadySeconds),
    });
  }
  w.tick(500);
  w.marker({ marker: 'after' });
  // Recreated pods first show the cached old address, then the new one once the TTL lapses;
  // the last answers come more than one TTL (5 s) + 1 s after the last readiness change.
  const after = snapshot(w, (p) => {
    const old = oldIps.get(p.name);
    return old && old !== p.ip
      ? [
          { t: w.t + 10, ip: old },
          { t: w.t + AFTER_SETTLED_MS, ip: p.ip },
        ]
      : [{ t: w.t + AFTER_SETTLED_MS, ip: p.ip }];
  });
  if (after.dnsSrv) after.dnsSrv.t = w.t + AFTER_SETTLED_MS;
  after.heartbeats = heartbeats(w);
  const to = scenario.scaleDownTo === undefined ? 1 : scenario.scaleDownTo;
  if (to !== null) {
    // As the controller does it: highest ordinal first, the next only once it is gone;
    // after the snapshot's DNS answers, as in a run.
    w.tick(AFTER_SETTLED_MS + 200);
    w.marker({ marker: 'scale-down', from: 3, to });
    for (let k = 2; k >= to; k--) {
      w.pod('MODIFIED', `web-${k}`, { deletionTimestamp: new Date(EPOCH + w.t).toISOString() });
      w.tick(600);
      w.pod('MODIFIED', `web-${k}`, { ready: false });
      w.pod('DELETED', `web-${k}`, {});
    }
    w.marker({ marker: 'scale-down-complete' });
    // As lib/run/retention.ts records it: with whenScaled Delete the scaled-away claims go first.
    const policy = workload.options?.pvcRetention.whenScaled ?? 'Retain';
    const claims: string[] = [];
    for (let k = 2; k >= to; k--) claims.push(`www-web-${k}`);
    if (policy === 'Delete') {
      for (let k = 2; k >= to; k--) {
        w.tick(300);
        const pvc = { uid: `pvc-uid-${k}`, phase: 'Bound', storageClass: 'standard', volumeName: `pv-${k}` };
        w.watch('MODIFIED', 'PersistentVolumeClaim', `www-web-${k}`, {
          pvc: { ...pvc, deletionTimestamp: new Date(EPOCH + w.t).toISOString() },
        });
        w.watch('DELETED', 'PersistentVolumeClaim', `www-web-${k}`, { pvc });
      }
    }
    // With Retain the run watches TIMEOUTS.scaleSettle before going on.
    if (policy === 'Retain') w.tick(10_000);
    w.marker({ marker: 'claims-scaled', policy, claims, ...(policy === 'Retain' ? { settledMs: 10_000 } : {}) });
    // The run then deletes the StatefulSet: its pods go, and with whenDeleted Delete its claims.
    const kept = policy === 'Delete' ? [] : claims;
    const left = [...Array.from({ length: to }, (_, k) => `www-web-${k}`), ...kept].sort();
    w.marker({ marker: 'statefulset-delete', claims: left });
    for (let k = 0; k < to; k++) {
      w.pod('MODIFIED', `web-${k}`, { deletionTimestamp: new Date(EPOCH + w.t).toISOString(), ready: false });
      w.pod('DELETED', `web-${k}`, {});
    }
    if (workload.options?.pvcRetention.whenDeleted === 'Delete') {
      for (const c of left) {
        const k = Number(c.split('-').at(-1));
        w.tick(200);
        w.watch('DELETED', 'PersistentVolumeClaim', c, {
          pvc: { uid: `pvc-uid-${k}`, phase: 'Bound', storageClass: 'standard', volumeName: `pv-${k}` },
        });
      }
    }
    w.tick(3000);
    w.marker({ marker: 'statefulset-deleted', policy: workload.options?.pvcRetention.whenDeleted ?? 'Retain' });
  }
  return { workload, timeline: w.entries, baseline, after, rounds, limits: { recoveryTimeoutMs: 300_000 }, traffic: steadyTraffic(rounds) };
}

/** Traffic through every round: each pod acknowledged every write and holds every key. */
function steadyTraffic(rounds: RoundResult[]): TrafficRecord {
  const from = rounds[0]?.startedAt ?? 0;
  const to = rounds.at(-1)?.endedAt ?? from + 1000;
  const writes: WriteRecord[] = [];
  for (const pod of ['web-0', 'web-1', 'web-2']) {
    for (let t = from, i = 1; t < to; t += 150, i++)
      writes.push({ pod, key: `run-${pod}-${i}`, store: pod, sentMs: t, outcome: 'acked', doneMs: t + 5 });
  }
  const readBack = ['web-0', 'web-1', 'web-2'].map((pod) => ({
    store: pod,
    pod,
    keys: writes.filter((x) => x.pod === pod).map((x) => x.key),
  }));
  return { driver: 'web', ratePerSecond: 20, startedMs: from, stoppedMs: to, writes, readBack };
}
