// `ordinal run --manifest` with a user's StatefulSet that is not one of the samples
// (test/fixtures/byo/httpd-two-claims.yaml: busybox httpd, two claim templates, a port
// named http-alt, Parallel, a ConfigMap): deployed into the run's namespace and judged
// like a sample; and a file the run must refuse before it creates anything (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import {
  type CliResult,
  ROOT,
  connectTestCluster,
  labelledNamespaces,
  runCli,
  runIdOf,
  tempDir,
  waitRunNamespacesGone,
} from './helpers.ts';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'byo', 'httpd-two-claims.yaml');
// The local cluster's pause image holds one static binary and nothing else: no sh, no cat.
const NO_SHELL = `apiVersion: v1
kind: Service
metadata: {name: idle}
spec:
  clusterIP: None
  selector: {app: idle}
  ports: [{name: none, port: 9}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: idle}
spec:
  serviceName: idle
  replicas: 2
  selector: {matchLabels: {app: idle}}
  template:
    metadata: {labels: {app: idle}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: pause
          image: ordinal.local/pause:1.0
          imagePullPolicy: IfNotPresent
          volumeMounts: [{name: state, mountPath: /state}]
  volumeClaimTemplates:
    - metadata: {name: state}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;
const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('ordinal run --manifest (integration, real cluster)', function () {
  this.timeout(300_000);
  let cluster: Cluster;

  before(async function () {
    cluster = await connectTestCluster();
  });

  it('deploys a non-sample StatefulSet with two claims into the run namespace and passes (exit 0)', async function () {
    const reports = tempDir('manifest');
    const r = await runCli(['run', '--manifest', FIXTURE, '--seed', '42', '--rounds', '2', '--dns-budget', '20', '--report-dir', reports]);
    expect(r.code, show(r)).to.equal(0);
    const runId = runIdOf(r.stdout);
    const res = JSON.parse(readFileSync(path.join(reports, runId, 'results.json'), 'utf8')) as RunResult;
    expect(res.workload).to.deep.include({
      kind: 'manifest',
      namespace: `ordinal-${runId}`,
      statefulSet: 'site',
      service: 'site-hl',
      portName: 'http-alt',
      replicas: 3,
      claimTemplates: ['www', 'logs'],
      podManagementPolicy: 'Parallel',
      clusterDomain: 'cluster.local',
    });
    const byId = Object.fromEntries(res.checks.map((c) => [c.id, c]));
    for (const id of ['STS-RECOVERY', 'STS-IDENTITY', 'STS-DNS-A', 'STS-DNS-SRV', 'STS-PVC-BINDING', 'STS-DATA-SENTINEL'])
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).to.equal('passed');
    expect(byId['STS-PVC-BINDING']?.message).to.match(/^6 claims kept their PVC UID and PV across chaos/);
    expect(byId['STS-DNS-SRV']?.message).to.include('port 8080');
    expect(byId['STS-DATA-SENTINEL']?.evidence.map((e) => e.subject)).to.deep.equal(
      ['site-0', 'site-1', 'site-2'].map((p) => `sentinel ${p}:/srv/www/.ordinal-sentinel`),
    );
    await waitRunNamespacesGone(cluster, runId);
  });

  it("an image with no shell (the cluster's pause image): the sentinel and in-pod probes are skipped with the reason, never failed", async function () {
    const file = path.join(tempDir('manifest-noshell'), 'pause.yaml');
    writeFileSync(file, NO_SHELL);
    const reports = tempDir('manifest-noshell-reports');
    const r = await runCli([
      'run',
      '--manifest',
      file,
      '--seed',
      '42',
      '--rounds',
      '1',
      '--dns-budget',
      '20',
      '--cluster-domain',
      'cluster.local',
      '--report-dir',
      reports,
    ]);
    expect(r.code, show(r)).to.equal(0);
    const res = JSON.parse(readFileSync(path.join(reports, runIdOf(r.stdout), 'results.json'), 'utf8')) as RunResult;
    const byId = Object.fromEntries(res.checks.map((c) => [c.id, c]));
    expect(byId['STS-DATA-SENTINEL']?.status).to.equal('skipped');
    expect(byId['STS-DATA-SENTINEL']?.message).to.match(
      /^no sentinel was written: container pause has no sh \(.*\): the sentinel needs a shell$/,
    );
    expect(byId['STS-IDENTITY']?.status, byId['STS-IDENTITY']?.message).to.equal('passed');
    expect(byId['STS-IDENTITY']?.message).to.include('hostname inside the pods not read: container pause has no sh');
    for (const id of ['STS-RECOVERY', 'STS-DNS-A', 'STS-DNS-SRV', 'STS-PVC-BINDING'])
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).to.equal('passed');
    await waitRunNamespacesGone(cluster, runIdOf(r.stdout));
    // Without --cluster-domain there is no resolv.conf to read: exit 2 saying so, never a guess.
    const g = await runCli(['run', '--manifest', file, '--seed', '42', '--rounds', '0', '--report-dir', reports]);
    expect(g.code, show(g)).to.equal(2);
    expect(g.stderr, show(g)).to.match(
      /cannot learn the cluster domain from pod idle-0's \/etc\/resolv\.conf \(container pause has no sh .*\); pass --cluster-domain/,
    );
    await waitRunNamespacesGone(cluster, runIdOf(g.stdout));
  });

  it('refuses a file with a cluster-scoped object before creating anything (exit 2)', async function () {
    const file = path.join(tempDir('manifest-bad'), 'with-clusterrole.yaml');
    // A name no other spec uses, so a namespace another spec's run creates meanwhile (two
    // specs run at once) is told apart from one this refused run would have made.
    const marker = `refused-${process.pid}-${Date.now()}`;
    writeFileSync(
      file,
      `${readFileSync(FIXTURE, 'utf8').replace(/^(\s+)name: site$/m, `$1name: ${marker}`)}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: sneaky\nrules: []\n`,
    );
    const before = new Set((await labelledNamespaces(cluster)).map((n) => n.name));
    const r = await runCli(['run', '--manifest', file, '--seed', '1']);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr.trim(), show(r)).to.equal(
      'ordinal: error: --manifest: ClusterRole sneaky (rbac.authorization.k8s.io/v1) is cluster-scoped; a run writes only in its own namespace',
    );
    for (const ns of (await labelledNamespaces(cluster)).filter((n) => !before.has(n.name))) {
      const maps = await cluster.core.listNamespacedConfigMap({ namespace: ns.name });
      expect(
        maps.items.map((m) => m.metadata?.name),
        `namespace ${ns.name}, new since the refused run began`,
      ).to.not.include(marker);
    }
    const roles = await cluster.kc.makeApiClient(k8s.RbacAuthorizationV1Api).listClusterRole({ fieldSelector: 'metadata.name=sneaky' });
    expect(roles.items, 'ClusterRole sneaky').to.have.length(0);
  });

  it('refuses a kind the cluster does not serve, and a file with no StatefulSet (exit 2)', async function () {
    const dir = tempDir('manifest-bad2');
    const unknown = path.join(dir, 'unknown.yaml');
    writeFileSync(unknown, `${readFileSync(FIXTURE, 'utf8')}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n`);
    const a = await runCli(['run', '--manifest', unknown, '--seed', '1']);
    expect(a.code, show(a)).to.equal(2);
    expect(a.stderr, show(a)).to.match(/^ordinal: error: --manifest: Widget w \(example\.com\/v1\): the cluster does not serve this kind/);
    const none = path.join(dir, 'none.yaml');
    writeFileSync(none, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    const b = await runCli(['run', '--manifest', none, '--seed', '1']);
    expect(b.code, show(b)).to.equal(2);
    expect(b.stderr.trim()).to.equal(`ordinal: error: --manifest ${none}: no StatefulSet (found ConfigMap c)`);
  });
});
