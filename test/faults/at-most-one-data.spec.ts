// STS-AT-MOST-ONE (data) against a real second writer: after the baseline, a second pod
// in the run's namespace mounts web-1's claim on web-1's node and runs the workload's own
// container (same image, same command, so the same heartbeat under its own pod UID).
// That is exactly the hazard the check exists for, two pods writing one identity's
// volume at once, made by a pod the StatefulSet does not own so that the controller
// cannot interfere. No force deletion happened, so the check must fail.
import type * as k8s from '@kubernetes/client-node';
import { HEARTBEAT_FILE } from '../../lib/workloads/heartbeat.ts';
import { RUN_LABEL } from '../../lib/workloads/common.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, sleep, waitUntil } from './support.ts';

let intruderUid = '';
let web1Uid = '';

faultRun(
  "fault: a second pod writes web-1's volume alongside web-1",
  {
    argv: ['--rounds', '0', '--seed', '1'],
    hook: at('after-baseline', async (ctx) => {
      const { namespace, statefulSet } = ctx.workload.info;
      const sts = await ctx.cluster.apps.readNamespacedStatefulSet({ name: statefulSet, namespace });
      const template = sts.spec?.template.spec;
      const claim = sts.spec?.volumeClaimTemplates?.[0]?.metadata?.name;
      const web1 = ctx.recorder.pods.get('web-1');
      if (!template || !claim || !web1?.node) throw new Error('no template, claim or node for web-1');
      web1Uid = web1.uid;
      const pod: k8s.V1Pod = {
        metadata: {
          name: 'second-writer',
          namespace,
          labels: { [RUN_LABEL]: ctx.workload.objects[0]?.metadata?.labels?.[RUN_LABEL] ?? '' },
        },
        spec: {
          ...template,
          nodeName: web1.node,
          volumes: [{ name: claim, persistentVolumeClaim: { claimName: `${claim}-web-1` } }],
        },
      };
      const made = await ctx.cluster.core.createNamespacedPod({ namespace, body: pod });
      intruderUid = made.metadata?.uid ?? '';
      ctx.log(`fault: pod second-writer (uid ${intruderUid}) mounts ${claim}-web-1 on node ${web1.node}`);
      await waitUntil('second-writer to run', 60_000, async () => {
        const p = await ctx.cluster.core.readNamespacedPod({ name: 'second-writer', namespace });
        return { ok: p.status?.phase === 'Running', seen: p.status?.phase ?? 'no phase' };
      });
      await sleep(3000); // a few heartbeats from both writers
    }),
  },
  (t) => {
    it("STS-AT-MOST-ONE fails, naming web-1's volume and both pod UIDs", function () {
      const c = expectCheck(t.run, 'STS-AT-MOST-ONE', 'failed', `heartbeats web-1:/usr/share/nginx/html/${HEARTBEAT_FILE}`);
      const text = evidenceText(c);
      for (const needle of [web1Uid, intruderUid, 'no force deletion']) {
        if (!text.includes(needle)) throw new Error(`STS-AT-MOST-ONE evidence does not mention ${needle}:\n${text}`);
      }
    });

    it("states the clock the overlap was measured on and each node's measured clock offset", function () {
      const text = evidenceText(expectCheck(t.run, 'STS-AT-MOST-ONE', 'failed', 'clocks'));
      // One kernel here: the overlap is on its uptime; the measured offsets are ~0 ± the exec round trip.
      for (const re of [
        /both wrote for \d+ ms \(one kernel, monotonic uptime, ± 10 ms\)/,
        /kernel clocks against the harness's .*node \S+ \(boot [0-9a-f]{8}\) [+−]\d+ ± \d+ ms/,
      ]) {
        if (!re.test(text)) throw new Error(`STS-AT-MOST-ONE evidence does not match ${re}:\n${text}`);
      }
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
