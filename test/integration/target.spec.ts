// `ordinal run --target` against a StatefulSet created outside Ordinal, in a namespace
// the test creates (unlabelled by Ordinal) and deletes after: without the opt-in label
// the run refuses with exit 2 and touches nothing (every object's resourceVersion and
// every pod's UID unchanged, also for --dry-run); once labelled, --dry-run still
// touches nothing and a real run passes, creating no namespace, leaving the
// StatefulSet, its claims and every other object as they were and no sentinel behind.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { execIn } from '../../lib/probes/exec.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { TARGET_STS, createTargetNamespace, deleteTargetNamespace, inventory } from './byo-helpers.ts';
import { type CliResult, connectTestCluster, labelledNamespaces, runCli, runIdOf, tempDir } from './helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('ordinal run --target (integration, real cluster)', function () {
  this.timeout(300_000);
  let cluster: Cluster;
  const ns = `byo-target-${Date.now().toString(36)}`;
  const target = `${ns}/${TARGET_STS}`;

  before(async function () {
    cluster = await connectTestCluster();
    await createTargetNamespace(cluster, ns, false);
  });

  after(async function () {
    if (cluster) await deleteTargetNamespace(cluster, ns);
  });

  it('without ordinal.dev/chaos=allowed: exit 2, one line with the kubectl label command, nothing touched (run and --dry-run)', async function () {
    const before = await inventory(cluster, ns);
    const runNamespaces = (await labelledNamespaces(cluster)).length;
    for (const extra of [[], ['--dry-run']]) {
      const r = await runCli(['run', '--target', target, '--seed', '42', '--report-dir', tempDir('target-refused'), ...extra]);
      expect(r.code, show(r)).to.equal(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, show(r)).to.have.length(1);
      expect(lines[0]).to.equal(
        `ordinal: error: refusing to disrupt StatefulSet ${target}: it is not labelled ordinal.dev/chaos=allowed; to opt in, run: kubectl -n ${ns} label statefulset ${TARGET_STS} ordinal.dev/chaos=allowed`,
      );
      expect(r.stdout, 'no run starts').not.to.match(/\] run \S+: /);
    }
    const after = await inventory(cluster, ns);
    expect(after, 'every object, pod UID and resourceVersion as before').to.deep.equal(before);
    expect((await labelledNamespaces(cluster)).length, 'no run namespace was created').to.equal(runNamespaces);
  });

  it("labelled: --dry-run lists the StatefulSet's own pods and each one's actions, and touches nothing", async function () {
    await cluster.apps.patchNamespacedStatefulSet({
      name: TARGET_STS,
      namespace: ns,
      body: [{ op: 'add', path: '/metadata/labels', value: { 'ordinal.dev/chaos': 'allowed' } }],
    });
    const before = await inventory(cluster, ns);
    const r = await runCli(['run', '--dry-run', '--target', target, '--seed', '42', '--rounds', '2']);
    expect(r.code, show(r)).to.equal(0);
    for (const [pod, uid] of Object.entries(before.pods)) expect(r.stdout, show(r)).to.include(`${pod} (uid ${uid})`);
    expect(r.stdout).to.match(/^pod store-0: round \d (delete|force-delete)/m);
    expect(r.stdout).to.match(/^pod store-1: /m);
    expect(r.stdout).to.include(`# sentinel: /var/lib/store/.ordinal-sentinel in each pod`);
    expect(r.stdout).to.include('# never: scaling the StatefulSet, deleting it, its claims or the namespace');
    expect(await inventory(cluster, ns)).to.deep.equal(before);
  });

  it('labelled: a real run passes, creates no namespace, never scales, leaves claims and other objects alone and no sentinel', async function () {
    const before = await inventory(cluster, ns);
    const reports = tempDir('target-run');
    const r = await runCli(['run', '--target', target, '--seed', '42', '--rounds', '2', '--dns-budget', '20', '--report-dir', reports]);
    expect(r.code, show(r)).to.equal(0);
    const runId = runIdOf(r.stdout);
    const res = JSON.parse(readFileSync(path.join(reports, runId, 'results.json'), 'utf8')) as RunResult;
    expect(res.workload).to.include({
      kind: 'target',
      namespace: ns,
      statefulSet: TARGET_STS,
      service: 'store-peers',
      portName: 'tcp-store',
      replicas: 2,
      clusterDomain: 'cluster.local',
    });
    const status = Object.fromEntries(res.checks.map((c) => [c.id, c.status]));
    expect(status).to.deep.include({
      'STS-ORDER-CREATE': 'skipped',
      'STS-ORDER-RECREATE': 'passed',
      'STS-RECOVERY': 'passed',
      'STS-IDENTITY': 'passed',
      'STS-DNS-A': 'passed',
      'STS-DNS-SRV': 'passed',
      'STS-PVC-BINDING': 'passed',
      'STS-DATA-SENTINEL': 'passed',
      'STS-TOPOLOGY-PRIMARY': 'skipped',
      'STS-ORDER-SCALEDOWN': 'skipped',
    });
    expect(r.stdout).to.include('scale-down skipped: a --target run never scales the StatefulSet');
    expect(r.stdout).to.include(`target ${ns}/${TARGET_STS} left in place: not scaled, nothing deleted`);
    expect(await labelledNamespaces(cluster).then((l) => l.filter((n) => n.runId === runId)), 'no namespace of this run').to.deep.equal([]);

    const after = await inventory(cluster, ns);
    expect(after.statefulSet, 'same StatefulSet: same UID, generation (no spec change), replicas and labels').to.deep.equal(
      before.statefulSet,
    );
    expect(after.objects, 'claims, Service, ConfigMaps, Secrets: the same objects, same UIDs, nothing added').to.deep.equal(before.objects);
    for (const key of Object.keys(before.versions).filter((k) => /^(PersistentVolumeClaim|Service|ConfigMap|Secret)\//.test(k))) {
      expect(after.versions[key], `${key} not written`).to.equal(before.versions[key]);
    }
    expect(Object.keys(after.pods).sort()).to.deep.equal(['store-0', 'store-1']);
    for (const [pod, uid] of Object.entries(after.pods)) {
      expect(uid, `${pod} was killed and recreated`).not.to.equal(before.pods[pod]);
      const ls = await execIn(cluster, ns, pod, 'store', ['ls', '-A', '/var/lib/store']);
      expect(ls.stdout.trim(), `${pod}: the sentinel was removed`).to.equal('');
    }
  });
});
