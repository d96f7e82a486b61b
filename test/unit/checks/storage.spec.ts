import { expect } from 'chai';
import type { ClaimBinding } from '../../../lib/probes/records.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { insertBefore, mutate, podIn } from '../helpers/timeline-edit.ts';

const good = buildWebInput();

function claimOf(binding: Record<string, ClaimBinding>): ClaimBinding {
  const c = binding.www;
  if (!c) throw new Error('builder changed: no www claim');
  return c;
}

describe('STS-PVC-BINDING', () => {
  const ID = 'STS-PVC-BINDING';

  it('passes and lists each claim with its PVC UID and PV', () => {
    const r = resultOf(good, ID);
    expect(r.status).to.equal('passed');
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['PVC www-web-0', 'PVC www-web-1', 'PVC www-web-2', 'volumes']);
    expect(r.evidence[1]?.observed).to.equal('mounted by web-1; uid pvc-uid-1, Bound; PV pv-1 (pv-uid-1), claimRef.uid matches');
    expect(r.message).to.include('(shared or network volumes)');
    expect(r.evidence[3]?.observed).to.equal('shared or network volumes (no PV node affinity): www-web-0, www-web-1, www-web-2');
  });

  it('says the volumes were node-pinned, and to which node, when the PVs carry node affinity', () => {
    const nodes = ['node-a', 'node-b', 'node-c'];
    const r = resultOf(buildWebInput({ pinnedVolumes: true, nodeOf: (o) => nodes[o] as string }), ID);
    expect(r.status).to.equal('passed');
    expect(r.message).to.include('(node-pinned volumes)');
    expect(r.evidence.at(-1)).to.deep.equal({
      subject: 'volumes',
      observed: 'node-pinned volumes (PV spec.nodeAffinity): www-web-0 on node-a, www-web-1 on node-b, www-web-2 on node-c',
    });
  });

  it('says when no PV was recorded, so the behaviour is unknown, and still judges the binding', () => {
    const input = mutate(good, (d) => (d.timeline = d.timeline.filter((e) => e.type === 'MARKER' || e.kind !== 'PersistentVolume')));
    const r = resultOf(input, ID);
    expect(r.status).to.equal('passed');
    expect(r.evidence.at(-1)?.observed).to.include('volume behaviour (node-pinned or shared) is unknown');
  });

  it('names a failure first and still reports the volume behaviour last', () => {
    const bad = mutate(buildWebInput({ pinnedVolumes: true }), (d) => (claimOf(podIn(d.after, 'web-1').claims).pvcUid = 'pvc-uid-NEW'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'www-web-1 has uid pvc-uid-NEW');
    expect(r.evidence.at(-1)?.observed).to.equal(
      'node-pinned volumes (PV spec.nodeAffinity): www-web-0 on ordinal-worker, www-web-1 on ordinal-worker, www-web-2 on ordinal-worker',
    );
  });

  it('fails when a recreated pod mounts a claim with a new PVC UID', () => {
    const bad = mutate(good, (d) => (claimOf(podIn(d.after, 'web-1').claims).pvcUid = 'pvc-uid-NEW'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'www-web-1 has uid pvc-uid-NEW after chaos, was pvc-uid-1');
    expect(r.evidence[0]).to.include({ subject: 'PVC www-web-1', expected: 'uid pvc-uid-1', observed: 'uid pvc-uid-NEW' });
  });

  it('fails when the claim is bound to a different PV', () => {
    const bad = mutate(good, (d) => Object.assign(claimOf(podIn(d.after, 'web-0').claims), { pvName: 'pv-9', pvUid: 'pv-uid-9' }));
    expectFailure(resultOf(bad, ID), 'www-web-0 is bound to pv-9 (pv-uid-9) after chaos, was pv-0 (pv-uid-0)');
  });

  it('fails when the same PV name comes back with a different PV UID', () => {
    const bad = mutate(good, (d) => (claimOf(podIn(d.after, 'web-2').claims).pvUid = 'pv-uid-2b'));
    expectFailure(resultOf(bad, ID), 'www-web-2', 'pv-uid-2b');
  });

  it('fails when a pod mounts a claim with the wrong name', () => {
    const bad = mutate(good, (d) => (claimOf(podIn(d.after, 'web-1').claims).claimName = 'www-web-0'));
    expectFailure(resultOf(bad, ID), 'web-1 mounts www-web-0, expected www-web-1');
  });

  it('fails when the timeline shows the PVC deleted after the baseline', () => {
    // After the scale-down, before the run deletes the StatefulSet (whose claims are STS-PVC-RETENTION's).
    const bad = insertBefore(good, (e) => e.type === 'MARKER' && e.marker === 'statefulset-delete', {
      type: 'DELETED',
      kind: 'PersistentVolumeClaim',
      name: 'www-web-2',
      resourceVersion: '99999',
      pvc: { uid: 'pvc-uid-2', phase: 'Bound', volumeName: 'pv-2' },
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'www-web-2 was deleted at t=', 'pvc-uid-2');
    expect(r.evidence[0]?.at).to.equal(bad.timeline.find((e) => e.type === 'DELETED' && e.kind === 'PersistentVolumeClaim')?.t);
  });

  it('fails when a pod no longer mounts a volume from the template', () => {
    const bad = mutate(good, (d) => (podIn(d.after, 'web-0').claims = {}));
    expectFailure(resultOf(bad, ID), 'web-0 mounts no claim from template www after chaos');
  });

  it('fails when the claim is not Bound after chaos', () => {
    const bad = mutate(good, (d) => (claimOf(podIn(d.after, 'web-2').claims).pvcPhase = 'Lost'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'www-web-2 is Lost (after chaos), expected Bound');
    expect(r.evidence[0]).to.include({ subject: 'PVC www-web-2', expected: 'phase Bound', observed: 'phase Lost' });
  });

  it("fails when the PV's claimRef.uid names another claim", () => {
    const bad = mutate(good, (d) => (claimOf(podIn(d.after, 'web-0').claims).pvClaimUid = 'pvc-uid-OTHER'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'PV pv-0 names claim uid pvc-uid-OTHER (after chaos), but www-web-0 has uid pvc-uid-0');
    expect(r.evidence[0]).to.include({ subject: 'PV pv-0', expected: 'claimRef.uid pvc-uid-0' });
  });

  it('is an error, not a pass, when a UID is empty in both snapshots (never seen, not "equal")', () => {
    const bad = mutate(good, (d) => {
      claimOf(podIn(d.baseline, 'web-1').claims).pvUid = '';
      claimOf(podIn(d.after, 'web-1').claims).pvUid = '';
    });
    const r = resultOf(bad, ID);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('PVC www-web-1').and.include('baseline pvUid').and.include('after pvUid');
  });

  it('is an error when the phase or claimRef was not recorded', () => {
    const bad = mutate(good, (d) => {
      delete claimOf(podIn(d.after, 'web-0').claims).pvcPhase;
      claimOf(podIn(d.after, 'web-0').claims).pvClaimUid = '';
    });
    expect(resultOf(bad, ID).status).to.equal('error');
  });

  it('fails when a pod is missing after chaos', () => {
    const bad = mutate(good, (d) => (d.after.pods = d.after.pods.filter((p) => p.name !== 'web-1')));
    expectFailure(resultOf(bad, ID), 'web-1 is missing after chaos');
  });
});

describe('STS-DATA-SENTINEL', () => {
  const ID = 'STS-DATA-SENTINEL';
  const sentinel = (pod: string) => (s: { pod: string }) => s.pod === pod;

  it('passes and shows each sentinel unchanged', () => {
    const r = resultOf(good, ID);
    expect(r.status).to.equal('passed');
    expect(r.message).to.equal('3 sentinels read back byte for byte: web-0, web-1, web-2');
    expect(r.evidence[0]?.observed).to.match(/^unchanged: sha256 [0-9a-f]{12}…, 32 bytes, token [0-9a-f]{32}$/);
  });

  it('fails when the sentinel reads back different content', () => {
    const bad = mutate(good, (d) => {
      const s = d.after.sentinels.find(sentinel('web-1'));
      if (s) Object.assign(s, { token: 'f00d'.repeat(8), sha256: 'ab'.repeat(32) });
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'the sentinel in web-1 changed', 'token f00df00d');
    expect(r.evidence[0]?.subject).to.equal('sentinel web-1:/usr/share/nginx/html/.ordinal-sentinel');
  });

  it('fails when only the byte count differs (e.g. truncated file)', () => {
    const bad = mutate(good, (d) => {
      const s = d.after.sentinels.find(sentinel('web-2'));
      if (s) s.bytes = 16;
    });
    expectFailure(resultOf(bad, ID), 'web-2', '16 bytes');
  });

  it('fails when reading the sentinel failed after chaos', () => {
    const bad = mutate(good, (d) => {
      const s = d.after.sentinels.find(sentinel('web-0'));
      if (s) Object.assign(s, { error: "cat: can't open: No such file or directory", token: undefined });
    });
    expectFailure(resultOf(bad, ID), 'reading the sentinel from web-0 failed after chaos: cat:');
  });

  it('fails when no sentinel was read back for a pod', () => {
    const bad = mutate(good, (d) => (d.after.sentinels = d.after.sentinels.filter((s) => s.pod !== 'web-2')));
    expectFailure(resultOf(bad, ID), 'no sentinel was read back from web-2');
  });

  it('fails when the baseline sentinel could not be written', () => {
    const bad = mutate(good, (d) => {
      const s = d.baseline.sentinels.find(sentinel('web-1'));
      if (s) Object.assign(s, { error: 'read-only file system', token: undefined });
    });
    expectFailure(resultOf(bad, ID), 'the sentinel for web-1 could not be written: read-only file system');
  });

  it('fails when a baseline pod has no sentinel at all', () => {
    const bad = mutate(good, (d) => (d.baseline.sentinels = d.baseline.sentinels.filter((s) => s.pod !== 'web-0')));
    expectFailure(resultOf(bad, ID), 'no sentinel was written for web-0');
  });
});
