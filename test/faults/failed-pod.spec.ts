// STS-RECOVERY and a pod the kubelet ends itself. During round 1, which deletes web-0,
// the hook sets spec.activeDeadlineSeconds=1 on web-1 (a field the API lets anyone who may
// update the pod add): the kubelet's active-deadline handler then marks web-1 Failed
// (reason DeadlineExceeded) and kills its containers, and the StatefulSet controller
// deletes and recreates it, as it should. web-1 was not killed by the run, but its
// replacement has a cause the check must name instead of failing it.
//
// Why not an eviction under node pressure or over an ephemeral-storage limit, the usual
// way a kubelet fails a pod: the local cluster's eviction manager has no filesystem stats
// ("no imagefs label for configured runtime" in its log), so 64 MiB written over a 16Mi
// container limit, or 32 MiB into an emptyDir with sizeLimit 8Mi, left the pod Running
// for 120-150 s. The deadline is the kubelet's own way to end a pod, on the real node.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { at, evidenceText, expectCheck, expectExit, faultRun, seedKilling, waitUntil } from './support.ts';

const seed = seedKilling('web', ['web-0'], 'delete');
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

faultRun(
  'fault: the kubelet marks web-1 Failed (activeDeadlineSeconds) during a round that deletes web-0',
  {
    argv: ['--rounds', '1', '--seed', String(seed), '--chaos', 'delete', '--timeout', '120'],
    hook: at(
      'before-kills',
      async (ctx) => {
        const namespace = ctx.workload.info.namespace;
        const before = await ctx.cluster.core.readNamespacedPod({ name: 'web-1', namespace });
        const uid = before.metadata?.uid;
        const body = [
          { op: 'test', path: '/metadata/uid', value: uid },
          { op: 'add', path: '/spec/activeDeadlineSeconds', value: 1 },
        ];
        await ctx.cluster.core.patchNamespacedPod({ name: 'web-1', namespace, body }, jsonPatch);
        ctx.log(`fault: web-1 (uid ${uid}) given activeDeadlineSeconds=1`);
        // The round's deletion goes out only once the kubelet has ended web-1 (or the controller already replaced it).
        await waitUntil('web-1 to be marked Failed by the kubelet', 60_000, async () => {
          const p = await ctx.cluster.core.readNamespacedPod({ name: 'web-1', namespace }).catch(() => undefined);
          const ok = p?.status?.phase === 'Failed' || (p !== undefined && p.metadata?.uid !== uid);
          return { ok, seen: p ? `uid ${p.metadata?.uid} phase ${p.status?.phase} reason ${p.status?.reason ?? '-'}` : 'no pod web-1' };
        });
        ctx.log('fault: web-1 ended by the kubelet');
      },
      1,
    ),
    summary: () => `seed ${seed}`,
  },
  (t) => {
    it('STS-RECOVERY passes and names the cause: the kubelet marked web-1 Failed (DeadlineExceeded) and the controller replaced it', function () {
      const c = expectCheck(t.run, 'STS-RECOVERY', 'passed', 'pod web-1');
      expect(c.message).to.include('no other pod was replaced but those the kubelet marked Failed first: web-1 (Failed: DeadlineExceeded)');
      const note = c.evidence.find((e) => e.subject === 'pod web-1' && e.note === 'ended by the kubelet, not replaced without cause');
      expect(note?.observed, evidenceText(c)).to.match(
        /^uid \S+ not killed by the run: the kubelet marked it Failed: DeadlineExceeded at t=[\d.]+ms \(.*deadline.*\); the controller replaced it with uid \S+/i,
      );
    });

    it('web-0, the pod the round deleted, was replaced as planned', function () {
      const c = expectCheck(t.run, 'STS-RECOVERY', 'passed', 'pod web-0');
      expect(c.evidence.find((e) => e.subject === 'pod web-0')?.observed).to.match(/killed \(delete\); replaced by uid/);
    });

    it("no check fails or errs over the kubelet's doing, and the run exits 0", function () {
      const failing = t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => `${c.id}: ${c.message}`);
      expect(failing).to.deep.equal([]);
      expectExit(t.run, 0);
    });
  },
);
