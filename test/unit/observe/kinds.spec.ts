// The watched kinds as data: which objects of a list belong to the run, and what a raw
// watch object (timestamps as strings, as the watch stream delivers them) digests to.
import { expect } from 'chai';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { type RawObject, configMapKind, namespaceKinds } from '../../../lib/observe/kinds.ts';

// list() is never called here: the specs only read the cluster when listing.
const noCluster = {} as Cluster;

describe('observe: watched kinds', () => {
  const kinds = namespaceKinds(noCluster, 'ordinal-r1');
  const byKind = new Map(kinds.map((k) => [k.kind, k]));

  it('watches pods, claims, volumes, budgets and events, each in the run namespace except cluster-scoped volumes', () => {
    expect(kinds.map((k) => k.kind)).to.deep.equal(['Pod', 'PersistentVolumeClaim', 'PersistentVolume', 'PodDisruptionBudget', 'Event']);
    for (const k of kinds) {
      const path =
        k.kind === 'PersistentVolume'
          ? /^\/api\/v1\/persistentvolumes$/
          : k.kind === 'PodDisruptionBudget'
            ? /^\/apis\/policy\/v1\/namespaces\/ordinal-r1\//
            : /^\/api\/v1\/namespaces\/ordinal-r1\//;
      expect(k.path, k.kind).to.match(path);
    }
    // Only the budget is optional: without it STS-PDB judges from the pods alone.
    expect(kinds.filter((k) => k.optional).map((k) => k.kind)).to.deep.equal(['PodDisruptionBudget']);
    expect(configMapKind(noCluster, 'ordinal-r1', 'ordinal-canary').fieldSelector).to.equal('metadata.name=ordinal-canary');
  });

  it('keeps only the volumes claimed from the run namespace', () => {
    const pv = byKind.get('PersistentVolume')!;
    expect(pv.keep({ spec: { claimRef: { namespace: 'ordinal-r1' } } })).to.equal(true);
    expect(pv.keep({ spec: { claimRef: { namespace: 'someone-else' } } })).to.equal(false);
    expect(pv.keep({ spec: {} })).to.equal(false);
  });

  it('digests a raw watch pod into the entry field its kind fills', () => {
    const raw = {
      metadata: { name: 'web-0', uid: 'u0', resourceVersion: '7', deletionTimestamp: '2026-01-01T00:00:02Z' },
      spec: { nodeName: 'n1', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' }] },
    };
    expect(byKind.get('Pod')!.digest(raw as RawObject)).to.deep.equal({
      pod: {
        uid: 'u0',
        phase: 'Running',
        ready: true,
        claims: { data: 'data-web-0' },
        readySince: '2026-01-01T00:00:01Z',
        node: 'n1',
        deletionTimestamp: '2026-01-01T00:00:02Z',
      },
    });
    expect(Object.keys(byKind.get('PersistentVolumeClaim')!.digest({ metadata: { uid: 'c' } }))).to.deep.equal(['pvc']);
  });
});
