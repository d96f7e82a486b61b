// STS-PVC-RETENTION against claims that outlive their policy. With whenScaled: Delete,
// a finalizer of our own is added to www-web-2 as soon as the scale-down 3 -> 1 is
// requested. The garbage collector still marks the claim for deletion once web-2 is gone
// (the controller made web-2 its owner), but the finalizer keeps the claim, and its
// volume, in place past the run's wait. The hook takes the finalizer off again once the
// wait is over, so the namespace can go. With whenDeleted: Delete, the same finalizer on
// www-web-0 (the claim the scale-down keeps) when the run deletes the StatefulSet.
import * as k8s from '@kubernetes/client-node';
import type { HookContext } from '../../lib/run.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, hooks } from './support.ts';
import { expect } from 'chai';

const HOLD = 'ordinal.dev/test-hold';
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

async function setHold(ctx: HookContext, claim: string, hold: boolean): Promise<void> {
  const namespace = ctx.workload.info.namespace;
  const pvc = await ctx.cluster.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
  const finalizers = (pvc.metadata?.finalizers ?? []).filter((f) => f !== HOLD);
  const body = [
    { op: 'test', path: '/metadata/resourceVersion', value: pvc.metadata?.resourceVersion },
    { op: 'replace', path: '/metadata/finalizers', value: hold ? [...finalizers, HOLD] : finalizers },
  ];
  await ctx.cluster.core.patchNamespacedPersistentVolumeClaim({ name: claim, namespace, body }, jsonPatch);
  ctx.log(`fault: finalizer ${HOLD} ${hold ? 'added to' : 'removed from'} PVC ${claim}`);
}

faultRun('fault: with whenScaled: Delete, a finalizer keeps the claim www-web-2 after the scale-down', {
  argv: ['--rounds', '0', '--seed', '1', '--pvc-retention', 'whenScaled=Delete', '--timeout', '40'],
  hook: hooks(at('scale-down-requested', (ctx) => setHold(ctx, 'www-web-2', true)), at('claims-scaled', (ctx) => setHold(ctx, 'www-web-2', false))),
}, (t) => {
  it('STS-PVC-RETENTION fails, naming PVC www-web-2 (marked for deletion, never gone), and not www-web-1', function () {
    const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-2');
    expect(c.message).to.match(/^www-web-2 was not deleted after the scale-down 3 -> 1 although whenScaled is Delete: marked for deletion at t=\d/);
    expect(evidenceText(c)).to.include('PVC www-web-1').and.include('deleted at t=');
  });

  it('no other check fails: the claim deleted once the finalizer is gone is the policy at work for STS-PVC-BINDING', function () {
    expect(t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id)).to.deep.equal(['STS-PVC-RETENTION']);
  });

  it('exits 1', function () {
    expectExit(t.run, 1);
  });
});

faultRun('fault: with whenDeleted: Delete, a finalizer keeps the claim www-web-0 after the StatefulSet is deleted', {
  argv: ['--rounds', '0', '--seed', '1', '--pvc-retention', 'whenDeleted=Delete', '--timeout', '40'],
  // Held just before the run deletes the StatefulSet; released once its wait is over.
  hook: hooks(at('claims-scaled', (ctx) => setHold(ctx, 'www-web-0', true)), at('statefulset-deleted', (ctx) => setHold(ctx, 'www-web-0', false))),
}, (t) => {
  it('STS-PVC-RETENTION fails, naming PVC www-web-0 (marked for deletion with the StatefulSet, never gone)', function () {
    const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-0');
    expect(c.message).to.match(/^www-web-0 was not deleted after the StatefulSet was deleted although whenDeleted is Delete: marked for deletion at t=\d/);
    expect(t.run.result.checks.filter((x) => x.status === 'failed' || x.status === 'error').map((x) => x.id)).to.deep.equal(['STS-PVC-RETENTION']);
    expectExit(t.run, 1);
  });
});

// With whenScaled: Retain (the default) and whenDeleted: Delete, www-web-1 is made web-1's
// dependent as soon as the scale-down 3 -> 1 is requested: what the controller does under
// whenScaled: Delete, here against the policy. The garbage collector then deletes the
// claim once web-1 is gone, right after the scale-down ends. Without the settle window the
// run deleted the StatefulSet at once, the deletion fell under whenDeleted: Delete, and passed.
async function ownByPod(ctx: HookContext, claim: string, pod: string): Promise<void> {
  const namespace = ctx.workload.info.namespace;
  const owner = await ctx.cluster.core.readNamespacedPod({ name: pod, namespace });
  const uid = owner.metadata?.uid;
  if (!uid) throw new Error(`pod ${pod} in namespace ${namespace} has no UID`);
  const body = [{ op: 'add', path: '/metadata/ownerReferences', value: [{ apiVersion: 'v1', kind: 'Pod', name: pod, uid }] }];
  await ctx.cluster.core.patchNamespacedPersistentVolumeClaim({ name: claim, namespace, body }, jsonPatch);
  ctx.log(`fault: PVC ${claim} made a dependent of pod ${pod} (uid ${uid}) although whenScaled is Retain`);
}

/** From the recorded timeline at `claims-scaled`: how long after web-1 was gone the garbage collector marked www-web-1. */
let gcLatency = 'not measured';

function measureGc(ctx: HookContext): Promise<void> {
  const tl = ctx.recorder.timeline;
  const podGone = tl.find((e) => e.type === 'DELETED' && e.kind === 'Pod' && e.name === 'web-1');
  const marked = tl.find((e) => e.type !== 'MARKER' && e.kind === 'PersistentVolumeClaim' && e.name === 'www-web-1' && (e.type === 'DELETED' || e.pvc?.deletionTimestamp));
  gcLatency = podGone && marked ? `${Math.round(marked.t - podGone.t)} ms` : `web-1 gone: ${podGone ? `t=${podGone.t}ms` : 'not seen'}, www-web-1 marked: ${marked ? `t=${marked.t}ms` : 'not seen'}`;
  return Promise.resolve();
}

faultRun('fault: with whenScaled: Retain, the garbage collector deletes www-web-1 once web-1 is scaled away', {
  argv: ['--rounds', '0', '--seed', '1', '--pvc-retention', 'whenDeleted=Delete', '--timeout', '40'],
  hook: hooks(at('scale-down-requested', (ctx) => ownByPod(ctx, 'www-web-1', 'web-1')), at('claims-scaled', measureGc)),
  summary: () => `www-web-1 marked for deletion ${gcLatency} after web-1 was gone`,
}, (t) => {
  it('STS-PVC-RETENTION fails under whenScaled, naming PVC www-web-1, seen within the settle window', function () {
    const c = expectCheck(t.run, 'STS-PVC-RETENTION', 'failed', 'PVC www-web-1');
    expect(c.message).to.match(/^www-web-1 was (deleted|marked for deletion) at t=[\d.]+ms after the scale-down 3 -> 1 although whenScaled is Retain$/);
    // Seen before claims-scaled, i.e. inside the window the run watched before deleting the StatefulSet.
    expect(gcLatency).to.match(/^\d+ ms$/);
  });

  it('no other check fails, and the run exits 1', function () {
    expect(t.run.result.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id)).to.deep.equal(['STS-PVC-RETENTION']);
    expectExit(t.run, 1);
  });
});
