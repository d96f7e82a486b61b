// STS-WRITES-DURABLE on etcd: acknowledged puts deleted from the replicated store, as a
// faulty restore or an application bug would. After the traffic client has stopped, the
// keys it wrote through etcd-1 are deleted with etcdctl inside etcd-0 (a linearizable
// delete through the cluster, so every member loses them). The keys of etcd-0 and etcd-2
// stay: the check must name etcd-1 alone.
import { ETCD_CLIENT_PORT } from '../../lib/workloads/etcd.ts';
import { at, expectCheck, expectExit, expectWritesLostThrough, faultRun, shIn } from './support.ts';

let deleted = '';

faultRun(
  'fault: the etcd keys written through etcd-1 deleted from the cluster during a run with traffic',
  {
    argv: ['--workload', 'etcd', '--rounds', '1', '--seed', '5', '--traffic', 'on', '--timeout', '60'],
    hook: at('before-after-snapshot', async (ctx) => {
      // Keys are <run id>-<pod>-<n> (lib/traffic/client.ts); the namespace is ordinal-<run id>.
      const runId = ctx.workload.info.namespace.replace(/^ordinal-/, '');
      deleted = await shIn(ctx, 'etcd-0', `etcdctl --endpoints=http://127.0.0.1:${ETCD_CLIENT_PORT.number} del --prefix ${runId}-etcd-1-`);
    }),
    summary: () => `etcdctl del removed ${deleted.trim() || '?'} keys`,
  },
  (t) => {
    it("STS-WRITES-DURABLE fails, naming etcd-1 and its missing keys, not etcd-0 or etcd-2; results.json counts the lost writes, all of them etcd-1's", function () {
      if (Number(deleted.trim()) === 0) throw new Error(`the fault deleted nothing (etcdctl said "${deleted.trim()}")`);
      expectWritesLostThrough(t.run, 'etcd-1', ['etcd-0', 'etcd-2']);
    });

    it('STS-ETCD-MEMBERSHIP still passes: the members are whole, only data went', function () {
      expectCheck(t.run, 'STS-ETCD-MEMBERSHIP', 'passed', /./);
    });

    it("each lost key was acknowledged by etcd-1 itself (the member in the put's response header, mapped to its pod)", function () {
      const lost = t.run.result.traffic?.lost ?? [];
      if (lost.length === 0 || lost.some((k) => k.answeredBy !== 'etcd-1'))
        throw new Error(`traffic.lost: ${JSON.stringify(lost.slice(0, 3))}`);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
