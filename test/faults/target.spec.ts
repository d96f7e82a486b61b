// A real fault caught on a --target run: the StatefulSet was made outside Ordinal
// (test/fixtures/byo/target-store.yaml, opted in), and just before round 1 kills
// store-1 the hook deletes its claim state-store-1. pvc-protection keeps the claim while
// store-1 runs; the kill releases it, and the controller makes a new claim (new UID,
// new empty volume) for the replacement. STS-PVC-BINDING must fail naming the claim,
// STS-DATA-SENTINEL must fail naming store-1's sentinel, and the run exits 1; the
// StatefulSet itself is still not scaled and no run namespace is made.
import { expect } from 'chai';
import { type Inventory, TARGET_STS, createTargetNamespace, deleteTargetNamespace, inventory } from '../integration/byo-helpers.ts';
import { at, deleteClaim, expectCheck, expectExit, faultRun, seedKilling } from './support.ts';

const ns = `byo-fault-${Date.now().toString(36)}`;
let found: Inventory;

faultRun(
  'fault: a --target run, the claim state-store-1 deleted just before store-1 is killed',
  {
    setup: async (cluster) => {
      await createTargetNamespace(cluster, ns, true);
      found = await inventory(cluster, ns);
    },
    argv: [
      '--target',
      `${ns}/${TARGET_STS}`,
      '--rounds',
      '1',
      '--seed',
      String(seedKilling(TARGET_STS, ['store-1'], 'force-delete', { replicas: 2 })),
      '--timeout',
      '120',
    ],
    hook: at('before-kills', (ctx) => deleteClaim(ctx, 'state-store-1'), 1),
    cleanup: async (cluster) => {
      if (cluster) await deleteTargetNamespace(cluster, ns);
    },
  },
  (t) => {
    it('STS-PVC-BINDING fails, naming PVC state-store-1', function () {
      expectCheck(t.run, 'STS-PVC-BINDING', 'failed', 'PVC state-store-1');
    });

    it("STS-DATA-SENTINEL fails, naming store-1's sentinel", function () {
      expectCheck(t.run, 'STS-DATA-SENTINEL', 'failed', 'sentinel store-1:/var/lib/store/.ordinal-sentinel');
    });

    it('exits 1, and the StatefulSet was still not scaled or changed', async function () {
      expectExit(t.run, 1);
      const now = await inventory(t.cluster, ns);
      expect(now.statefulSet).to.deep.equal(found.statefulSet);
    });
  },
);
