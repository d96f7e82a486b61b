// STS-RECOVERY and a pod the kubelet ends itself. The StatefulSet (the web sample's shape,
// deployed with --manifest) limits its container's ephemeral storage to 16Mi; during round
// 1, which deletes web-0, the hook writes 64 MiB into web-1's container filesystem. The
// kubelet's eviction manager evicts web-1 for exceeding the limit (phase Failed, reason
// Evicted), and the controller deletes and recreates it, as it should: web-1 was not
// killed, but its replacement has a cause the check must name instead of failing it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import { execIn } from '../../lib/probes/exec.ts';
import { DEFAULT_IMAGE } from '../../lib/workloads/common.ts';
import { tempDir } from '../integration/helpers.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, waitUntil } from './support.ts';

const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: web, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: ${DEFAULT_IMAGE}
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'trap "exit 0" TERM; hostname > /usr/share/nginx/html/index.html; httpd -f -p 80 -h /usr/share/nginx/html & wait']
          ports: [{name: web, containerPort: 80}]
          readinessProbe: {httpGet: {path: /index.html, port: 80}, periodSeconds: 1, failureThreshold: 1}
          resources: {limits: {ephemeral-storage: 16Mi}}
          volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
    - metadata: {name: www}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;

/** The first seed whose round 1 deletes web-0 only. */
function deletingWeb0(): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const r = planRounds({ seed, statefulSet: 'web', replicas: 3, rounds: 1, actions: ['delete'] })[0];
    if (r?.kills.map((k) => k.pod).join(',') === 'web-0') return seed;
  }
  throw new Error('no seed below 100000 deletes only web-0 in round 1');
}
const seed = deletingWeb0();
let manifest = '';

faultRun('fault: the kubelet evicts web-1 for exceeding its ephemeral-storage limit during a round that deletes web-0', {
  argv: () => ['--manifest', manifest, '--rounds', '1', '--seed', String(seed), '--chaos', 'delete', '--timeout', '180'],
  setup: () => {
    manifest = path.join(tempDir('failed-pod'), 'web-ephemeral.yaml');
    writeFileSync(manifest, MANIFEST);
    return Promise.resolve();
  },
  hook: at('before-kills', async (ctx) => {
    const namespace = ctx.workload.info.namespace;
    // /tmp is the container's writable layer, counted against its ephemeral-storage limit.
    const r = await execIn(ctx.cluster, namespace, 'web-1', 'web', ['sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; sync']);
    ctx.log(`fault: wrote 64 MiB into web-1's container filesystem (exit ${r.exitCode}): ${r.stdout.trim().split('\n').at(-1) ?? ''}`);
    // The eviction manager looks every 10 s; the round's deletion goes out only once web-1 is Failed.
    await waitUntil('web-1 to be marked Failed by the kubelet', 120_000, async () => {
      const p = await ctx.cluster.core.readNamespacedPod({ name: 'web-1', namespace });
      return { ok: p.status?.phase === 'Failed', seen: `phase ${p.status?.phase} reason ${p.status?.reason ?? '-'}: ${p.status?.message ?? ''}` };
    });
    ctx.log('fault: web-1 marked Failed by the kubelet');
  }, 1),
  summary: () => `seed ${seed}`,
}, (t) => {
  it('STS-RECOVERY passes and names the cause: the kubelet marked web-1 Failed (Evicted) and the controller replaced it', function () {
    const c = expectCheck(t.run, 'STS-RECOVERY', 'passed', 'pod web-1');
    expect(c.message).to.include('; replaced after the kubelet marked them Failed: web-1 (Failed: Evicted)');
    const note = c.evidence.find((e) => e.subject === 'pod web-1' && e.note === 'ended by the kubelet, not replaced without cause');
    expect(note?.observed, evidenceText(c)).to.match(/^uid \S+ not killed by the run: the kubelet marked it Failed: Evicted at t=[\d.]+ms \(.*ephemeral.*\); the controller replaced it with uid \S+/i);
  });

  it('web-0, the pod the round deleted, was replaced as planned', function () {
    const c = expectCheck(t.run, 'STS-RECOVERY', 'passed', 'pod web-0');
    expect(c.evidence.find((e) => e.subject === 'pod web-0')?.observed).to.match(/killed \(delete\); replaced by uid/);
  });

  it('exits with the other checks\' verdict, never failing STS-RECOVERY', function () {
    const failing = t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => `${c.id}: ${c.message}`);
    console.log(`      other checks not passed: ${failing.join('; ') || 'none'}`);
    expect(failing.some((f) => f.startsWith('STS-RECOVERY'))).to.equal(false);
    expectExit(t.run, failing.length > 0 ? 1 : 0);
  });
});
