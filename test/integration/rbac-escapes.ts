// The escapes issue #14 item 11 names, each tried AS examples/rbac.yaml's ServiceAccount
// on the real cluster: a namespace of another name, a run-named one with Pod Security
// `privileged` (or other labels), a privileged / hostPath / host-network pod, deleting a
// namespace that is not a run's, and reading ConfigMaps or pod logs outside run
// namespaces. Each refusal has an allowed twin, so a policy refusing everything fails.
// Writes are dry runs, except the run namespace the account creates and deletes itself.
import {
  RbacAuthorizationV1Api,
  type V1Namespace,
  type V1Pod,
  type V1RoleBinding,
  type V1Service,
  type V1ServiceSpec,
  type V1StatefulSet,
  type RbacV1Subject,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { LABELS_MESSAGE, NAMESPACE_MESSAGE, POLICY_MESSAGE, SA, fakeRunId, statusOf } from './rbac-helpers.ts';

const IMAGE = 'docker.io/library/busybox:1.35.0';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SHAPE_MESSAGE = 'the ordinal ServiceAccount may not create';
const runLabels = (runId: string): Record<string, string> => ({ 'app.kubernetes.io/managed-by': 'ordinal', 'ordinal.dev/run-id': runId });
const nsBody = (name: string, labels: Record<string, string>, annotations?: Record<string, string>): V1Namespace => ({
  metadata: { name, labels, ...(annotations ? { annotations } : {}) },
});

function pod(shape: (p: V1Pod) => void = () => undefined): V1Pod {
  const p: V1Pod = { metadata: { name: 'escape' }, spec: { containers: [{ name: 'c', image: IMAGE, command: ['sleep', '1'] }] } };
  shape(p);
  return p;
}

const container = (p: V1Pod) => p.spec!.containers[0]!;
const ESCAPE_PODS: [string, (p: V1Pod) => void][] = [
  [
    'privileged',
    (p) => {
      container(p).securityContext = { privileged: true };
    },
  ],
  [
    'hostPath /',
    (p) => {
      p.spec!.volumes = [{ name: 'root', hostPath: { path: '/' } }];
      container(p).volumeMounts = [{ name: 'root', mountPath: '/host' }];
    },
  ],
  [
    'hostNetwork',
    (p) => {
      p.spec!.hostNetwork = true;
    },
  ],
  [
    'hostPID',
    (p) => {
      p.spec!.hostPID = true;
    },
  ],
  [
    'CAP_SYS_ADMIN',
    (p) => {
      container(p).securityContext = { capabilities: { add: ['SYS_ADMIN'] } };
    },
  ],
  [
    'hostPort',
    (p) => {
      container(p).ports = [{ containerPort: 80, hostPort: 8080 }];
    },
  ],
  [
    'unconfined seccomp',
    (p) => {
      p.spec!.securityContext = { seccompProfile: { type: 'Unconfined' } };
    },
  ],
];

function statefulSet(template: V1Pod, claim?: { volumeName: string }): V1StatefulSet {
  return {
    metadata: { name: 'escape' },
    spec: {
      serviceName: 'escape',
      selector: { matchLabels: { app: 'escape' } },
      template: { metadata: { labels: { app: 'escape' } }, spec: template.spec! },
      ...(claim
        ? {
            volumeClaimTemplates: [
              { metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } }, ...claim } },
            ],
          }
        : {}),
    },
  };
}

export function escapeCases(ctx: () => { admin: Cluster; sa: Cluster; victim: string }): void {
  const runId = fakeRunId(1);
  const runNs = `ordinal-${runId}`;
  // Named and labelled like a run, but with `enforce: privileged` (only an admin can
  // make it): Pod Security would admit anything here, the pod-shapes policy must not.
  const privId = fakeRunId(2);
  const privNs = `ordinal-${privId}`;
  // The labels of a run copied onto a namespace of another name (issue #14 item 13).
  const lookalike = `payments-prod-${privId.slice(-4)}`;

  before(async function () {
    this.timeout(30_000);
    const { admin } = ctx();
    await admin.core.createNamespace({
      body: nsBody(privNs, { ...runLabels(privId), 'pod-security.kubernetes.io/enforce': 'privileged' }),
    });
    await admin.core.createNamespace({ body: nsBody(lookalike, runLabels(runId)) });
    // A policy takes effect a moment after it is applied; judge nothing before.
    const deadline = Date.now() + 20_000;
    let seen = await statusOf(ctx().sa.core.createNamespacedPod({ namespace: privNs, body: pod(ESCAPE_PODS[0]![1]), dryRun: 'All' }));
    while (seen.code !== 403 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      seen = await statusOf(ctx().sa.core.createNamespacedPod({ namespace: privNs, body: pod(ESCAPE_PODS[0]![1]), dryRun: 'All' }));
    }
  });

  after(async function () {
    this.timeout(30_000);
    const { admin } = ctx();
    for (const name of [privNs, lookalike, runNs]) await admin.core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('creates only namespaces named ordinal-<run-id> with exactly Ordinal labels and Pod Security baseline (403 otherwise)', async function () {
    const { sa } = ctx();
    const good = { ...runLabels(runId), 'pod-security.kubernetes.io/enforce': 'baseline' };
    const refused: [string, V1Namespace, string][] = [
      ['another name', nsBody(`payments-${runId}`, good), NAMESPACE_MESSAGE],
      ['a run name with another run ID', nsBody(runNs, { ...good, 'ordinal.dev/run-id': privId }), NAMESPACE_MESSAGE],
      ['enforce: privileged', nsBody(runNs, { ...good, 'pod-security.kubernetes.io/enforce': 'privileged' }), LABELS_MESSAGE],
      ['no Pod Security label', nsBody(runNs, runLabels(runId)), LABELS_MESSAGE],
      ['an extra label', nsBody(runNs, { ...good, 'pod-security.kubernetes.io/warn-version': 'v1.0' }), LABELS_MESSAGE],
      ['an annotation', nsBody(runNs, good, { 'scheduler.alpha.kubernetes.io/node-selector': 'kubernetes.io/hostname=x' }), LABELS_MESSAGE],
    ];
    for (const [what, body, message] of refused) {
      const r = await statusOf(sa.core.createNamespace({ body, dryRun: 'All' }));
      expect(r.code, `${what}: ${r.message}`).to.equal(403);
      expect(r.message, what).to.include(message);
    }
    const ok = await statusOf(sa.core.createNamespace({ body: nsBody(runNs, good) }));
    expect(ok.code, `the run namespace itself: ${ok.message}`).to.equal(200);
  });

  it('creates no pod in a shape Ordinal never makes, even where Pod Security is privileged (403)', async function () {
    const { admin, sa } = ctx();
    for (const ns of [runNs, privNs]) {
      const plain = await statusOf(sa.core.createNamespacedPod({ namespace: ns, body: pod(), dryRun: 'All' }));
      expect(plain.code, `a plain pod in ${ns}: ${plain.message}`).to.equal(200);
      for (const [what, shape] of ESCAPE_PODS) {
        const r = await statusOf(sa.core.createNamespacedPod({ namespace: ns, body: pod(shape), dryRun: 'All' }));
        expect(r.code, `${what} pod in ${ns}: ${r.message}`).to.equal(403);
        expect(r.message, what).to.match(ns === privNs ? /may not create/ : /may not create|violates PodSecurity/);
        const s = await statusOf(sa.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet(pod(shape)), dryRun: 'All' }));
        expect(s.code, `a StatefulSet with a ${what} template in ${ns}: ${s.message}`).to.equal(403);
        expect(s.message, what).to.include(SHAPE_MESSAGE);
      }
    }
    const admitted = await statusOf(admin.core.createNamespacedPod({ namespace: privNs, body: pod(ESCAPE_PODS[0]![1]), dryRun: 'All' }));
    expect(admitted.code, `an admin's privileged pod in ${privNs}: only the policy stopped the account`).to.equal(200);
    const psa = await statusOf(admin.core.createNamespacedPod({ namespace: runNs, body: pod(ESCAPE_PODS[0]![1]), dryRun: 'All' }));
    expect(psa.code, `an admin's privileged pod in the run namespace: Pod Security baseline refuses it (${psa.message})`).to.equal(403);
    expect(psa.message).to.include('violates PodSecurity "baseline');
    const picked = await statusOf(
      sa.apps.createNamespacedStatefulSet({ namespace: runNs, body: statefulSet(pod(), { volumeName: 'some-pv' }), dryRun: 'All' }),
    );
    expect(picked.code, `a claim template naming a PersistentVolume: ${picked.message}`).to.equal(403);
    const fresh = await statusOf(
      sa.apps.createNamespacedStatefulSet({ namespace: runNs, body: statefulSet(pod(), undefined), dryRun: 'All' }),
    );
    expect(fresh.code, `a plain StatefulSet in the run namespace: ${fresh.message}`).to.equal(200);
  });

  it('binds only ordinal-run-reader, only to itself, only in a run namespace (403 otherwise)', async function () {
    this.timeout(20_000);
    const { sa } = ctx();
    const binding = (roleRef: string, subject: RbacV1Subject): V1RoleBinding => ({
      metadata: { name: 'ordinal-run-reader' },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleRef },
      subjects: [subject],
    });
    const self: RbacV1Subject = { kind: 'ServiceAccount', name: SA.name, namespace: SA.namespace };
    const rbac = sa.kc.makeApiClient(RbacAuthorizationV1Api);
    const refused: [string, string, V1RoleBinding, RegExp][] = [
      ['outside a run namespace', lookalike, binding('ordinal-run-reader', self), /may only write in its run namespaces/],
      [
        'for another subject',
        runNs,
        binding('ordinal-run-reader', { kind: 'ServiceAccount', name: 'default', namespace: runNs }),
        /may only bind ClusterRole ordinal-run-reader, to itself/,
      ],
      ['to cluster-admin', runNs, binding('cluster-admin', self), /forbidden/i],
      ['to ordinal-harness', runNs, binding('ordinal-harness', self), /forbidden/i],
    ];
    for (const [what, namespace, body, message] of refused) {
      const r = await statusOf(rbac.createNamespacedRoleBinding({ namespace, body, dryRun: 'All' }));
      expect(r.code, `${what}: ${r.message}`).to.equal(403);
      expect(r.message, what).to.match(message);
    }
    const before = await statusOf(sa.core.listNamespacedPod({ namespace: runNs }));
    expect(before.code, `pods of the run namespace before the RoleBinding: ${before.message}`).to.equal(403);
    const ok = await statusOf(rbac.createNamespacedRoleBinding({ namespace: runNs, body: binding('ordinal-run-reader', self) }));
    expect(ok.code, ok.message).to.equal(200);
    const deadline = Date.now() + 10_000;
    let after = await statusOf(sa.core.listNamespacedPod({ namespace: runNs }));
    while (after.code !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = await statusOf(sa.core.listNamespacedPod({ namespace: runNs }));
    }
    expect(after.code, `pods of the run namespace after it: ${after.message}`).to.equal(200);
  });

  it('creates only ClusterIP or headless Services, without externalIPs (403 otherwise)', async function () {
    const { sa } = ctx();
    const svc = (spec: V1ServiceSpec): V1Service => ({ metadata: { name: 'escape' }, spec: { ports: [{ port: 80 }], ...spec } });
    const refused: [string, V1ServiceSpec][] = [
      ['externalIPs', { externalIPs: ['10.96.0.10'] }],
      ['NodePort', { type: 'NodePort' }],
      ['LoadBalancer', { type: 'LoadBalancer' }],
      ['ExternalName', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }],
    ];
    for (const [what, spec] of refused) {
      const r = await statusOf(sa.core.createNamespacedService({ namespace: privNs, body: svc(spec), dryRun: 'All' }));
      expect(r.code, `${what}: ${r.message}`).to.equal(403);
      expect(r.message, what).to.include('may only create ClusterIP or headless Services');
    }
    const headless = await statusOf(
      sa.core.createNamespacedService({ namespace: privNs, body: svc({ clusterIP: 'None' }), dryRun: 'All' }),
    );
    expect(headless.code, `a headless Service: ${headless.message}`).to.equal(200);
  });

  it('writes nothing in a namespace carrying copied run labels, and deletes only run namespaces (403)', async function () {
    const { sa, victim } = ctx();
    const svc = await statusOf(
      sa.core.createNamespacedService({
        namespace: lookalike,
        dryRun: 'All',
        body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } },
      }),
    );
    expect(svc.code, svc.message).to.equal(403);
    expect(svc.message).to.include(POLICY_MESSAGE);
    // (default and kube-system are immortal to the API server anyway.)
    for (const name of [lookalike, victim, 'ordinal-system']) {
      const r = await statusOf(sa.core.deleteNamespace({ name, dryRun: 'All' }));
      expect(r.code, `delete ${name}: ${r.message}`).to.equal(403);
      expect(r.message).to.include(NAMESPACE_MESSAGE);
    }
    const own = await statusOf(sa.core.deleteNamespace({ name: runNs }));
    expect(own.code, `delete its own run namespace ${runNs}: ${own.message}`).to.equal(200);
  });

  it('reads no ConfigMap and no pod log outside what a run uses (403)', async function () {
    const { admin, sa } = ctx();
    const dnsPod = (await admin.core.listNamespacedPod({ namespace: 'kube-system' })).items[0]?.metadata?.name ?? '';
    const refused: [string, () => Promise<unknown>][] = [
      ['list ConfigMaps in all namespaces', () => sa.core.listConfigMapForAllNamespaces()],
      ['list ConfigMaps in kube-system', () => sa.core.listNamespacedConfigMap({ namespace: 'kube-system' })],
      ['read kube-system/coredns', () => sa.core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' })],
      [`read the log of kube-system/${dnsPod}`, () => sa.core.readNamespacedPodLog({ name: dnsPod, namespace: 'kube-system' })],
      ['list pods in all namespaces', () => sa.core.listPodForAllNamespaces()],
      ['list pods in default', () => sa.core.listNamespacedPod({ namespace: 'default' })],
      ['list pods of a namespace with copied run labels', () => sa.core.listNamespacedPod({ namespace: lookalike })],
    ];
    for (const [what, call] of refused) {
      const r = await statusOf(call());
      expect(r.code, `${what}: ${r.message}`).to.equal(403);
    }
    // The canary's own name is readable (404 here: RBAC let the request through).
    const canary = await statusOf(sa.core.readNamespacedConfigMap({ name: 'ordinal-canary', namespace: privNs }));
    expect(canary.code, canary.message).to.equal(404);
    const watchCanary = await statusOf(
      sa.core.listNamespacedConfigMap({ namespace: privNs, fieldSelector: 'metadata.name=ordinal-canary' }),
    );
    expect(watchCanary.code, `list field-selected to the canary: ${watchCanary.message}`).to.equal(200);
  });
}
