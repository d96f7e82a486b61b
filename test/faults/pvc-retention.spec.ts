// STS-PVC-RETENTION against claims that outlive their policy. With whenScaled: Delete,
// a finalizer of our own is added to www-web-2 as soon as the scale-down 3 -> 1 is
// requested. The garbage collector still marks the claim for deletion once web-2 is gone
// (the controller made web-2 its owner), but the finalizer keeps the claim, and its
// volume, in place past the run's wait. The hook takes the finalizer off again once the
// wait is over, so the namespace can go. With whenDeleted: Delete, the same finalizer on
// www-web-0 (the claim the scale-down keeps) when the run deletes the StatefulSet.
import * as k8s from '@kubernetes/client-node';
import { httpStatus } from '../../lib/errors.ts';
import type { HookContext } from '../../lib/run/execute.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, hooks } from './support.ts';
import { expect } from 'chai';

const HOLD = 'ordinal.dev/test-hold';
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

async function setHold(ctx: HookContext, claim: string, hold: boolean): Promise<void> {
  const namespace = ctx.workload.info.namespace;
  // The `test` of resourceVersion fails (422) when the claim changed since it was read: at
  // the scale-down the StatefulSet controller itself rewrites the claim's owner (CI saw it).
  // Read again and retry; the patch never overwrites a change it did not see.
  for (let attempt = 1; ; attempt++) {
    const pvc = await ctx.cluster.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
    const finalizers = (pvc.metadata?.finalizers ?? []).filter((f) => f !== HOLD);
    const body = [
      { op: 'test', path: '/metadata/resourceVersion', value: pvc.metadata?.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: hold ? [...finalizers, HOLD] : finalizers },
    ];
    try {
      await ctx.cluster.core.patchNamespacedPersistentVolumeClaim({ name: claim, namespace, body }, jsonPatch);
      break;
    } catch (err) {
      if (httpStatus(err) !== 422 || attempt >= 5) throw err;
    }
  }
  ctx.log(`fault: finalizer ${HOLD} ${hold ? 'added to' : 'removed from'} PVC ${claim}`);
}

faultRun(
  'fault: with whenScaled: Delete, a finalizer keeps the claim www-web-2 after the scale-down',
  {
    argv: ['--rounds', '0', '--seed', '1', '--pvc-retention', 'whenScaled=Delete', '--timeout', '40'],
    hook: hooks(
      at('scale-down-requested', (ctx) => setHold(ctx, 'www-web-2', true)),
      at('claims-scaled', (ctx) => setHold(ctx, 'www-web-2', false)),
    ),
  },
  (t) => {
    it('STS-PVC-RETENTION fails, naming PVC www-web-2 (marked for deletion, never gone), and not www-web-1', function () {
      const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-2');
      expect(c.message).to.match(
        /^www-web-2 was not deleted after the scale-down 3 -> 1 although whenScaled is Delete: marked for deletion at t=\d/,
      );
      expect(evidenceText(c)).to.include('PVC www-web-1').and.include('deleted at t=');
    });

    it('no other check fails: the claim deleted once the finalizer is gone is the policy at work for STS-PVC-BINDING', function () {
      expect(t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id)).to.deep.equal([
        'STS-PVC-RETENTION',
      ]);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);

faultRun(
  'fault: with whenDeleted: Delete, a finalizer keeps the claim www-web-0 after the StatefulSet is deleted',
  {
    argv: ['--rounds', '0', '--seed', '1', '--pvc-retention', 'whenDeleted=Delete', '--timeout', '40'],
    // Held just before the run deletes the StatefulSet; released once its wait is over.
    hook: hooks(
      at('claims-scaled', (ctx) => setHold(ctx, 'www-web-0', true)),
      at('statefulset-deleted', (ctx) => setHold(ctx, 'www-web-0', false)),
    ),
  },
  (t) => {
    it('STS-PVC-RETENTION fails, naming PVC www-web-0 (marked for deletion with the StatefulSet, never gone)', function () {
      const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-0');
      expect(c.message).to.match(
        /^www-web-0 was not deleted after the StatefulSet was deleted although whenDeleted is Delete: marked for deletion at t=\d/,
      );
      expect(t.run.result.checks.filter((x) => x.status === 'failed' || x.status === 'error').map((x) => x.id)).to.deep.equal([
        'STS-PVC-RETENTION',
      ]);
      expectExit(t.run, 1);
    });
  },
);

// With both policies Retain (the default), www-web-1 gets an owner that goes away right
// after the scale-down: a ConfigMap of the hook's, deleted as soon as web-1 is gone, so
// the garbage collector deletes the retained claim just after the scale-down. Without the
// settle window the run deleted the StatefulSet at once and the deletion fell after it,
// under whenDeleted (with Delete there, it would have passed). Two owners that do not
// work: web-1 itself (the StatefulSet controller takes a pod's ownerReference off a claim
// whose whenScaled is Retain before it deletes the pod), and any owner under whenDeleted:
// Delete (the set owns the claim too, and the collector deletes only orphans).
let ownerGone: Promise<void> = Promise.resolve();

async function ownByDoomedConfigMap(ctx: HookContext, claim: string): Promise<void> {
  const namespace = ctx.workload.info.namespace;
  const cm = await ctx.cluster.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'fault-owner' } } });
  const uid = cm.metadata?.uid;
  const body = [
    { op: 'add', path: '/metadata/ownerReferences', value: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fault-owner', uid }] },
  ];
  await ctx.cluster.core.patchNamespacedPersistentVolumeClaim({ name: claim, namespace, body }, jsonPatch);
  ctx.log(`fault: PVC ${claim} made a dependent of ConfigMap fault-owner (uid ${uid}), to be deleted once web-1 is gone`);
  ownerGone = (async () => {
    await ctx.recorder.waitFor({
      describe: 'web-1 to be gone after the scale-down',
      timeoutMs: 60_000,
      until: () => (ctx.recorder.pods.has('web-1') ? undefined : true),
    });
    await ctx.cluster.core.deleteNamespacedConfigMap({ name: 'fault-owner', namespace, propagationPolicy: 'Background' });
    ctx.log('fault: ConfigMap fault-owner deleted; the garbage collector deletes its dependents');
  })();
  // Surfaces in the claims-scaled hook; until then nothing awaits it.
  ownerGone.catch(() => {});
}

/** From the recorded timeline at `claims-scaled`: how long after web-1 was gone the garbage collector marked www-web-1. */
let gcLatency = 'not measured';

async function measureGc(ctx: HookContext): Promise<void> {
  await ownerGone;
  const tl = ctx.recorder.timeline;
  const podGone = tl.find((e) => e.type === 'DELETED' && e.kind === 'Pod' && e.name === 'web-1');
  const marked = tl.find(
    (e) =>
      e.type !== 'MARKER' &&
      e.kind === 'PersistentVolumeClaim' &&
      e.name === 'www-web-1' &&
      (e.type === 'DELETED' || e.pvc?.deletionTimestamp),
  );
  gcLatency =
    podGone && marked
      ? `${Math.round(marked.t - podGone.t)} ms`
      : `web-1 gone: ${podGone ? `t=${podGone.t}ms` : 'not seen'}, www-web-1 marked: ${marked ? `t=${marked.t}ms` : 'not seen'}`;
}

faultRun(
  'fault: with whenScaled: Retain, the garbage collector deletes www-web-1 right after the scale-down (its other owner went)',
  {
    argv: ['--rounds', '0', '--seed', '1', '--timeout', '40'],
    hook: hooks(
      at('scale-down-requested', (ctx) => ownByDoomedConfigMap(ctx, 'www-web-1')),
      at('claims-scaled', measureGc),
    ),
    summary: () => `www-web-1 marked for deletion ${gcLatency} after web-1 was gone`,
  },
  (t) => {
    it('STS-PVC-RETENTION fails under whenScaled, naming PVC www-web-1, seen within the settle window', function () {
      const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-1');
      expect(c.message).to.match(
        /^www-web-1 was (deleted|marked for deletion) at t=[\d.]+ms after the scale-down 3 -> 1 although whenScaled is Retain$/,
      );
      // Seen before claims-scaled, i.e. inside the window the run watched before deleting the StatefulSet.
      expect(gcLatency).to.match(/^\d+ ms$/);
    });

    it('STS-PVC-BINDING fails too, naming the lost claim www-web-1; nothing else fails; exit 1', function () {
      expect(t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id)).to.deep.equal([
        'STS-PVC-BINDING',
        'STS-PVC-RETENTION',
      ]);
      const binding = t.run.result.checks.find((c) => c.id === 'STS-PVC-BINDING');
      expect(binding?.message, JSON.stringify(binding)).to.include('www-web-1');
      expectExit(t.run, 1);
    });
  },
);
