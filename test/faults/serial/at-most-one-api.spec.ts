// STS-AT-MOST-ONE (API) against a replacement created before the old pod was confirmed
// gone: during a real node-fault round (web-1's node stopped through the local cluster's
// scripts), once the node controller has marked the pod for deletion, the fault deletes
// it with grace period 0 behind the harness's back, as a careless operator script or a
// buggy controller would. Nothing records that force deletion, so the object left the
// API while its node was down and could not confirm anything, and the StatefulSet
// controller created web-1 again: the check must fail naming web-1 and both UIDs.
import { markersOf } from '../../../lib/timeline/queries.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, hooks, sleep } from '../support.ts';

let rogue: Promise<string> | undefined;
let oldUid = '';

faultRun(
  'fault: web-1 force-deleted behind the harness while its node is down',
  {
    // Seed 39 with these disruptions: round 1 is web-1 (node-fault hold=10s force=0).
    argv: ['--rounds', '1', '--seed', '39', '--chaos', 'node-fault,kubelet-restart'],
    hook: hooks(
      at(
        'before-kills',
        async (ctx) => {
          rogue = (async () => {
            const deadline = performance.now() + 180_000;
            for (;;) {
              const down = markersOf(ctx.recorder.timeline, 'node-down').find((m) => m.marker.pod === 'web-1');
              const p = ctx.recorder.pods.get('web-1');
              if (down && p?.uid === down.marker.uid && p.deletionTimestamp) {
                oldUid = p.uid;
                await ctx.cluster.core.deleteNamespacedPod({
                  name: 'web-1',
                  namespace: ctx.workload.info.namespace,
                  gracePeriodSeconds: 0,
                  body: { gracePeriodSeconds: 0, preconditions: { uid: p.uid } },
                });
                ctx.log(`fault: force-deleted web-1 (uid ${p.uid}) while node ${down.marker.node} is down, unrecorded`);
                return p.uid;
              }
              if (performance.now() > deadline) throw new Error(`web-1 never terminating on a down node; last seen ${JSON.stringify(p)}`);
              await sleep(200);
            }
          })();
          rogue.catch(() => undefined);
        },
        1,
      ),
      at(
        'after-kills',
        async () => {
          await rogue;
        },
        1,
      ),
    ),
    timeoutMs: 600_000,
    healthy: { timeoutMs: 240_000, stableMs: 10_000 },
  },
  (t) => {
    it('STS-AT-MOST-ONE fails, naming pod web-1 and both UIDs', function () {
      const c = expectCheck(t.run, 'STS-AT-MOST-ONE', 'failed', 'pod web-1');
      const text = evidenceText(c);
      if (!oldUid || !text.includes(oldUid) || !text.includes('nobody force-deleted it'))
        throw new Error(`evidence does not name uid ${oldUid} as unconfirmed:\n${text}`);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
