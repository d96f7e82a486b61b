// The sample workloads' manifests are plain objects at run time (validating them with
// kubernetes-models on every start cost ~70 MB and ~0.2 s); the schema check lives here,
// over every workload and every option that changes the objects.
import { expect } from 'chai';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { allowedUnavailable, parsePdb, resolvePdb, withPdb } from '../../../lib/chaos/pdb.ts';
import type { WorkloadObject, WorkloadOptions } from '../../../lib/workloads/common.ts';
import { buildWorkload, WORKLOAD_KINDS } from '../../../lib/workloads/index.ts';
import { DEFAULT_STS_OPTIONS, describeStsOptions, type StsOptions } from '../../../lib/workloads/sts-options.ts';

/** Throws with the schema's complaint, naming the object. */
function validate(o: WorkloadObject): void {
  const model = o.kind === 'Service' ? new Service(o) : o.kind === 'PodDisruptionBudget' ? new PodDisruptionBudget(o) : new StatefulSet(o);
  try {
    model.validate();
  } catch (err) {
    throw new Error(`invalid ${o.kind} ${o.metadata?.name}: ${(err as Error).message}`);
  }
}

const base: WorkloadOptions = {
  namespace: 'ordinal-20260101-000000-abcd',
  runId: '20260101-000000-abcd',
  replicas: 3,
  image: 'docker.io/library/busybox:1.35.0',
  claimSize: '64Mi',
};

const variants: [string, WorkloadOptions][] = [
  ['defaults', base],
  ['a storage class', { ...base, storageClass: 'fast-ssd' }],
  ['1 replica', { ...base, replicas: 1 }],
  [
    '100 replicas, 1Gi claims, a mirrored image',
    { ...base, replicas: 100, claimSize: '1Gi', image: 'registry.internal:5000/mirror/busybox@sha256:0123' },
  ],
];

/** Every StatefulSet option shape the CLI can produce. */
const stsVariants: [string, Partial<StsOptions>][] = [
  ['Parallel', { podManagementPolicy: 'Parallel' }],
  ['OnDelete', { updateStrategy: 'OnDelete' }],
  ['RollingUpdate with partition 2 and maxUnavailable 2', { partition: 2, maxUnavailable: 2 }],
  ['minReadySeconds 5', { minReadySeconds: 5 }],
  ['start ordinal 3', { startOrdinal: 3 }],
  ['claims deleted with the set and on scale-down', { pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Delete' } }],
  ['claims kept on delete, deleted on scale-down', { pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Delete' } }],
  [
    'everything at once',
    {
      podManagementPolicy: 'Parallel',
      partition: 1,
      maxUnavailable: 3,
      minReadySeconds: 2,
      startOrdinal: 7,
      pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    },
  ],
];
for (const [label, sts] of stsVariants) variants.push([`options: ${label}`, { ...base, sts: { ...DEFAULT_STS_OPTIONS, ...sts } }]);

describe('workloads: manifests match the Kubernetes schema', () => {
  for (const kind of WORKLOAD_KINDS) {
    for (const [label, options] of variants) {
      it(`${kind} with ${label}: a Service and a StatefulSet that validate`, () => {
        const w = buildWorkload(kind, options);
        expect(w.objects.map((o) => `${o.apiVersion}/${o.kind}`)).to.deep.equal(['v1/Service', 'apps/v1/StatefulSet']);
        for (const o of w.objects) validate(o);
        const sts = w.objects[1];
        if (sts?.kind !== 'StatefulSet') throw new Error('second object is not the StatefulSet');
        expect(sts.spec?.replicas).to.equal(options.replicas);
        const claim = sts.spec?.volumeClaimTemplates?.[0]?.spec;
        expect(claim?.storageClassName).to.equal(options.storageClass);
        expect(claim?.resources?.requests?.storage).to.equal(options.claimSize);
        const o = options.sts ?? DEFAULT_STS_OPTIONS;
        expect(sts.spec).to.deep.include({
          podManagementPolicy: o.podManagementPolicy,
          minReadySeconds: o.minReadySeconds,
          ordinals: { start: o.startOrdinal },
          persistentVolumeClaimRetentionPolicy: o.pvcRetention,
        });
        expect(sts.spec?.updateStrategy).to.deep.equal(
          o.updateStrategy === 'OnDelete'
            ? { type: 'OnDelete' }
            : {
                type: 'RollingUpdate',
                rollingUpdate: { partition: o.partition, ...(o.maxUnavailable ? { maxUnavailable: o.maxUnavailable } : {}) },
              },
        );
        // results.json records the same options the manifest carries.
        expect(w.info.options).to.deep.equal(o);
        expect(w.info.podManagementPolicy).to.equal(o.podManagementPolicy);
        // Plain JSON: what the dry run prints is what is sent.
        expect(JSON.parse(JSON.stringify(w.objects))).to.deep.equal(w.objects);
      });
    }
  }

  it('primary-replica: the primary serves its identity (pod UID and IP from the downward API) and replicas record served-by, all on the claim', () => {
    const w = buildWorkload('primary-replica', base);
    const sts = w.objects[1];
    if (sts?.kind !== 'StatefulSet') throw new Error('second object is not the StatefulSet');
    const c = sts.spec?.template.spec?.containers[0];
    expect(c?.env).to.deep.equal([
      { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    const t = w.topology;
    if (!t) throw new Error('primary-replica has no topology paths');
    const mount = c?.volumeMounts?.[0]?.mountPath;
    expect(mount).to.equal(w.dataPath);
    for (const p of [t.primaryPath, t.copyPath, t.primaryIdPath, t.servedByPath]) expect(p.startsWith(`${mount}/`), p).to.equal(true);
    const script = c?.command?.join(' ') ?? '';
    expect(script).to.include(`"$POD_UID" "$POD_IP" > ${t.primaryIdPath}.tmp`);
    expect(script).to.include(`mv ${t.servedByPath}.tmp ${t.servedByPath}`);
    expect(buildWorkload('web', base).topology).to.equal(undefined);
  });

  it('--pdb adds a PodDisruptionBudget over the pods, in the run namespace with the run labels, that validates', () => {
    for (const kind of WORKLOAD_KINDS) {
      for (const text of ['max-unavailable=1', 'min-available=2']) {
        const plain = buildWorkload(kind, base);
        const w = withPdb(plain, parsePdb(text));
        expect(w.objects.map((o) => o.kind)).to.deep.equal(['Service', 'StatefulSet', 'PodDisruptionBudget']);
        for (const o of w.objects) validate(o);
        const pdb = w.objects[2];
        const sts = w.objects[1];
        if (pdb?.kind !== 'PodDisruptionBudget' || sts?.kind !== 'StatefulSet') throw new Error('objects out of order');
        expect(pdb.metadata?.namespace).to.equal(base.namespace);
        expect(pdb.metadata?.labels).to.deep.equal(sts.metadata?.labels);
        expect(pdb.metadata?.labels?.['ordinal.dev/run-id']).to.equal(base.runId);
        expect(pdb.spec?.selector).to.deep.equal(sts.spec?.selector);
        expect(w.info.pdb?.name).to.equal(pdb.metadata?.name);
        expect(allowedUnavailable(w.info.pdb ?? { name: '' }, 3)).to.equal(1);
      }
    }
    expect(withPdb(buildWorkload('web', base), parsePdb('none')).objects).to.have.length(2);
    expect(resolvePdb(['delete'], undefined)).to.equal(undefined);
    expect(resolvePdb(['delete', 'evict'], undefined)).to.deep.equal({ maxUnavailable: 1 });
    expect(resolvePdb(['delete', 'evict'], 'none')).to.equal(undefined);
    expect(resolvePdb(['delete'], 'min-available=2')).to.deep.equal({ minAvailable: 2 });
    for (const bad of ['', 'max-unavailable', 'max-unavailable=-1', 'maxUnavailable=1', 'min-available=50%'])
      expect(() => parsePdb(bad), bad).to.throw(/--pdb must be/);
  });

  it('every workload spreads its pods over nodes, best effort (never unschedulable on one node)', () => {
    for (const kind of WORKLOAD_KINDS) {
      const sts = buildWorkload(kind, base).objects[1];
      if (sts?.kind !== 'StatefulSet') throw new Error('second object is not the StatefulSet');
      const spread = sts.spec?.template.spec?.topologySpreadConstraints;
      expect(spread, kind).to.have.length(1);
      expect(spread?.[0]?.topologyKey).to.equal('kubernetes.io/hostname');
      expect(spread?.[0]?.whenUnsatisfiable).to.equal('ScheduleAnyway');
      // It counts this StatefulSet's own pods: its selector matches the pod template's labels.
      const labels = sts.spec?.template.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(spread?.[0]?.labelSelector?.matchLabels ?? {})) expect(labels[k], `${kind} ${k}`).to.equal(v);
      expect(Object.keys(spread?.[0]?.labelSelector?.matchLabels ?? {})).to.not.have.length(0);
    }
  });

  it('primary-replica with a start ordinal: the primary is the first ordinal, by name and in the script', () => {
    const w = buildWorkload('primary-replica', { ...base, sts: { ...DEFAULT_STS_OPTIONS, startOrdinal: 3 } });
    const sts = w.objects[1];
    if (sts?.kind !== 'StatefulSet') throw new Error('second object is not the StatefulSet');
    const script = sts.spec?.template.spec?.containers[0]?.command?.join(' ') ?? '';
    expect(script).to.include('if [ "$ord" = 3 ]; then');
    expect(script).to.include(`db-3.db.${base.namespace}.svc.cluster.local`);
    expect(script).not.to.include('db-0.');
  });

  it('describes the options in one line for the report and the dry run', () => {
    expect(describeStsOptions(DEFAULT_STS_OPTIONS)).to.equal(
      'OrderedReady, RollingUpdate (partition 0), minReadySeconds 0, ordinals from 0, claims whenDeleted=Retain,whenScaled=Retain',
    );
    expect(
      describeStsOptions({ ...DEFAULT_STS_OPTIONS, podManagementPolicy: 'Parallel', updateStrategy: 'OnDelete', startOrdinal: 3 }),
    ).to.equal('Parallel, OnDelete, minReadySeconds 0, ordinals from 3, claims whenDeleted=Retain,whenScaled=Retain');
  });

  it('the schema check does catch a broken manifest (so the tests above can fail)', () => {
    const w = buildWorkload('web', { ...base, claimSize: 'lots' });
    expect(() => {
      for (const o of w.objects) validate(o);
    }).to.throw(/invalid StatefulSet web: .*storage/);
    // …and an option field of the wrong shape (the schema knows ordinals.start is an integer).
    const bad = buildWorkload('web', { ...base, sts: { ...DEFAULT_STS_OPTIONS, startOrdinal: '3' as unknown as number } });
    expect(() => {
      for (const o of bad.objects) validate(o);
    }).to.throw(/invalid StatefulSet web: .*ordinals\/start must be integer/);
  });
});
