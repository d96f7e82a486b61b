// verify-writes execs only into pods the named StatefulSet controls: the name alone
// (from an acked file anyone can write) is not enough.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ownedBy } from '../../../lib/traffic/owned-pods.ts';

const pod = (name: string, owner?: { kind?: string; name?: string; uid?: string; controller?: boolean }): V1Pod => ({
  metadata: {
    name,
    ...(owner
      ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: owner.kind ?? 'StatefulSet',
              name: owner.name ?? 'web',
              uid: owner.uid ?? 'sts-uid',
              controller: owner.controller ?? true,
            },
          ],
        }
      : {}),
  },
});

describe('verify-writes: pods of the named StatefulSet only', () => {
  it('accepts <sts>-<ordinal> controlled by that StatefulSet object', () => {
    expect(ownedBy(pod('web-0', {}), 'web', 'sts-uid')).to.equal(true);
    expect(ownedBy(pod('web-12', {}), 'web', 'sts-uid')).to.equal(true);
  });

  it('refuses look-alikes: a bare pod, another owner, an older StatefulSet of that name, a non-controller reference, another name', () => {
    expect(ownedBy(pod('web-0'), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('web-0', { kind: 'ReplicaSet' }), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('web-0', { uid: 'old-uid' }), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('web-0', { controller: false }), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('ordinal-traffic', { name: 'web' }), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('web-canary-0', {}), 'web', 'sts-uid')).to.equal(false);
    expect(ownedBy(pod('web-0', { name: 'db' }), 'web', 'sts-uid')).to.equal(false);
  });
});
