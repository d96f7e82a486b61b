// examples/rbac.yaml is enough and not much more: apply it with the admin kubeconfig,
// mint a token for the ServiceAccount, run the real CLI with only that identity, then
// show what the identity still cannot do (RBAC 403s, and the admission policies' 403s
// for writes outside run namespaces; the escapes of issue #14 item 11 are in
// rbac-escapes.ts). Everything the manifest created is removed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { connect, type Cluster } from '../../lib/cluster/cluster.ts';
import { describeError, httpStatus } from '../../lib/errors.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { TARGET_STS, createTargetNamespace, deleteTargetNamespace } from './byo-helpers.ts';
import { NO_CLUSTER, ROOT, connectTestCluster, runCli, runIdOf, tempDir, waitRunNamespacesGone } from './helpers.ts';
import { escapeCases } from './rbac-escapes.ts';
import { NAMESPACE_MESSAGE, POLICY_MESSAGE, SA, serviceAccountKubeconfig, show, statusOf } from './rbac-helpers.ts';

const MANIFEST = path.join(ROOT, 'examples', 'rbac.yaml');
const RBAC = 'rbac.authorization.k8s.io';
const CORE_CHECKS = [
  'STS-ORDER-CREATE',
  'STS-ORDER-RECREATE',
  'STS-IDENTITY',
  'STS-DNS-A',
  'STS-DNS-SRV',
  'STS-PVC-BINDING',
  'STS-DATA-SENTINEL',
];

/** Tries an exec as `c`: a command that does not exist, so were it allowed, it would fail harmlessly (500). */
function execStatus(c: Cluster, namespace: string, pod: string, container: string): Promise<string> {
  return new Promise<string>((resolve) => {
    new k8s.Exec(c.kc)
      .exec(namespace, pod, container, ['/ordinal-rbac-test-no-such-command'], null, null, null, false, (st) =>
        resolve(`status ${st.code ?? 200}`),
      )
      .catch((e: unknown) => resolve(describeError(e)));
  });
}

describe('examples/rbac.yaml (integration, real cluster)', function () {
  let admin: Cluster | undefined;
  let sa: Cluster | undefined;
  let saKubeconfig = '';
  let namespaceWasThere = false;
  const objects = k8s.loadAllYaml(readFileSync(MANIFEST, 'utf8')) as k8s.KubernetesObject[];
  const victim = `ordinal-rbac-victim-${Date.now().toString(36)}`;
  const a = (): Cluster =>
    admin ??
    (() => {
      throw new Error(NO_CLUSTER);
    })();
  const s = (): Cluster =>
    sa ??
    (() => {
      throw new Error('no ServiceAccount kubeconfig (before() failed)');
    })();

  before(async function () {
    this.timeout(120_000);
    admin = await connectTestCluster();
    // examples/agent.yaml shares the namespace ordinal-system: one that was there before is left in place.
    namespaceWasThere = await a()
      .core.readNamespace({ name: SA.namespace })
      .then(() => true)
      .catch(() => false);
    const api = k8s.KubernetesObjectApi.makeApiClient(a().kc);
    for (const o of objects) await api.patch(o, undefined, undefined, 'ordinal-rbac-test', true, k8s.PatchStrategy.ServerSideApply);
    await a().core.createNamespace({ body: { metadata: { name: victim } } }); // unlabelled: not a run namespace

    saKubeconfig = await serviceAccountKubeconfig(a());
    sa = await connect({ kubeconfig: saKubeconfig });
    // RBAC and admission-policy caches catch up within a moment; wait until a
    // policy-guarded call is refused before judging anything.
    const deadline = Date.now() + 30_000;
    while ((await statusOf(s().core.deleteNamespace({ name: victim, dryRun: 'All' }))).code !== 403 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  after(async function () {
    this.timeout(120_000);
    if (!admin) return;
    const api = k8s.KubernetesObjectApi.makeApiClient(admin.kc);
    const ours = objects.filter((o) => !(namespaceWasThere && o.kind === 'Namespace' && o.metadata?.name === SA.namespace));
    for (const o of [...ours].reverse())
      await api.delete(o).catch((e: unknown) => {
        if (httpStatus(e) !== 404) throw e;
      });
    await admin.core.deleteNamespace({ name: victim }).catch(() => undefined);
  });

  it('is enough for a full `ordinal run --seed 42` with every disruption it grants, with the ServiceAccount token (exit 0)', async function () {
    this.timeout(300_000);
    const reports = tempDir('rbac-reports');
    // Seed 42 plans all four (round 2 evicts web-2 with every pod Ready: admitted); evict brings the PodDisruptionBudget.
    const chaos = 'delete,force-delete,container-kill,evict';
    const r = await runCli(['run', '--seed', '42', '--chaos', chaos, '--kubeconfig', saKubeconfig, '--report-dir', reports], {
      env: { KUBECONFIG: undefined },
    });
    expect(r.code, show(r)).to.equal(0);
    const runId = runIdOf(r.stdout);
    const res = JSON.parse(readFileSync(path.join(reports, runId, 'results.json'), 'utf8')) as RunResult;
    expect(res.cluster.context).to.equal('ordinal-sa');
    expect(res.summary).to.include({ failed: 0, error: 0 });
    // No cluster-wide pod reads: the run bound ordinal-run-reader to itself in its namespace.
    expect(r.stdout).to.include(
      `bound ClusterRole ordinal-run-reader to system:serviceaccount:${SA.namespace}:${SA.name} in namespace ordinal-${runId}`,
    );
    expect(res.checks.filter((c) => c.status === 'passed').map((c) => c.id)).to.include.members([
      ...CORE_CHECKS,
      'STS-RECOVERY',
      'STS-PDB',
    ]);
    expect((res.recoveryByDisruption ?? []).map((k) => k.disruption).sort()).to.deep.equal(chaos.split(',').sort());
    // The canary ConfigMap is read by name only (RBAC resourceNames): its watch must still work.
    expect(res.detectionLatency?.samples ?? 0, 'the canary watch (field-selected list + watch by name)').to.be.greaterThan(0);
    await waitRunNamespacesGone(a(), runId);
  });

  it('is enough for the update phase: --update rollback replaces the pod template twice as the ServiceAccount (exit 0)', async function () {
    this.timeout(300_000);
    const reports = tempDir('rbac-update');
    const r = await runCli(
      [
        'run',
        '--seed',
        '42',
        '--rounds',
        '1',
        '--update',
        'rollback',
        '--traffic',
        'off',
        '--kubeconfig',
        saKubeconfig,
        '--report-dir',
        reports,
      ],
      { env: { KUBECONFIG: undefined } },
    );
    expect(r.code, show(r)).to.equal(0);
    const res = JSON.parse(readFileSync(path.join(reports, runIdOf(r.stdout), 'results.json'), 'utf8')) as RunResult;
    expect(res.cluster.context).to.equal('ordinal-sa');
    expect(res.summary).to.include({ failed: 0, error: 0 });
    expect(res.rounds[0]?.updates?.map((u) => [u.step, u.converged])).to.deep.equal([
      ['forward', true],
      ['rollback', true],
    ]);
  });

  it('authenticates as the ServiceAccount', async function () {
    const review = await s().kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).to.equal(`system:serviceaccount:${SA.namespace}:${SA.name}`);
  });

  it('grants what the code calls and nothing of the listed excess (SelfSubjectAccessReview)', async function () {
    const authz = s().kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = async (
      verb: string,
      resource: string,
      opts: { group?: string; sub?: string; ns?: string; name?: string } = {},
    ): Promise<boolean> => {
      const body = {
        spec: {
          resourceAttributes: { verb, resource, group: opts.group ?? '', subresource: opts.sub, namespace: opts.ns, name: opts.name },
        },
      };
      return (await authz.createSelfSubjectAccessReview({ body })).status?.allowed === true;
    };
    const granted: [string, string, Parameters<typeof can>[2]][] = [
      ['create', 'namespaces', {}],
      ['delete', 'namespaces', {}],
      ['list', 'pods', { ns: 'kube-system' }],
      // The recorder's reads in a run namespace come from a RoleBinding the run makes there (lib/run/namespace-access.ts).
      ['create', 'rolebindings', { group: RBAC, ns: 'any-run' }],
      ['bind', 'clusterroles', { group: RBAC, name: 'ordinal-run-reader' }],
      ['create', 'statefulsets', { group: 'apps', ns: 'any-run' }],
      ['delete', 'statefulsets', { group: 'apps', ns: 'any-run' }],
      // The update phase replaces the pod template (--update); the admission policy keeps it to run namespaces.
      ['update', 'statefulsets', { group: 'apps', ns: 'any-run' }],
      ['get', 'services', { ns: 'kube-system', name: 'kube-dns' }],
      ['create', 'pods', { sub: 'portforward', ns: 'kube-system' }],
      ['watch', 'persistentvolumes', {}],
      ['create', 'pods', { sub: 'eviction', ns: 'any-run' }],
      ['create', 'poddisruptionbudgets', { group: 'policy', ns: 'any-run' }],
      // The traffic client pod (lib/traffic/client.ts): RBAC grants pod create and log reads; the
      // admission policy confines the create to run namespaces (next test).
      ['create', 'pods', { ns: 'any-run' }],
      ['get', 'pods', { sub: 'log', ns: 'any-run', name: 'ordinal-traffic' }],
      // The canary and the creation record, by name only.
      ['watch', 'configmaps', { ns: 'any-run', name: 'ordinal-canary' }],
      ['get', 'configmaps', { ns: 'any-run', name: 'ordinal-run' }],
    ];
    for (const [verb, res, o] of granted) expect(await can(verb, res, o), `${verb} ${res} ${JSON.stringify(o)}`).to.equal(true);
    const denied: [string, string, Parameters<typeof can>[2]][] = [
      ['list', 'secrets', {}],
      ['get', 'secrets', { ns: 'kube-system' }],
      ['update', 'namespaces', {}],
      ['patch', 'statefulsets', { group: 'apps', ns: 'default' }],
      ['delete', 'persistentvolumeclaims', { ns: 'default' }],
      ['delete', 'persistentvolumes', {}],
      ['list', 'services', { ns: 'kube-system' }],
      ['get', 'services', { ns: 'kube-system', name: 'kubernetes' }],
      ['create', 'pods', { sub: 'portforward', ns: 'default' }],
      ['create', 'clusterrolebindings', { group: 'rbac.authorization.k8s.io' }],
      ['impersonate', 'serviceaccounts', {}],
      ['update', 'nodes', {}],
      ['delete', 'poddisruptionbudgets', { group: 'policy', ns: 'default' }],
      ['update', 'poddisruptionbudgets', { group: 'policy', ns: 'default' }],
      // Reads narrowed to what a run needs: no pod spec, claim or event outside its namespaces, no other pod's log, no other ConfigMap.
      ['list', 'pods', {}],
      ['watch', 'pods', { ns: 'default' }],
      ['list', 'events', { ns: 'default' }],
      ['watch', 'persistentvolumeclaims', {}],
      ['bind', 'clusterroles', { group: RBAC, name: 'cluster-admin' }],
      ['bind', 'clusterroles', { group: RBAC, name: 'ordinal-harness' }],
      ['get', 'pods', { sub: 'log', ns: 'kube-system', name: 'coredns' }],
      ['get', 'pods', { sub: 'log', ns: 'any-run', name: 'web-0' }],
      ['list', 'configmaps', {}],
      ['list', 'configmaps', { ns: 'kube-system' }],
      ['get', 'configmaps', { ns: 'kube-system', name: 'coredns' }],
    ];
    for (const [verb, res, o] of denied) expect(await can(verb, res, o), `${verb} ${res} ${JSON.stringify(o)}`).to.equal(false);
  });

  it('cannot list secrets: the API server answers 403', async function () {
    const all = await statusOf(s().core.listSecretForAllNamespaces());
    const sys = await statusOf(s().core.listNamespacedSecret({ namespace: 'kube-system' }));
    expect(all.code, all.message).to.equal(403);
    expect(sys.code, sys.message).to.equal(403);
  });

  it('cannot delete a pod in kube-system: RBAC alone would allow it, the admission policy answers 403', async function () {
    const pods = await a().core.listNamespacedPod({ namespace: 'kube-system' });
    const pod = pods.items[0]?.metadata?.name;
    if (!pod) throw new Error('no pod in kube-system to aim at');
    const review = await s()
      .kc.makeApiClient(k8s.AuthorizationV1Api)
      .createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb: 'delete', resource: 'pods', namespace: 'kube-system', name: pod } } },
      });
    expect(review.status?.allowed, 'RBAC grants pod delete cluster-wide (run namespaces are not known in advance)').to.equal(true);
    // dryRun: even if the policy failed to refuse, nothing would be deleted.
    const r = await statusOf(s().core.deleteNamespacedPod({ name: pod, namespace: 'kube-system', dryRun: 'All' }));
    expect(r.code, r.message).to.equal(403);
    expect(r.message).to.include(POLICY_MESSAGE);
    // The same for an eviction (RBAC grants pods/eviction cluster-wide, for the same reason).
    const evict = await statusOf(
      s().core.createNamespacedPodEviction({
        name: pod,
        namespace: 'kube-system',
        dryRun: 'All',
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod, namespace: 'kube-system' },
          deleteOptions: { dryRun: ['All'] },
        },
      }),
    );
    expect(evict.code, evict.message).to.equal(403);
    expect(evict.message).to.include(POLICY_MESSAGE);
    const pdb = await statusOf(
      s().policy.createNamespacedPodDisruptionBudget({
        namespace: victim,
        dryRun: 'All',
        body: { metadata: { name: 'x' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'x' } } } },
      }),
    );
    expect(pdb.code, pdb.message).to.equal(403);
    expect(pdb.message).to.include(POLICY_MESSAGE);
  });

  it('cannot exec into a kube-system pod or delete / write into an unlabelled namespace (403)', async function () {
    this.timeout(30_000);
    const pod = (await a().core.listNamespacedPod({ namespace: 'kube-system' })).items[0];
    const name = pod?.metadata?.name ?? '';
    const container = pod?.spec?.containers[0]?.name ?? '';
    const exec = await execStatus(s(), 'kube-system', name, container);
    expect(exec).to.match(/\b403\b/);
    const ns = await statusOf(s().core.deleteNamespace({ name: victim, dryRun: 'All' }));
    expect(ns.code, ns.message).to.equal(403);
    expect(ns.message).to.include(NAMESPACE_MESSAGE);
    const svc = await statusOf(
      s().core.createNamespacedService({
        namespace: victim,
        dryRun: 'All',
        body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } },
      }),
    );
    expect(svc.code, svc.message).to.equal(403);
    expect(svc.message).to.include(POLICY_MESSAGE);
    const client = await statusOf(
      s().core.createNamespacedPod({
        namespace: victim,
        dryRun: 'All',
        body: { metadata: { name: 'ordinal-traffic' }, spec: { containers: [{ name: 'c', image: 'docker.io/library/busybox:1.35.0' }] } },
      }),
    );
    expect(client.code, client.message).to.equal(403);
    expect(client.message).to.include(POLICY_MESSAGE);
    const unlabelled = await statusOf(s().core.createNamespace({ dryRun: 'All', body: { metadata: { name: `${victim}-2` } } }));
    expect(unlabelled.code, unlabelled.message).to.equal(403);
  });

  escapeCases(() => ({ admin: a(), sa: s(), victim }));

  it('--target: needs the ordinal-target RoleBinding, the namespace label and the StatefulSet listed in its annotation, then a full run passes as the ServiceAccount', async function () {
    this.timeout(300_000);
    const ns = `ordinal-rbac-target-${Date.now().toString(36)}`;
    const target = [
      'run',
      '--target',
      `${ns}/${TARGET_STS}`,
      '--seed',
      '42',
      '--rounds',
      '1',
      '--dns-budget',
      '20',
      '--kubeconfig',
      saKubeconfig,
    ];
    await createTargetNamespace(a(), ns, true);
    try {
      // No RoleBinding yet: the cluster-wide rules do not cover the target's Service.
      const r0 = await runCli([...target, '--report-dir', tempDir('rbac-target0')], { env: { KUBECONFIG: undefined } });
      expect(r0.code, show(r0)).to.equal(2);
      expect(r0.stderr, show(r0)).to.match(/cannot read Service .*403.*ClusterRole ordinal-target/);
      await a()
        .kc.makeApiClient(k8s.RbacAuthorizationV1Api)
        .createNamespacedRoleBinding({
          namespace: ns,
          body: {
            metadata: { name: 'ordinal-target' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ordinal-target' },
            subjects: [{ kind: 'ServiceAccount', name: SA.name, namespace: SA.namespace }],
          },
        });
      // RBAC now allows a pod delete there, but the namespace is not labelled: the policy refuses.
      const early = await statusOf(s().core.deleteNamespacedPod({ name: `${TARGET_STS}-0`, namespace: ns, dryRun: 'All' }));
      expect(early.code, early.message).to.equal(403);
      expect(early.message).to.include(POLICY_MESSAGE);
      await a().core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'bare' },
          spec: { containers: [{ name: 'c', image: 'docker.io/library/busybox:1.35.0', command: ['sleep', '3600'] }] },
        },
      });
      await a().core.patchNamespace({ name: ns, body: [{ op: 'add', path: '/metadata/labels/ordinal.dev~1chaos', value: 'allowed' }] });
      // The label alone opens nothing: the owner must also list the StatefulSets.
      const unlisted = await statusOf(s().core.deleteNamespacedPod({ name: `${TARGET_STS}-0`, namespace: ns, dryRun: 'All' }));
      expect(unlisted.code, `labelled but no ordinal.dev/chaos-statefulsets: ${unlisted.message}`).to.equal(403);
      const annotate = (list: string) =>
        a().core.patchNamespace({
          name: ns,
          body: [{ op: 'add', path: '/metadata/annotations', value: { 'ordinal.dev/chaos-statefulsets': list } }],
        });
      const deleteStore0 = () => statusOf(s().core.deleteNamespacedPod({ name: `${TARGET_STS}-0`, namespace: ns, dryRun: 'All' }));
      /** Polls the dry-run delete until it answers `code`: the policy reads the namespace from a cache. */
      const until = async (code: number): Promise<{ code: number; message: string }> => {
        const deadline = Date.now() + 30_000;
        let r = await deleteStore0();
        while (r.code !== code && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, 500));
          r = await deleteStore0();
        }
        return r;
      };
      await annotate(`other, ${TARGET_STS}`);
      const owned = await until(200);
      expect(owned.code, `labelled namespace, listed StatefulSet's pod: ${owned.message}`).to.equal(200);
      // The owner takes the StatefulSet off the list: refused again, delete and exec alike.
      await annotate('other');
      const revoked = await until(403);
      expect(revoked.code, `only another StatefulSet listed: ${revoked.message}`).to.equal(403);
      expect(await execStatus(s(), ns, `${TARGET_STS}-0`, 'store'), 'no exec into a pod of an unlisted StatefulSet').to.match(/\b403\b/);
      await annotate(TARGET_STS);
      expect((await until(200)).code, 'listed again').to.equal(200);
      const bare = await statusOf(s().core.deleteNamespacedPod({ name: 'bare', namespace: ns, dryRun: 'All' }));
      expect(bare.code, 'a pod no StatefulSet controls stays protected').to.equal(403);
      const bareExec = await execStatus(s(), ns, 'bare', 'c');
      expect(bareExec, 'no exec into a pod not named like an ordinal of a listed StatefulSet').to.match(/\b403\b/);
      const write = await statusOf(s().core.createNamespacedConfigMap({ namespace: ns, dryRun: 'All', body: { metadata: { name: 'x' } } }));
      expect(write.code, 'no other write in the target namespace').to.equal(403);
      // RBAC grants StatefulSet updates (the update phase, in run namespaces); the target's own is refused.
      const sts = await a().apps.readNamespacedStatefulSet({ name: TARGET_STS, namespace: ns });
      const update = await statusOf(s().apps.replaceNamespacedStatefulSet({ name: TARGET_STS, namespace: ns, dryRun: 'All', body: sts }));
      expect(update.code, 'the target StatefulSet cannot be updated').to.equal(403);
      expect(update.message).to.include(POLICY_MESSAGE);

      const reports = tempDir('rbac-target');
      const r = await runCli([...target, '--report-dir', reports], { env: { KUBECONFIG: undefined } });
      expect(r.code, show(r)).to.equal(0);
      const res = JSON.parse(readFileSync(path.join(reports, runIdOf(r.stdout), 'results.json'), 'utf8')) as RunResult;
      expect(res.summary).to.include({ failed: 0, error: 0 });
      expect(res.checks.filter((c) => c.status === 'passed').map((c) => c.id)).to.include.members([
        'STS-RECOVERY',
        'STS-IDENTITY',
        'STS-DNS-A',
        'STS-DNS-SRV',
        'STS-PVC-BINDING',
        'STS-DATA-SENTINEL',
      ]);
    } finally {
      await deleteTargetNamespace(a(), ns);
    }
  });

  // Last, because it narrows the manifest's kube-system Role (after() deletes it anyway).
  it('without pods/portforward in kube-system: exit 2 naming the port-forward, before any chaos', async function () {
    this.timeout(180_000);
    await a()
      .kc.makeApiClient(k8s.RbacAuthorizationV1Api)
      .replaceNamespacedRole({
        name: 'ordinal-dns-probe',
        namespace: 'kube-system',
        body: {
          metadata: { name: 'ordinal-dns-probe', namespace: 'kube-system' },
          rules: [
            { apiGroups: [''], resources: ['services'], resourceNames: ['kube-dns'], verbs: ['get'] },
            { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
          ],
        },
      });
    const r = await runCli(['run', '--seed', '42', '--kubeconfig', saKubeconfig, '--report-dir', tempDir('rbac-nopf')], {
      env: { KUBECONFIG: undefined },
    });
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr, show(r)).to.match(/port-forward to kube-system\/\S+ get no answer.*403/);
    expect(r.stderr).to.include('pods/portforward');
    expect(r.stdout, 'no chaos round may start without a working DNS probe').to.not.include('round 1/');
    await waitRunNamespacesGone(a(), runIdOf(r.stdout));
  });
});
