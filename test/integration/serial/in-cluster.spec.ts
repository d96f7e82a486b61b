// Ordinal inside the cluster, as examples/in-cluster/ runs it: the image from
// `npm run image` imported into the local cluster's containerd (as cluster/scripts/images.sh
// imports), examples/rbac.yaml, the reports claim and the Job applied, the Job's pod
// talking to the API server with its ServiceAccount alone (no kubeconfig), and the
// report read back from the claim by a second pod. Needs the built-in local cluster.
//
// The manifests are applied as written except for their names: ordinal-system and the
// cluster-scoped objects get a per-test suffix, so a real ordinal-system on this cluster
// (or the RBAC spec's) is never touched and everything is removed afterwards.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { describeError, httpStatus } from '../../../lib/errors.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import { NO_CLUSTER, ROOT, connectTestCluster, waitRunNamespacesGone } from '../helpers.ts';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = `ghcr.io/ordinal-sts/ordinal:${VERSION}`;
const READER_IMAGE = 'docker.io/library/busybox:1.35.0'; // preloaded by cluster:up
const suffix = `it-${Date.now().toString(36)}`;
const NS = `ordinal-system-${suffix}`;
const JOB_TIMEOUT_MS = 150_000;

/** The example manifests with their names made unique to this test run. */
function manifests(...files: string[]): k8s.KubernetesObject[] {
  return files.flatMap((f) => {
    const text = readFileSync(path.join(ROOT, 'examples', f), 'utf8')
      .replaceAll('ordinal-system', NS)
      .replaceAll('name: ordinal-harness', `name: ordinal-harness-${suffix}`)
      .replaceAll('policyName: ordinal-harness', `policyName: ordinal-harness-${suffix}`)
      .replaceAll('name: ordinal-dns-probe', `name: ordinal-dns-probe-${suffix}`);
    return k8s.loadAllYaml(text) as k8s.KubernetesObject[];
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('examples/in-cluster manifests', function () {
  it('the example manifests use the image tag of this package version', function () {
    for (const f of ['job.yaml', 'cronjob.yaml']) {
      const text = readFileSync(path.join(ROOT, 'examples', 'in-cluster', f), 'utf8');
      const images = [...text.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
      expect(images, f).to.have.length(2);
      for (const i of images) expect(i, f).to.equal(IMAGE);
    }
    const cron = manifests('in-cluster/cronjob.yaml')[0] as k8s.V1CronJob;
    expect(cron.spec?.schedule).to.equal('0 3 * * *');
    expect(cron.spec?.jobTemplate.spec?.template.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName).to.equal('ordinal-reports');
  });
});

describe('Ordinal in the cluster: image, examples/in-cluster Job, report on the claim (integration, local cluster)', function () {
  let cluster: Cluster | undefined;
  const applied: k8s.KubernetesObject[] = [];
  const c = (): Cluster =>
    cluster ??
    (() => {
      throw new Error(NO_CLUSTER);
    })();

  before(async function () {
    this.timeout(300_000);
    cluster = await connectTestCluster();
    // Builds the image if its content changed (~25 s), else reuses the cached tarball;
    // then imports it into the local cluster's containerd.
    const r = spawnSync('bash', [path.join(ROOT, 'cluster', 'scripts', 'ordinal-image.sh'), '--import'], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    if (r.status !== 0) throw new Error(`npm run image -- --import failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  });

  after(async function () {
    this.timeout(120_000);
    if (!cluster) return;
    const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kc);
    for (const o of [...applied].reverse()) {
      await api.delete(o, undefined, undefined, undefined, undefined, 'Background').catch((e: unknown) => {
        if (httpStatus(e) !== 404) throw e;
      });
    }
  });

  it('the Job completes with a PASSED run as the ServiceAccount, and its report is on the claim', async function () {
    this.timeout(JOB_TIMEOUT_MS + 90_000);
    const api = k8s.KubernetesObjectApi.makeApiClient(c().kc);
    for (const o of manifests('rbac.yaml', 'in-cluster/reports-pvc.yaml', 'in-cluster/job.yaml')) {
      await api.patch(o, undefined, undefined, 'ordinal-in-cluster-test', true, k8s.PatchStrategy.ServerSideApply);
      applied.push(o);
    }
    const batch = c().kc.makeApiClient(k8s.BatchV1Api);

    // The Job: Complete or Failed, bounded; on a timeout say what the pod was doing.
    const started = Date.now();
    let job: k8s.V1Job | undefined;
    for (;;) {
      job = await batch.readNamespacedJob({ name: 'ordinal-run', namespace: NS });
      const done = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
      if (done) break;
      if (Date.now() - started > JOB_TIMEOUT_MS)
        throw new Error(`Job ordinal-run not finished after ${JOB_TIMEOUT_MS / 1000}s: ${await podState(c(), NS)}`);
      await sleep(2000);
    }
    const pods = await c().core.listNamespacedPod({ namespace: NS, labelSelector: 'job-name=ordinal-run' });
    const pod = pods.items[0]?.metadata?.name;
    if (!pod) throw new Error(`no pod of Job ordinal-run: ${await podState(c(), NS)}`);
    const logs = await c().core.readNamespacedPodLog({ name: pod, namespace: NS, container: 'ordinal' });
    const ms = Date.now() - started;
    expect(
      job.status?.succeeded,
      `Job ordinal-run after ${(ms / 1000).toFixed(0)}s: ${JSON.stringify(job.status?.conditions)}\n--- logs\n${logs}`,
    ).to.equal(1);
    expect(logs).to.match(/cluster v\S+ at https:\/\/\S+ \(context inClusterContext; in-cluster service account\)/);
    expect(logs).to.match(/\] PASSED: \d+ passed, 0 failed, 0 error/);
    const runId = /\] run (\S+): /.exec(logs)?.[1];
    if (!runId) throw new Error(`no "run <id>:" line in the Job's log:\n${logs}`);
    await waitRunNamespacesGone(c(), runId, 60_000);

    // Read the report back from the claim with a pod that mounts it.
    const reader = `report-reader-${suffix}`;
    const body: k8s.V1Pod = {
      metadata: { name: reader, namespace: NS },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'cat',
            image: READER_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: [
              'sh',
              '-c',
              'ls /reports/latest/ && echo ---- && readlink /reports/latest && echo ---- && cat /reports/latest/results.json',
            ],
            volumeMounts: [{ name: 'reports', mountPath: '/reports', readOnly: true }],
          },
        ],
        volumes: [{ name: 'reports', persistentVolumeClaim: { claimName: 'ordinal-reports' } }],
      },
    };
    await c().core.createNamespacedPod({ namespace: NS, body });
    const readStart = Date.now();
    for (;;) {
      const p = await c().core.readNamespacedPod({ name: reader, namespace: NS });
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') break;
      if (Date.now() - readStart > 60_000) throw new Error(`reader pod not finished after 60s: ${await podState(c(), NS)}`);
      await sleep(1000);
    }
    const out = await c().core.readNamespacedPodLog({ name: reader, namespace: NS });
    const [listing = '', latest = '', json = ''] = out.split('----\n');
    expect(listing.split('\n').filter(Boolean), out).to.include.members(['index.html', 'junit.xml', 'results.json']);
    expect(latest.trim()).to.equal(runId);
    let result: RunResult;
    try {
      result = JSON.parse(json) as RunResult;
    } catch (err) {
      throw new Error(`results.json on the claim is not JSON (${describeError(err)}):\n${out}`);
    }
    expect(result.runId).to.equal(runId);
    expect(result.error).to.equal(undefined);
    expect(result.summary.failed + result.summary.error, JSON.stringify(result.summary)).to.equal(0);
    expect(result.summary.passed).to.be.greaterThan(0);
    expect(result.cluster.context).to.equal('inClusterContext');
  });
});

/** Pods of the namespace with phase, container states and the last events: what a timeout saw. */
async function podState(cluster: Cluster, namespace: string): Promise<string> {
  try {
    const pods = await cluster.core.listNamespacedPod({ namespace });
    const events = await cluster.core.listNamespacedEvent({ namespace });
    const p = pods.items.map((x) => {
      const cs = [...(x.status?.initContainerStatuses ?? []), ...(x.status?.containerStatuses ?? [])].map(
        (s) =>
          `${s.name}=${s.state?.waiting?.reason ?? (s.state?.terminated ? `terminated(${s.state.terminated.exitCode})` : s.state?.running ? 'running' : '?')}`,
      );
      return `${x.metadata?.name} ${x.status?.phase} [${cs.join(', ')}]`;
    });
    const e = events.items.slice(-8).map((x) => `${x.involvedObject.kind}/${x.involvedObject.name}: ${x.reason} ${x.message ?? ''}`);
    return `pods: ${p.join('; ') || '(none)'}; last events: ${e.join(' | ') || '(none)'}`;
  } catch (err) {
    return `(could not list pods: ${describeError(err)})`;
  }
}
