// Which options a cluster drops: the dry-run answer compared with what was sent.
import { expect } from 'chai';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { droppedFields } from '../../../lib/run/sts-support.ts';
import { buildWorkload } from '../../../lib/workloads/index.ts';
import { DEFAULT_STS_OPTIONS } from '../../../lib/workloads/sts-options.ts';

const stsOf = (sts: Partial<typeof DEFAULT_STS_OPTIONS>): IStatefulSet => {
  const w = buildWorkload('web', {
    namespace: 'ns',
    runId: 'r',
    replicas: 3,
    image: 'busybox',
    claimSize: '1Gi',
    sts: { ...DEFAULT_STS_OPTIONS, ...sts },
  });
  const s = w.objects.find((o): o is IStatefulSet => o.kind === 'StatefulSet');
  if (!s) throw new Error('no StatefulSet');
  return s;
};

describe('sts-support: fields the API server drops', () => {
  it('nothing when the dry run keeps every field', () => {
    const sent = stsOf({ maxUnavailable: 2, startOrdinal: 3, minReadySeconds: 5 });
    expect(droppedFields(sent, structuredClone(sent))).to.deep.equal([]);
  });

  it('maxUnavailable, when the stored object lacks it (feature gate off)', () => {
    const sent = stsOf({ maxUnavailable: 2 });
    const stored = structuredClone(sent);
    delete stored.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
    expect(droppedFields(sent, stored).map((f) => f.option)).to.deep.equal(['--max-unavailable']);
  });

  it('ordinals.start and the retention policy too, but a default left out by an older server is not a drop', () => {
    const sent = stsOf({ startOrdinal: 3, pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const stored = structuredClone(sent);
    if (stored.spec) {
      delete stored.spec.ordinals;
      delete stored.spec.persistentVolumeClaimRetentionPolicy;
    }
    expect(droppedFields(sent, stored).map((f) => f.option)).to.deep.equal(['--start-ordinal', '--pvc-retention']);
    const defaults = stsOf({});
    const old = structuredClone(defaults);
    if (old.spec) {
      delete old.spec.ordinals;
      delete old.spec.persistentVolumeClaimRetentionPolicy;
      delete old.spec.minReadySeconds;
    }
    expect(droppedFields(defaults, old)).to.deep.equal([]);
  });
});
