// `ordinal run` with hostile input against the real cluster (issue #14 item 15): each is
// exit 2 with exactly one stderr line naming the input, and no run starts. Before the fix
// these printed stack traces (no template, replicas -5, a --target scaled to 0), ran out
// of memory (replicas 1000000000, an alias bomb), hung (/dev/zero, a FIFO), wrote outside
// the claim mount (--sentinel-path /data/../etc) or lost the verdict after the whole run
// (an unwritable --report-dir).
// That nothing was created is proven by the connection, not by listing namespaces (other
// runs share the cluster, and their namespaces come and go): the CLI reaches the API server
// only through a loopback relay that counts connections, and a refused run opens none. The
// --target case has to read the StatefulSet, so there the relay must see connections (which
// also shows it counts) and the target's namespace is compared object by object.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { mkfifo } from '../unit/helpers/fifo.ts';
import { TARGET_FIXTURE, TARGET_STS, deleteTargetNamespace, inventory } from './byo-helpers.ts';
import { type CliResult, connectTestCluster, runCli, tempDir } from './helpers.ts';

interface Relay {
  kubeconfig: string;
  connections: () => number;
  close: () => void;
}

/** A kubeconfig like $KUBECONFIG whose server is a loopback relay to the same API server, counting connections. */
async function countingRelay(dir: string): Promise<Relay> {
  const text = readFileSync(process.env.KUBECONFIG ?? '', 'utf8');
  const servers = [...text.matchAll(/^(\s*server:\s*)https:\/\/(127\.0\.0\.1|localhost):(\d+)\s*$/gm)];
  if (servers.length !== 1) throw new Error(`expected one loopback server in $KUBECONFIG, found ${servers.length}`);
  const [line, prefix, host, port] = servers[0] as unknown as [string, string, string, string];
  let count = 0;
  const relay = net.createServer((client) => {
    count += 1;
    const upstream = net.connect(Number(port), host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, text.replace(line, `${prefix}https://${host}:${(relay.address() as net.AddressInfo).port}`));
  return { kubeconfig, connections: () => count, close: () => relay.close() };
}

const show = (r: CliResult): string =>
  `exit ${r.code} (signal ${r.signal}) after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata: {name: hl}\nspec: {clusterIP: None, selector: {app: bad}, ports: [{name: web, port: 80}]}\n';
/** A sound StatefulSet, or one with another `replicas` line (at spec's indentation) or without its pod template. */
const statefulSet = (replicas = '  replicas: 2', template = true): string => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: bad}
spec:
  serviceName: hl
${replicas}
  selector: {matchLabels: {app: bad}}
${
  template
    ? `  template:
    metadata: {labels: {app: bad}}
    spec:
      containers: [{name: web, image: docker.io/library/busybox:1.35.0, volumeMounts: [{name: data, mountPath: /data}]}]
`
    : ''
}  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;

function aliasBomb(): string {
  const rows = ['  l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 8; i++)
    rows.push(
      `  l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${rows.join('\n')}\n---\n${SERVICE}---\n${statefulSet()}`;
}

describe('ordinal run: hostile input is refused before anything is created (integration, real cluster)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let relay: Relay;
  const dir = tempDir('bad-input');
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async function () {
    cluster = await connectTestCluster();
    relay = await countingRelay(dir);
  });

  after(() => relay?.close());

  /** Runs `ordinal run ...args` through the relay: exit 2, one line naming `input`, no run; returns the connections it opened. */
  async function refusal(args: string[], input: string, why: RegExp): Promise<number> {
    const opened = relay.connections();
    // A hang is what some of these did: a minute is far more than a refusal needs.
    const r = await runCli(['run', '--seed', '1', ...args], { killAfterMs: 60_000, env: { KUBECONFIG: relay.kubeconfig } });
    expect(r.code, show(r)).to.equal(2);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines, show(r)).to.have.length(1);
    expect(lines[0], show(r)).to.satisfy((l: string) => l.startsWith('ordinal: error: ') && l.includes(input));
    expect(lines[0], show(r)).to.match(why);
    expect(r.stdout, 'no run starts').not.to.match(/\] run \S+: /);
    return relay.connections() - opened;
  }

  /** A refusal that never reached the API server: so no namespace, nor anything else, was created. */
  async function refused(args: string[], input: string, why: RegExp): Promise<void> {
    expect(await refusal(args, input, why), 'connections to the API server during the refused run').to.equal(0);
  }

  it('--manifest with a StatefulSet that has no template', async () => {
    const f = file('no-template.yaml', `${SERVICE}---\n${statefulSet('  replicas: 2', false)}`);
    await refused(['--manifest', f], `--manifest ${f}`, /has no spec\.template\.spec$/);
  });

  it('--manifest with replicas: -5', async () => {
    const f = file('negative.yaml', `${SERVICE}---\n${statefulSet('  replicas: -5')}`);
    await refused(['--manifest', f], `--manifest ${f}`, /spec\.replicas -5: a run takes an integer from 1 to 100$/);
  });

  it('--manifest with replicas: 1000000000', async () => {
    const f = file('billion.yaml', `${SERVICE}---\n${statefulSet('  replicas: 1000000000')}`);
    await refused(['--manifest', f], `--manifest ${f}`, /spec\.replicas 1000000000: a run takes an integer from 1 to 100$/);
  });

  it('--manifest with a YAML alias bomb', async () => {
    const f = file('bomb.yaml', aliasBomb());
    await refused(['--manifest', f], `--manifest ${f}`, /document 1 expands to more than 100000 YAML values/);
  });

  it('--manifest /dev/zero', async () => {
    await refused(['--manifest', '/dev/zero'], '--manifest /dev/zero', /a character device, not a regular file$/);
  });

  it('--manifest <a FIFO nobody writes to>', async () => {
    const fifo = mkfifo(path.join(dir, 'manifest.fifo'));
    await refused(['--manifest', fifo], `--manifest ${fifo}`, /a FIFO, not a regular file$/);
  });

  it('--sentinel-path /data/../etc: outside the claim mount', async () => {
    const f = file('sound.yaml', `${SERVICE}---\n${statefulSet()}`);
    await refused(
      ['--manifest', f, '--sentinel-path', '/data/../etc'],
      '--sentinel-path /data/../etc (that is /etc)',
      /not inside the mount of any volume claim template \(data\)$/,
    );
  });

  it("--report-dir that cannot be written (under a file), or ''", async () => {
    const under = path.join(file('a-file', ''), 'reports');
    await refused(['--report-dir', under], `--report-dir ${under}`, /not writable: ENOTDIR/);
    await refused(['--report-dir', ''], "--report-dir ''", /empty: name a directory/);
  });

  describe('--target scaled to 0', () => {
    const ns = `bad-input-${Date.now().toString(36)}`;

    before(async function () {
      await cluster.core.createNamespace({ body: { metadata: { name: ns, labels: { 'test.ordinal.dev/byo': 'target' } } } });
      const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kc);
      for (const o of k8s.loadAllYaml(readFileSync(TARGET_FIXTURE, 'utf8')) as k8s.KubernetesObject[]) {
        o.metadata = { ...o.metadata, namespace: ns };
        if (o.kind === 'StatefulSet') {
          o.metadata.labels = { ...o.metadata.labels, 'ordinal.dev/chaos': 'allowed' };
          (o as k8s.V1StatefulSet).spec = { ...((o as k8s.V1StatefulSet).spec as k8s.V1StatefulSetSpec), replicas: 0 };
        }
        await api.create(o);
      }
    });

    after(async function () {
      if (cluster) await deleteTargetNamespace(cluster, ns);
    });

    it('exit 2 naming the target, after reading it, and every object in its namespace left as it was', async () => {
      const before = await inventory(cluster, ns);
      const connections = await refusal(
        ['--target', `${ns}/${TARGET_STS}`],
        `--target ${ns}/${TARGET_STS}`,
        /StatefulSet store is scaled to 0 replicas: a run needs 1 to 100 pods to disrupt$/,
      );
      expect(connections, 'the target is read through the relay (so the relay counts)').to.be.greaterThan(0);
      expect(await inventory(cluster, ns), 'every object and resourceVersion as before').to.deep.equal(before);
    });
  });
});
