// Proves the local cluster (cluster/scripts) is a real, working Kubernetes: a Ready
// node, in-cluster DNS with no upstream, a StatefulSet whose claims bind and whose
// pods become Ready in order, exec, port-forward, per-pod DNS, and the network
// fences (pod resolver, host no-egress rules). Uses the harness's own cluster I/O.
//
// Needs a running cluster: `npm run cluster:up` and export KUBECONFIG. Nothing here
// sends traffic to an address outside the machine.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { describeError } from '../../../lib/errors.ts';
import { createRunNamespace, deleteRunNamespace } from '../../../lib/run/namespace.ts';
import { openDnsProbe } from '../../../lib/probes/dns.ts';
import { settleA, within } from '../../../lib/probes/dns-settle.ts';
import { execIn } from '../../../lib/probes/exec.ts';
import { Recorder } from '../../../lib/observe/recorder.ts';
import type { WatchEntry } from '../../../lib/timeline/entries.ts';
import { MANAGED_BY, RUN_LABEL } from '../../../lib/workloads/common.ts';
import { NO_CLUSTER, connectTestCluster } from '../helpers.ts';

const IMAGE = 'docker.io/library/busybox:1.35.0';
const DNS_SERVICE_IP = '10.0.0.10';
const REPLICAS = 3;
const STS = 'web';
const SVC = 'web-hl';
const CONTAINER = 'web';
const CLAIM = 'data';
const PODS = Array.from({ length: REPLICAS }, (_, i) => `${STS}-${i}`);
/** What each pod serves: its own name, so a wrong pod behind a route shows up. */
const page = (pod: string): string => `ordinal-it ${pod}\n`;

const runId = `it-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const namespace = `ordinal-${runId}`;

function workload(): [Service, StatefulSet] {
  const labels = { ...MANAGED_BY, [RUN_LABEL]: runId, app: STS };
  const service = new Service({
    metadata: { name: SVC, namespace, labels },
    spec: { clusterIP: 'None', selector: { app: STS }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  const sts = new StatefulSet({
    metadata: { name: STS, namespace, labels },
    spec: {
      serviceName: SVC,
      replicas: REPLICAS,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: STS } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: CONTAINER,
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', 'trap "exit 0" TERM; echo "ordinal-it $(hostname)" > /data/index.html; httpd -f -p 80 -h /data & wait'],
              ports: [{ name: 'http', containerPort: 80 }],
              readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, failureThreshold: 1 },
              volumeMounts: [{ name: CLAIM, mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: CLAIM, labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
        },
      ],
    },
  });
  service.validate();
  sts.validate();
  return [service, sts];
}

/** HTTP GET through a local listener that port-forwards each connection to pod:port. */
async function getViaPortForward(cluster: Cluster, pod: string, port: number, path: string): Promise<{ status: number; body: string }> {
  const pf = new k8s.PortForward(cluster.kc);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    pf.portForward(namespace, pod, [port], socket, null, socket)
      .then((ws) => {
        const close = (): void => {
          if (typeof ws === 'function') ws()?.close();
          else ws.close();
        };
        socket.on('close', close);
        socket.on('error', close);
        // The pod closing its end closes the WebSocket; pass that on as EOF, or a
        // response delimited by connection close (no Content-Length) never ends.
        if (typeof ws !== 'function') ws.on('close', () => socket.end());
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const local = (server.address() as AddressInfo).port;
  try {
    return await new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: local, path, method: 'GET', agent: false, headers: { connection: 'close' }, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no complete HTTP answer for ${path} through the port-forward to ${pod}:${port} within 10s`)),
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
}

function firstEntry(timeline: readonly WatchEntry[], pred: (e: WatchEntry) => boolean): WatchEntry | undefined {
  return timeline.find(pred);
}

describe('local cluster (integration)', function () {
  let cluster: Cluster | undefined;
  let recorder: Recorder | undefined;
  let namespaceCreated = false;

  const need = (): Cluster => {
    if (!cluster) throw new Error(NO_CLUSTER);
    return cluster;
  };

  before(async function () {
    this.timeout(180_000);
    cluster = await connectTestCluster();
    const c = cluster;
    await createRunNamespace(c, namespace, runId);
    namespaceCreated = true;
    const rec = new Recorder(c, namespace, { log: (l) => process.stderr.write(`      [recorder] ${l}\n`) });
    recorder = rec;
    await rec.start();
    const [service, sts] = workload();
    await c.core.createNamespacedService({ namespace, body: service.toJSON() as k8s.V1Service });
    await c.apps.createNamespacedStatefulSet({ namespace, body: sts.toJSON() as k8s.V1StatefulSet });
    try {
      await rec.waitFor({
        describe: `${REPLICAS} Bound claims and ${REPLICAS} Ready pods of StatefulSet ${namespace}/${STS}`,
        timeoutMs: 150_000,
        until: () => {
          const claimsBound = PODS.every((p) => rec.pvcs.get(`${CLAIM}-${p}`)?.phase === 'Bound');
          const podsReady = PODS.every((p) => {
            const s = rec.pods.get(p);
            return s?.ready === true && s.ip !== undefined && !s.deletionTimestamp;
          });
          return claimsBound && podsReady ? true : undefined;
        },
        failFast: () => {
          for (const [name, s] of rec.pods) {
            const bad = s.waiting?.find((w) => /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError/.test(w));
            if (bad) return new Error(`pod ${name} cannot start: ${bad} (is ${IMAGE} preloaded into the local cluster?)`);
          }
          return undefined;
        },
      });
    } catch (err) {
      const detail = (err as { detail?: unknown }).detail;
      throw new Error(`${describeError(err)}${typeof detail === 'string' ? `\n${detail}` : ''}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    recorder?.stop();
    if (cluster && namespaceCreated) await deleteRunNamespace(cluster, namespace, runId);
  });

  it('has a Ready node running kubelet v1.34.x', async function () {
    this.timeout(20_000);
    const c = need();
    expect(c.version, 'API server version').to.match(/^v1\.34\.\d+/);
    const nodes = (await c.core.listNode()).items;
    expect(nodes, 'nodes').to.have.length.greaterThan(0);
    for (const n of nodes) {
      const name = n.metadata?.name ?? '?';
      const ready = n.status?.conditions?.find((cond) => cond.type === 'Ready');
      expect(ready?.status, `node ${name} Ready condition (${ready?.reason ?? 'none'}: ${ready?.message ?? ''})`).to.equal('True');
      expect(n.status?.nodeInfo?.kubeletVersion, `node ${name} kubelet version`).to.match(/^v1\.34\.\d+$/);
      expect(n.spec?.unschedulable ?? false, `node ${name} is cordoned`).to.equal(false);
    }
  });

  it('answers cluster names from the CoreDNS pod and NXDOMAIN for outside names', async function () {
    this.timeout(30_000);
    const c = need();
    const dnsSvc = await c.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
    expect(dnsSvc.spec?.clusterIP, 'kube-system/kube-dns ClusterIP').to.equal(DNS_SERVICE_IP);
    const selector = Object.entries(dnsSvc.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    expect(selector, 'kube-dns selects pods').to.not.equal('');
    const dnsPods = (await c.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector })).items;
    const readyDnsPods = dnsPods.filter((p) => p.status?.conditions?.some((cond) => cond.type === 'Ready' && cond.status === 'True'));
    expect(
      readyDnsPods.map((p) => p.metadata?.name),
      'Ready CoreDNS pods behind kube-dns',
    ).to.have.length.greaterThan(0);

    const api = await c.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    const apiIp = api.spec?.clusterIP;
    expect(apiIp, 'ClusterIP of default/kubernetes').to.be.a('string').and.not.equal('None');

    const probe = await openDnsProbe(c);
    try {
      const now = (): number => performance.now();
      // One server per Ready CoreDNS pod, each through its own port-forward.
      expect(probe.servers.map((s) => s.name).sort(), 'one DNS server per Ready CoreDNS pod').to.deep.equal(
        readyDnsPods.map((p) => `kube-system/${p.metadata?.name} via port-forward`).sort(),
      );
      for (const server of probe.servers) {
        const internal = await server.resolveA('kubernetes.default.svc.cluster.local', now);
        expect(internal.rcode, `rcode for kubernetes.default.svc.cluster.local from ${server.name}`).to.equal('NOERROR');
        expect(internal.addresses, 'A for kubernetes.default.svc.cluster.local').to.deep.equal([apiIp]);
        // Answered by the template plugin inside CoreDNS: nothing is forwarded upstream.
        const external = await server.resolveA('example.com', now);
        expect(external.rcode, 'rcode for example.com (no upstream forwarding)').to.equal('NXDOMAIN');
        expect(external.addresses, 'A for example.com').to.deep.equal([]);
      }
    } finally {
      probe.close();
    }
  });

  it('binds every claim and makes every pod of an OrderedReady StatefulSet Ready, in order', async function () {
    this.timeout(30_000);
    const c = need();
    const sts = await c.apps.readNamespacedStatefulSet({ name: STS, namespace });
    expect(sts.status?.readyReplicas, 'StatefulSet readyReplicas').to.equal(REPLICAS);

    const claims = (await c.core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    expect(claims.map((p) => p.metadata?.name).sort(), 'claims').to.deep.equal(PODS.map((p) => `${CLAIM}-${p}`));
    const volumes = new Set<string>();
    for (const pvc of claims) {
      const name = pvc.metadata?.name ?? '?';
      expect(pvc.status?.phase, `claim ${name} phase`).to.equal('Bound');
      const pvName = pvc.spec?.volumeName;
      expect(pvName, `claim ${name} volumeName`).to.be.a('string').and.not.equal('');
      const pv = await c.core.readPersistentVolume({ name: pvName ?? '' });
      expect(pv.status?.phase, `volume ${pvName} phase`).to.equal('Bound');
      expect(pv.spec?.claimRef?.uid, `volume ${pvName} is claimed by ${name}`).to.equal(pvc.metadata?.uid);
      volumes.add(pvName ?? '');
    }
    expect(volumes.size, 'distinct volumes').to.equal(REPLICAS);

    const pods = (await c.core.listNamespacedPod({ namespace })).items;
    expect(pods.map((p) => p.metadata?.name).sort(), 'pods').to.deep.equal(PODS);
    for (const p of pods) {
      const name = p.metadata?.name ?? '?';
      expect(p.status?.phase, `pod ${name} phase`).to.equal('Running');
      const ready = p.status?.conditions?.find((cond) => cond.type === 'Ready');
      expect(ready?.status, `pod ${name} Ready`).to.equal('True');
      const claim = p.spec?.volumes?.find((v) => v.name === CLAIM)?.persistentVolumeClaim?.claimName;
      expect(claim, `pod ${name} mounts its own claim`).to.equal(`${CLAIM}-${name}`);
    }

    // OrderedReady: the controller creates web-N only after web-(N-1) is Ready. The
    // recorder watched from before the StatefulSet existed, so the order is on record.
    const timeline = (recorder?.timeline ?? []).filter((e): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod');
    for (let i = 1; i < REPLICAS; i++) {
      const prev = `${STS}-${i - 1}`;
      const cur = `${STS}-${i}`;
      const prevReady = firstEntry(timeline, (e) => e.name === prev && e.pod?.ready === true);
      const curSeen = firstEntry(timeline, (e) => e.name === cur);
      expect(prevReady, `${prev} became Ready on the timeline`).to.not.equal(undefined);
      expect(curSeen, `${cur} appears on the timeline`).to.not.equal(undefined);
      expect(curSeen!.seq, `${cur} created only after ${prev} was Ready`).to.be.greaterThan(prevReady!.seq);
    }
  });

  it('runs commands in a pod with exec', async function () {
    this.timeout(60_000);
    const c = need();
    for (const pod of PODS) {
      const host = await execIn(c, namespace, pod, CONTAINER, ['hostname']);
      expect(host.exitCode, `hostname exit code in ${pod} (stderr: ${host.stderr})`).to.equal(0);
      expect(host.stdout.trim(), `hostname in ${pod}`).to.equal(pod);
      const cat = await execIn(c, namespace, pod, CONTAINER, ['cat', '/data/index.html']);
      expect(cat.exitCode, `cat exit code in ${pod} (stderr: ${cat.stderr})`).to.equal(0);
      expect(cat.stdout, `/data/index.html in ${pod}`).to.equal(page(pod));
    }
    // /data is the claim's volume mounted into the container, not the image's own directory.
    const mounts = await execIn(c, namespace, PODS[0]!, CONTAINER, ['sh', '-c', 'awk \'$2 == "/data"\' /proc/mounts']);
    expect(mounts.stdout.trim(), '/data is a mount point').to.not.equal('');
    // Exit codes and stderr come back, so a failing command is distinguishable.
    const failing = await execIn(c, namespace, PODS[0]!, CONTAINER, ['sh', '-c', 'echo oops >&2; exit 7']);
    expect(failing.exitCode, 'exit code of a failing command').to.equal(7);
    expect(failing.stderr.trim(), 'stderr of a failing command').to.equal('oops');
  });

  it('port-forwards to each pod and serves its page over HTTP', async function () {
    this.timeout(60_000);
    const c = need();
    for (const pod of PODS) {
      const res = await getViaPortForward(c, pod, 80, '/index.html');
      expect(res.status, `HTTP status from ${pod}`).to.equal(200);
      expect(res.body, `index.html from ${pod}`).to.equal(page(pod));
    }
    const missing = await getViaPortForward(c, PODS[0]!, 80, '/no-such-page.html');
    expect(missing.status, 'HTTP status for a missing page').to.equal(404);
  });

  it("resolves each pod's per-pod DNS name under the headless Service to its IP", async function () {
    this.timeout(60_000);
    const c = need();
    const probe = await openDnsProbe(c);
    try {
      const now = (): number => performance.now();
      const ips: string[] = [];
      for (const pod of PODS) {
        const p = await c.core.readNamespacedPod({ name: pod, namespace });
        const ip = p.status?.podIP;
        expect(ip, `IP of ${pod}`).to.be.a('string').and.not.equal('');
        ips.push(ip ?? '');
        const fqdn = `${pod}.${SVC}.${namespace}.svc.cluster.local`;
        // EndpointSlices may trail pod readiness by a moment; settleA re-asks after the TTL.
        const lookup = await settleA(probe.servers, pod, fqdn, ip ?? '', within(15_000, now), now);
        const last = lookup.answers.at(-1);
        expect(last?.rcode, `rcode for ${fqdn}`).to.equal('NOERROR');
        expect(last?.addresses, `A for ${fqdn}`).to.deep.equal([ip]);
      }
      expect(new Set(ips).size, 'distinct pod IPs').to.equal(REPLICAS);
      const svcName = `${SVC}.${namespace}.svc.cluster.local`;
      const server = probe.servers[0]!;
      const all = await server.resolveA(svcName, now);
      expect(all.rcode, `rcode for ${svcName}`).to.equal('NOERROR');
      expect(all.addresses, `A for headless ${svcName}`).to.deep.equal([...ips].sort());
      const srv = await server.resolveSrv(`_http._tcp.${svcName}`, now);
      expect(srv.rcode, 'rcode for the SRV query').to.equal('NOERROR');
      expect(srv.targets, 'SRV targets').to.deep.equal(PODS.map((p) => ({ target: `${p}.${svcName}`, port: 80 })));
    } finally {
      probe.close();
    }
  });

  it("keeps pods on the cluster resolver and the host's no-egress rules in place", async function () {
    this.timeout(30_000);
    const c = need();
    const conf = await execIn(c, namespace, PODS[0]!, CONTAINER, ['cat', '/etc/resolv.conf']);
    expect(conf.exitCode, `cat /etc/resolv.conf (stderr: ${conf.stderr})`).to.equal(0);
    const nameservers = conf.stdout
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .filter((l) => l.startsWith('nameserver'));
    expect(nameservers, "nameservers in the pod's /etc/resolv.conf").to.deep.equal([`nameserver ${DNS_SERVICE_IP}`]);

    // -C (check) exits 0 only if the exact rule exists; nothing is sent anywhere.
    const rule = [
      '-w',
      '-t',
      'mangle',
      '-C',
      'FORWARD',
      '-i',
      'ordinal0',
      '!',
      '-o',
      'ordinal0',
      '-m',
      'comment',
      '--comment',
      'ordinal:no-egress',
      '-j',
      'DROP',
    ];
    for (const tool of ['iptables', 'ip6tables']) {
      let failure = '';
      try {
        execFileSync(tool, rule, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
      } catch (err) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
        failure = `${describeError(err)}${stderr ? `: ${stderr}` : ''}`;
      }
      expect(failure, `${tool} no-egress DROP rule on FORWARD (mangle) from ordinal0`).to.equal('');
    }
  });
});
