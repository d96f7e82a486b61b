// The --target kill guard on the real cluster: just before round 1 would kill store-1,
// the hook relabels that pod so it no longer matches the StatefulSet's selector (the
// controller then releases it: it is no longer the StatefulSet's pod). The run must
// refuse the delete, saying why, end with exit 2, and store-1 must still be there with
// the same UID: a --target run deletes only pods the StatefulSet owns and selects.
import { expect } from 'chai';
import { TARGET_STS, createTargetNamespace, deleteTargetNamespace } from '../integration/byo-helpers.ts';
import { at, faultRun, seedKilling } from './support.ts';

const ns = `byo-guard-${Date.now().toString(36)}`;
let uid = '';

faultRun(
  'fault: a --target pod leaves the StatefulSet just before its kill',
  {
    setup: (cluster) => createTargetNamespace(cluster, ns, true),
    argv: [
      '--target',
      `${ns}/${TARGET_STS}`,
      '--rounds',
      '1',
      '--seed',
      String(seedKilling(TARGET_STS, ['store-1'], undefined, { replicas: 2 })),
      '--timeout',
      '60',
    ],
    hook: at(
      'before-kills',
      async (ctx) => {
        const pod = await ctx.cluster.core.patchNamespacedPod({
          name: 'store-1',
          namespace: ns,
          body: [{ op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'released' }],
        });
        uid = pod.metadata?.uid ?? '';
        ctx.log(`fault: store-1 (uid ${uid}) relabelled out of the StatefulSet's selector`);
      },
      1,
    ),
    cleanup: async (cluster) => {
      if (cluster) await deleteTargetNamespace(cluster, ns);
    },
    timeoutMs: 300_000,
  },
  (t) => {
    it('refuses the delete, naming the pod and why, and exits 2', function () {
      const all = t.run.log.join('\n');
      expect(t.run.result.error?.message, all).to.match(
        new RegExp(`^refusing to delete pod ${ns}/store-1: (its labels do not match the StatefulSet's selector|its controller is none)`),
      );
      expect(t.run.exitCode, all).to.equal(2);
      expect(all).not.to.match(/killed store-1/);
    });

    it('store-1 is still there, the same pod (same UID)', async function () {
      const pod = await t.cluster.core.readNamespacedPod({ name: 'store-1', namespace: ns });
      expect(uid).to.not.equal('');
      expect(pod.metadata?.uid).to.equal(uid);
      expect(pod.metadata?.deletionTimestamp).to.equal(undefined);
    });
  },
);
