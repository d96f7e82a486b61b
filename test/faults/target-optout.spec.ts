// The --target opt-in holds at once when its owner withdraws it: after round 1 of two,
// the hook takes ordinal.dev/chaos=allowed off the StatefulSet. The run must not disrupt
// again (round 2's kill is refused before it is sent: every pod keeps the UID it had when
// the label came off), must not exec into the pods again (its own sentinel files stay,
// since removing them is an exec), and must end with exit 2 naming the label.
import { expect } from 'chai';
import { execIn } from '../../lib/probes/exec.ts';
import { TARGET_STS, createTargetNamespace, deleteTargetNamespace } from '../integration/byo-helpers.ts';
import { at, faultRun, seedKilling } from './support.ts';

const ns = `byo-optout-${Date.now().toString(36)}`;
const uidsWhenWithdrawn: Record<string, string> = {};

faultRun(
  'fault: the owner removes the --target opt-in label mid-run',
  {
    setup: (cluster) => createTargetNamespace(cluster, ns, true),
    argv: [
      '--target',
      `${ns}/${TARGET_STS}`,
      '--rounds',
      '2',
      '--chaos',
      'delete',
      '--seed',
      String(seedKilling(TARGET_STS, ['store-1'], 'delete', { chaos: ['delete'], replicas: 2 })),
      '--timeout',
      '90',
    ],
    hook: at(
      'after-round',
      async (ctx) => {
        await ctx.cluster.apps.patchNamespacedStatefulSet({
          name: TARGET_STS,
          namespace: ns,
          body: [{ op: 'remove', path: '/metadata/labels/ordinal.dev~1chaos' }],
        });
        for (const p of (await ctx.cluster.core.listNamespacedPod({ namespace: ns })).items)
          uidsWhenWithdrawn[p.metadata?.name ?? ''] = p.metadata?.uid ?? '';
        ctx.log(`fault: ordinal.dev/chaos removed from StatefulSet ${TARGET_STS}; pods now ${JSON.stringify(uidsWhenWithdrawn)}`);
      },
      1,
    ),
    cleanup: async (cluster) => {
      if (cluster) await deleteTargetNamespace(cluster, ns);
    },
    timeoutMs: 360_000,
  },
  (t) => {
    it('round 1 disrupted as planned, then the run stopped: exit 2, the error names the label', function () {
      const all = t.run.log.join('\n');
      expect(t.run.result.rounds, all).to.have.length(1);
      expect(t.run.result.rounds[0]?.converged, all).to.equal(true);
      expect(t.run.result.error?.message, all).to.match(
        new RegExp(
          `^StatefulSet ${ns}/${TARGET_STS} is no longer labelled ordinal\\.dev/chaos=allowed \\(the label was removed; seen before disrupting pod store-\\d\\): stopped disrupting and left everything as it is$`,
        ),
      );
      expect(t.run.exitCode, all).to.equal(2);
      expect(all).to.not.match(/round 2\/2/);
    });

    it('no pod was disrupted after the label came off: each keeps the UID it had then', async function () {
      expect(Object.keys(uidsWhenWithdrawn).sort()).to.deep.equal(['store-0', 'store-1']);
      for (const [pod, uid] of Object.entries(uidsWhenWithdrawn)) {
        const p = await t.cluster.core.readNamespacedPod({ name: pod, namespace: ns });
        expect(p.metadata?.uid, `${pod} was replaced after the opt-out`).to.equal(uid);
        expect(p.metadata?.deletionTimestamp, `${pod} is being deleted`).to.equal(undefined);
      }
    });

    it('no exec after the label came off: the run left its sentinel files rather than exec to remove them, and says so', async function () {
      expect(t.run.log.join('\n')).to.match(
        /sentinel files left in store-0, store-1: StatefulSet .* is no longer labelled ordinal\.dev\/chaos=allowed/,
      );
      for (const pod of ['store-0', 'store-1']) {
        const ls = await execIn(t.cluster, ns, pod, 'store', ['ls', '-A', '/var/lib/store']);
        expect(ls.stdout.trim(), `${pod}: the sentinel is still there`).to.equal('.ordinal-sentinel');
      }
    });
  },
);

// The same withdrawal after the last round: what comes next is the after-snapshot's execs
// (hostname, DNS, sentinel read-back), each refused before it is sent, and the run still
// ends with exit 2 rather than judging a snapshot it did not take.
const ns2 = `byo-optout2-${Date.now().toString(36)}`;

faultRun(
  'fault: the owner removes the --target opt-in label before the after-snapshot',
  {
    setup: (cluster) => createTargetNamespace(cluster, ns2, true),
    argv: [
      '--target',
      `${ns2}/${TARGET_STS}`,
      '--rounds',
      '1',
      '--chaos',
      'delete',
      '--seed',
      String(seedKilling(TARGET_STS, ['store-1'], 'delete', { chaos: ['delete'], replicas: 2 })),
      '--timeout',
      '90',
    ],
    hook: at('before-after-snapshot', async (ctx) => {
      await ctx.cluster.apps.patchNamespacedStatefulSet({
        name: TARGET_STS,
        namespace: ns2,
        body: [{ op: 'replace', path: '/metadata/labels/ordinal.dev~1chaos', value: 'denied' }],
      });
      ctx.log('fault: ordinal.dev/chaos set to denied on StatefulSet store');
    }),
    cleanup: async (cluster) => {
      if (cluster) await deleteTargetNamespace(cluster, ns2);
    },
    timeoutMs: 360_000,
  },
  (t) => {
    it('refuses the first exec, judges nothing and exits 2 naming the label and its new value', function () {
      const all = t.run.log.join('\n');
      expect(t.run.result.error?.message, all).to.match(
        new RegExp(
          `^StatefulSet ${ns2}/${TARGET_STS} is no longer labelled ordinal\\.dev/chaos=allowed \\(it is now ordinal\\.dev/chaos=denied; seen before exec in pod store-\\d\\): stopped disrupting and left everything as it is$`,
        ),
      );
      expect(t.run.result.checks, all).to.have.length(0);
      expect(t.run.exitCode, all).to.equal(2);
    });

    it('the sentinel files are still in both pods: no exec removed them', async function () {
      for (const pod of ['store-0', 'store-1']) {
        const ls = await execIn(t.cluster, ns2, pod, 'store', ['ls', '-A', '/var/lib/store']);
        expect(ls.stdout.trim(), `${pod}: the sentinel is still there`).to.equal('.ordinal-sentinel');
      }
    });
  },
);
