// The local cluster with extra nodes (`npm run cluster:up -- --nodes 3`): every node
// Ready, a StatefulSet spread over them whose pods reach each other by their DNS names
// across nodes, a node powered off with cluster/scripts/node.sh going NotReady and coming
// back, and a local-node volume that pins its pod to the node it was first used on.
// Fails, naming `npm run cluster:up -- --nodes 3`, when the cluster has a single node.
// Nothing here sends traffic to an address outside the machine.
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { describeError } from '../../../lib/errors.ts';
import { createRunNamespace, deleteRunNamespace } from '../../../lib/run/namespace.ts';
import { execIn } from '../../../lib/probes/exec.ts';
import { MANAGED_BY, RUN_LABEL } from '../../../lib/workloads/common.ts';
import { LOCAL_MAIN_NODE as MAIN_NODE, connectTestCluster, nodeScript } from '../helpers.ts';

const STS = 'spread';
const runId = `mn-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const namespace = `ordinal-${runId}`;

async function nodeSh(...args: [string, string]): Promise<{ code: number; out: string }> {
  const r = await nodeScript(...args);
  return { code: r.code, out: r.output };
}

const readyOf = (n: k8s.V1Node): string => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'none';

/** Polls `probe` every second until it returns a value, or fails with what it saw last. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, seen: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${seen()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function statefulSet(replicas: number): k8s.V1StatefulSet {
  const labels = { ...MANAGED_BY, [RUN_LABEL]: runId, app: STS };
  return {
    metadata: { name: STS, namespace, labels },
    spec: {
      serviceName: STS,
      replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: STS } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 2,
          // Strict here (the sample workloads' spread is best effort): one pod per node.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { app: STS } },
            },
          ],
          containers: [
            {
              name: STS,
              image: 'docker.io/library/busybox:1.35.0',
              imagePullPolicy: 'IfNotPresent',
              env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              command: ['sh', '-c', 'trap "exit 0" TERM; echo "$(hostname) node=$NODE" >> /data/history; httpd -f -p 8080 -h /data & wait'],
              readinessProbe: { httpGet: { path: '/history', port: 8080 }, periodSeconds: 1 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-node', resources: { requests: { storage: '16Mi' } } },
        },
      ],
    },
  };
}

describe('multi-node local cluster (integration, cluster:up --nodes N)', function () {
  let cluster: Cluster | undefined;
  let nodes: string[] = [];
  let created = false;
  const stopped = new Set<string>();
  const need = (): Cluster => {
    if (!cluster) throw new Error('no cluster');
    return cluster;
  };
  const pods = async (): Promise<k8s.V1Pod[]> => (await need().core.listNamespacedPod({ namespace, labelSelector: `app=${STS}` })).items;
  const podLine = (p: k8s.V1Pod): string =>
    `${p.metadata?.name}@${p.spec?.nodeName ?? '-'}:${p.status?.phase}${p.metadata?.deletionTimestamp ? '(deleting)' : ''}`;
  let lastPods = '';

  before(async function () {
    this.timeout(30_000);
    cluster = await connectTestCluster();
    nodes = (await cluster.core.listNode()).items.map((n) => n.metadata?.name ?? '').sort();
    // A missing node fails these tests rather than skipping them (README: "fail, rather than skip").
    if (nodes.length < 2) {
      throw new Error(
        `the cluster has ${nodes.length} node (${nodes.join(', ')}); these tests need at least 2: run \`npm run cluster:up -- --nodes 3\``,
      );
    }
    if (process.getuid?.() !== 0) throw new Error("these tests need root: node.sh acts on the local cluster's processes");
  });

  after(async function () {
    this.timeout(240_000);
    // Leave the cluster as found: every node we stopped is started again.
    for (const n of stopped) {
      const r = await nodeSh('start', n);
      if (r.code !== 0) console.error(`    could not start node ${n} again: ${r.out}`);
    }
    if (cluster && created)
      await deleteRunNamespace(cluster, namespace, runId).catch((e) => console.error(`    cleanup: ${describeError(e)}`));
  });

  it('every node is Ready; the extra ones are named by their IP 10.200.I.1', async function () {
    const list = (await need().core.listNode()).items;
    expect(list.map((n) => `${n.metadata?.name}=${readyOf(n)}`)).to.deep.equal(nodes.map((n) => `${n}=True`));
    expect(nodes).to.include(MAIN_NODE);
    for (const n of nodes.filter((x) => x !== MAIN_NODE)) expect(n).to.match(/^10\.200\.[1-9]\.1$/);
  });

  it('node.sh refuses the main node, an unknown node and an unknown verb (exit 2), touching nothing', async function () {
    this.timeout(30_000);
    const main = await nodeSh('stop', MAIN_NODE);
    expect(main.code, main.out).to.equal(2);
    expect(main.out).to.include('is the main node');
    const unknown = await nodeSh('stop', '10.200.9.1');
    expect(unknown.code, unknown.out).to.equal(2);
    expect(unknown.out).to.include("unknown node '10.200.9.1'");
    const verb = await nodeSh('explode', nodes.find((n) => n !== MAIN_NODE) ?? '');
    expect(verb.code, verb.out).to.equal(2);
    expect(verb.out).to.include("unknown verb 'explode'");
    const list = (await need().core.listNode()).items;
    expect(list.every((n) => readyOf(n) === 'True')).to.equal(true);
  });

  it('a StatefulSet spreads one pod per node, with local-node volumes pinned there, and its pods reach each other by DNS name across nodes', async function () {
    this.timeout(180_000);
    const c = need();
    await createRunNamespace(c, namespace, runId);
    created = true;
    await c.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: STS, namespace },
        spec: { clusterIP: 'None', selector: { app: STS }, ports: [{ name: 'http', port: 8080 }] },
      },
    });
    await c.apps.createNamespacedStatefulSet({ namespace, body: statefulSet(nodes.length) });
    const ready = await waitFor(
      `${nodes.length} Ready pods`,
      120_000,
      async () => {
        const ps = await pods();
        lastPods = ps.map(podLine).join(' ');
        const ok = ps.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
        return ok.length === nodes.length ? ok : undefined;
      },
      () => lastPods,
    );
    expect(ready.map((p) => p.spec?.nodeName).sort()).to.deep.equal(nodes);
    // Each claim's volume is pinned (PV nodeAffinity) to the node its pod runs on.
    for (const p of ready) {
      const claim = await c.core.readNamespacedPersistentVolumeClaim({ namespace, name: `data-${p.metadata?.name}` });
      const pv = await c.core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' });
      const pinned = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0];
      expect(pinned, `PV of ${p.metadata?.name}`).to.deep.equal({
        key: 'kubernetes.io/hostname',
        operator: 'In',
        values: [p.spec?.nodeName],
      });
    }
    // Every ordered pair: resolve the other pod's name (CoreDNS on the main node), fetch its page.
    for (const a of ready) {
      for (const b of ready) {
        if (a === b) continue;
        const host = `${b.metadata?.name}.${STS}.${namespace}.svc.cluster.local`;
        const r = await execIn(c, namespace, a.metadata?.name ?? '', STS, [
          'sh',
          '-c',
          `ip=$(nslookup ${host} | awk '/^Address/ && !/#53/ {print $2}' | tail -1); echo "$ip"; timeout 5 wget -qO- "http://$ip:8080/history"`,
        ]);
        const [ip, ...page] = r.stdout.trim().split('\n');
        expect(ip, `${a.metadata?.name} resolving ${host}: ${r.stderr}`).to.equal(b.status?.podIP);
        expect(
          page.join('\n'),
          `${a.metadata?.name} (${a.spec?.nodeName}) fetching from ${b.metadata?.name} (${b.spec?.nodeName})`,
        ).to.include(`${b.metadata?.name} node=${b.spec?.nodeName}`);
      }
    }
  });

  it('node.sh stop makes a node NotReady; its pod, force-deleted, stays Pending (volume pinned to that node); node.sh start brings the node back and the pod returns there with its data', async function () {
    this.timeout(300_000);
    const c = need();
    const victim = (await pods()).find((p) => p.spec?.nodeName && p.spec.nodeName !== MAIN_NODE);
    if (!victim?.metadata?.name || !victim.spec?.nodeName)
      throw new Error(`no pod on an extra node (the previous test must pass first): ${lastPods}`);
    const pod = victim.metadata.name;
    const node = victim.spec.nodeName;
    const t0 = Date.now();
    const stop = await nodeSh('stop', node);
    stopped.add(node);
    expect(stop.code, stop.out).to.equal(0);
    expect(stop.out).to.match(new RegExp(`^node.sh: stop ${node.replace(/\./g, '\\.')}: powered off`));
    let lastReady = '';
    await waitFor(
      `node ${node} NotReady`,
      120_000,
      async () => {
        lastReady = readyOf(await c.core.readNode({ name: node }));
        return lastReady === 'True' ? undefined : lastReady;
      },
      () => `Ready=${lastReady}`,
    );
    console.log(`      node ${node} NotReady ${((Date.now() - t0) / 1000).toFixed(1)}s after node.sh stop`);
    // The old pod cannot be confirmed gone by its kubelet: remove it from the API.
    await c.core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0, propagationPolicy: 'Background' });
    await waitFor(
      `a replacement ${pod} object`,
      30_000,
      async () => {
        const p = await c.core.readNamespacedPod({ name: pod, namespace });
        return p.metadata?.uid !== victim.metadata?.uid ? p : undefined;
      },
      () => 'the old pod object',
    );
    await new Promise((r) => setTimeout(r, 10_000));
    const pending = await c.core.readNamespacedPod({ name: pod, namespace });
    expect(podLine(pending), 'the replacement may not run elsewhere: its volume lives on the stopped node').to.equal(`${pod}@-:Pending`);
    const start = await nodeSh('start', node);
    expect(start.code, start.out).to.equal(0);
    stopped.delete(node);
    expect(readyOf(await c.core.readNode({ name: node }))).to.equal('True');
    const back = await waitFor(
      `${pod} Ready again`,
      120_000,
      async () => {
        const p = await c.core.readNamespacedPod({ name: pod, namespace });
        lastPods = podLine(p);
        return p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? p : undefined;
      },
      () => lastPods,
    );
    expect(back.spec?.nodeName).to.equal(node);
    const history = await execIn(c, namespace, pod, STS, ['cat', '/data/history']);
    // Two starts on the same volume: the data stayed on the node.
    expect(history.stdout.split('\n').filter((l) => l === `${pod} node=${node}`)).to.have.length(2);
  });
});
